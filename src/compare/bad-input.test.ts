import { describe, it, expect } from 'vitest';
import { cpSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { compare } from './compare.js';
import { goldenTmp, tmpDir, snapshotTree } from '../../golden/temp-golden.js';
import { DumpFolderWriter } from '../dumps/index.js';

describe('compare on damaged dumps: cannot-compare layers, never a crash', () => {
  it('truncated, 0-byte, overflowing and missing files each become a cannot-compare layer with the reason', async () => {
    const g = await goldenTmp();
    const bad = path.join(g.dir, 'pc-bad');
    const copy = tmpDir('magik-badcopy-');
    cpSync(bad, copy, { recursive: true });
    const before = await snapshotTree(bad);
    const log = path.join(bad, 'pc-bad.log');
    const r = await compare({ pc: bad, pcLog: log, board: path.join(copy, 'MAGIK_DATA_DUMP'), boardLog: log, threads: 1 });
    const e = r.edges[0]!;
    const by = (n: string) => e.layers.find((l) => l.a.name === n)!;
    expect(by('trunc').status).toBe('cannot-compare');
    expect(by('trunc').reason).toMatch(/100/);
    expect(by('crash').reason).toMatch(/0-byte/);
    expect(by('huge').reason).toMatch(/cannot compare/);
    expect(by('missing_layer').reason).toMatch(/cannot compare/);
    // md5 is still computed where both files exist, so an identical broken file is known to be identical
    expect(by('trunc').md5Equal).toBe(true);
    expect(r.verdict).toBe('incomplete');
    expect(await snapshotTree(bad)).toEqual(before);
  });

  it('NaN/Inf on one side only is a divergence even when the finite values agree', async () => {
    const dir = tmpDir('magik-nan-');
    const mk = async (sub: string, poison: boolean) => {
      const d = path.join(dir, sub);
      mkdirSync(d);
      const b = new DumpFolderWriter(d, { producer: 'test' });
      const x = new Float32Array(64).map((_, i) => Math.sin(i) + 2);
      b.add({ tensorName: 'l0', nodeName: 'n0', opType: 'Conv', dtype: 'float32', shape: [1, 4, 4, 4], layout: 'NHWC' }, new Uint8Array(x.buffer.slice(0)));
      if (poison) {
        x[5] = NaN;
        x[9] = Infinity;
      }
      b.add({ tensorName: 'l1', nodeName: 'n1', opType: 'Relu', dtype: 'float32', shape: [1, 4, 4, 4], layout: 'NHWC' }, new Uint8Array(x.buffer));
      await b.finish();
      return d;
    };
    const r = await compare({ float: await mk('a', false), ptq: await mk('b', true), threads: 1 });
    const l1 = r.edges[0]!.layers.find((l) => l.name === 'l1')!;
    expect(l1.status).toBe('diverged');
    expect(l1.reason).toMatch(/non-finite/);
    expect(l1.nonFinite!.b).toEqual({ nan: 1, posInf: 1, negInf: 0 });
    expect(l1.cosine).toBe(1); // over the finite pairs, which agree
    expect(r.edges[0]!.firstDivergence!.name).toBe('l1');
  });
});
