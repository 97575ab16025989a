import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PairKernel } from '../metrics/pair-kernel.js';
import { measurePair, layerMetricsToJson } from '../metrics/index.js';
import { runJob } from './run-job.js';
import { measureAll } from './engine.js';
import { MeasurePool } from './pool.js';
import type { MeasureJob } from './types.js';

let dir: string;
let kernel: PairKernel;
const md5 = (f: string) => createHash('md5').update(readFileSync(f)).digest('hex');

/** Deterministic values (LCG) so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

beforeAll(async () => {
  kernel = await PairKernel.load({ fromSource: true });
  dir = mkdtempSync(path.join(os.tmpdir(), 'mp-runjob-'));
  const r = lcg(5);
  // 1 Mi + 3 elements: more than one read chunk (1 Mi elements) with a ragged tail
  const n = (1 << 20) + 3;
  const fa = new Float32Array(n);
  const fb = new Float32Array(n);
  const qb = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    fa[i] = r() * 4 - 2;
    fb[i] = i % 5 === 0 ? fa[i]! * 1.02 : fa[i]!;
    qb[i] = Math.max(0, Math.min(255, Math.round(fa[i]! / 0.02) + 100 + (i % 97 === 0 ? 1 : 0)));
  }
  fa[12345] = NaN;
  writeFileSync(path.join(dir, 'fa.bin'), new Uint8Array(fa.buffer));
  writeFileSync(path.join(dir, 'fb.bin'), new Uint8Array(fb.buffer));
  writeFileSync(path.join(dir, 'qb.bin'), qb);
  // an .npy-like file: a 128-byte header, then the float32 data, then 5 trailing bytes (all hashed)
  writeFileSync(path.join(dir, 'fa.npy'), Buffer.concat([Buffer.alloc(128, 0x20), Buffer.from(fa.buffer), Buffer.from([1, 2, 3, 4, 5])]));
  // packed 4-bit (no kernel code: the JS path)
  writeFileSync(path.join(dir, 'u4a.bin'), qb.subarray(0, 2000));
  writeFileSync(path.join(dir, 'u4b.bin'), qb.subarray(1, 2001));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const n = (1 << 20) + 3;
const f = (name: string) => path.join(dir, name);
const jobs = (): MeasureJob[] => [
  { id: 1, a: { file: f('fa.bin'), dataOffset: 0, dtype: 'float32' }, b: { file: f('fb.bin'), dataOffset: 0, dtype: 'float32' }, shape: [1, 1, n, 1], count: n, mode: 'float', fitSide: null },
  { id: 2, a: { file: f('fa.bin'), dataOffset: 0, dtype: 'float32' }, b: { file: f('qb.bin'), dataOffset: 0, dtype: 'uint8', scale: 0.02, zeroPoint: 100 }, shape: [n], count: n, mode: 'float', fitSide: null },
  { id: 3, a: { file: f('fa.npy'), dataOffset: 128, dtype: 'float32' }, b: { file: f('fb.bin'), dataOffset: 0, dtype: 'float32' }, shape: [n], count: n, mode: 'float', fitSide: null },
  { id: 4, a: { file: f('fb.bin'), dataOffset: 0, dtype: 'float32' }, b: { file: f('qb.bin'), dataOffset: 0, dtype: 'uint8' }, shape: [n], count: n, mode: 'float', fitSide: 'b' },
  { id: 5, a: { file: f('u4a.bin'), dataOffset: 0, dtype: 'uint4' }, b: { file: f('u4b.bin'), dataOffset: 0, dtype: 'uint4' }, shape: [4000], count: 4000, mode: 'integer', fitSide: null },
  { id: 6, a: { file: f('qb.bin'), dataOffset: 0, dtype: 'uint8' }, b: { file: f('fa.bin'), dataOffset: 0, dtype: 'uint8' }, shape: null, count: 0, mode: 'md5-only', fitSide: null },
  { id: 7, a: { file: f('fb.bin'), dataOffset: 0, dtype: 'float32' }, b: { file: f('qb.bin'), dataOffset: 0, dtype: 'float32' }, shape: [n], count: n, mode: 'float', fitSide: null },
];

describe('runJob: kernel path equals the JS path, md5 covers every byte', () => {
  it('identical results with and without the WebAssembly kernel, and md5 = md5 of the whole file', () => {
    for (const j of jobs()) {
      const viaKernel = runJob(j, kernel);
      const viaJs = runJob(j, null);
      expect(viaKernel).toEqual(viaJs);
      if (j.id === 7) {
        expect(viaKernel.error).toMatch(/shorter than its shape/);
        continue;
      }
      expect(viaKernel.error).toBeUndefined();
      expect(viaKernel.md5A).toBe(md5(j.a.file));
      expect(viaKernel.md5B).toBe(md5(j.b.file));
      expect(viaKernel.metrics === undefined).toBe(j.mode === 'md5-only');
    }
  });

  it('metrics equal measurePair on the decoded arrays (float32 vs dequantized uint8, one NaN)', () => {
    const fa = new Float32Array(readFileSync(f('fa.bin')).buffer.slice(0));
    const qb = readFileSync(f('qb.bin'));
    const r = runJob(jobs()[1]!, kernel);
    const want = layerMetricsToJson(measurePair(Array.from(fa), Array.from(qb), { shape: [n], sideA: { dtype: 'float32' }, sideB: { dtype: 'uint8', scale: 0.02, zeroPoint: 100 }, integerCompare: false }));
    expect(r.metrics).toEqual(want);
    expect((r.metrics as { finiteCount: number }).finiteCount).toBe(n - 1);
  });

  it('measureAll: worker pool (when built), in-process and a pre-started pool give the same map', async () => {
    const js = jobs();
    const inProcess = await measureAll(js, { threads: 1 });
    const pooled = await measureAll(js, { threads: 2 });
    const early = MeasurePool.start(2);
    const pre = await measureAll(js, { pool: early });
    expect([...pooled.entries()].sort()).toEqual([...inProcess.entries()].sort());
    expect([...pre.entries()].sort()).toEqual([...inProcess.entries()].sort());
    expect(inProcess.size).toBe(js.length);
    if (early) await expect(early.run(js)).rejects.toThrow(/runs once/);
  });
});
