/**
 * Fuzz tests of the ONNX loader (mutated real model bytes: bit flips, truncations, random
 * splices) and the report loader (mutated real report.json): only UserError may escape.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseModel } from '../../src/onnx/load.js';
import { buildModel } from '../../src/onnx/build.js';
import { parseReport } from '../../src/report/load.js';
import { diffReports } from '../../src/report/diff.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { UserError } from '../../src/errors.js';
import { syntheticReport } from '../synthetic-report.js';
import { tinyModel } from '../bad-inputs/make-fixtures.js';
import { mutationArb, applyMutations, mutateText, thrown } from './mutate.js';

const SEED = 7_2026;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const show = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e));

describe('ONNX loader (onnx/load.ts) on damaged bytes', () => {
  it('tiny model: 2,500 mutations, only UserError', () => {
    const good = buildModel(tinyModel());
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 6 }), (ms) => {
        const e = thrown(() => parseModel(applyMutations(good, ms), 'fuzz.onnx'));
        expect(e === null || e instanceof UserError, show(e)).toBe(true);
      }),
      { numRuns: 2500, seed: SEED },
    );
  });
  it.each([
    ['yunet_n_320_320.onnx', 1500],
    ['fastestdet.onnx', 300],
    ['ultraface_rfb_320.onnx', 300],
  ])('real model %s: %i bit flips / truncations / splices, only UserError', (file, runs) => {
    const real = new Uint8Array(readFileSync(path.resolve(repoRoot, '../shared/data/models', file)));
    // mutations near the start hit the graph structure; anywhere else mostly weights
    const arb = fc.array(mutationArb, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(arb, fc.boolean(), (ms, head) => {
        const scaled = head ? ms.map((m) => ('at' in m ? { ...m, at: m.at % 4096 } : m)) : ms;
        const e = thrown(() => parseModel(applyMutations(real, scaled), `fuzz-${file}`));
        expect(e === null || e instanceof UserError, show(e)).toBe(true);
      }),
      { numRuns: runs, seed: SEED },
    );
  });
});

describe('report loader (report/load.ts)', () => {
  const text = JSON.stringify(syntheticReport(), null, 2);
  it('1,500 mutated report.json texts and 300 arbitrary JSON values: only UserError; an accepted report diffs against itself', () => {
    const check = (t: string) => {
      const e = thrown(() => {
        const r = parseReport(t, 'fuzz/report.json');
        diffReports(r, r);
        renderMarkdown(r);
      });
      expect(e === null || e instanceof UserError, show(e)).toBe(true);
    };
    fc.assert(fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (ms) => check(mutateText(text, ms))), { numRuns: 1500, seed: SEED });
    fc.assert(fc.property(fc.json(), (t) => check(t)), { numRuns: 300, seed: SEED });
  });
});
