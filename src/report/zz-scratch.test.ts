import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { syntheticReport } from './report-fixtures.js';
import { renderMarkdown } from './markdown.js';
import { renderHtml } from './html.js';
it('scratch', () => { writeFileSync('/tmp/rp/s.html', renderHtml(syntheticReport({ layers: 40, divergeAt: 20 }))); });
