import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { runDemo, defaultDataDir } from './run-demo.js';
import { tmpDir } from '../../golden/temp-golden.js';

describe('demo: the whole flow on YOLOX-nano and dog.jpg', () => {
  it('finds the simulated chip fault as D at the corrupted layer, measures the float~ptq edge, and writes the three reports', async () => {
    const out = path.join(tmpDir('magik-demo-'), 'demo');
    const r = await runDemo({ data: defaultDataDir(), out, calibImages: 2 });
    expect(r.report.inputs.consistent).toBe(true);
    expect(r.report.edges.map((e) => e.id)).toEqual(['float~ptq', 'ptq~board']);
    const board = r.report.edges[1]!;
    // the corrupted layer is the first (and only) md5 difference, with exactly the values changed
    expect(board.summary.diverged).toBe(1);
    const l = board.layers.find((x) => x.b.name === `${r.corrupted.layer}_out`)!;
    expect(board.firstDivergence!.name).toBe(l.name);
    expect(l.mismatches).toBe(r.corrupted.values);
    expect(l.firstMismatch!.coord.slice(1, 3)).toEqual([2, 0]);
    const d = r.report.findings.find((f) => f.code === 'D')!;
    expect(d.edge).toBe('ptq~board');
    expect(d.message).toMatch(/100% of mismatches in channels 0-3/);
    // every layer of the float model is measured on the float~ptq edge, in graph order
    expect(r.report.edges[0]!.layers.length).toBe(369);
    for (const f of Object.values(r.files)) expect(existsSync(f)).toBe(true);
  }, 300_000);
});
