/**
 * Focus fusion (focus.ts) on the real YOLOX-nano: the 8 Slices + Concat in front of Conv_42 are
 * found; fused fast runs (1 and 2 threads) give graph outputs byte-identical to the plain-TS run;
 * observed runs (onTensor, keep 'all') do not fuse and see the real intermediate tensors; a model
 * whose slice parameters differ, or a skip-listed conv, runs the members for real; a conv that does
 * not take the gathered input (multipliers ≥ 1/2) gets it written out and runs again; all exact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FastEngine } from './engine.js';
import { findFocusFusions, focusStats } from './focus.js';
import type { PreparedQuant } from '../quantize/prepare.js';
import { planGraph } from '../executor.js';
import { runQuantized } from '../quantize/run-quantized.js';
import type { Tensor } from '../tensor.js';
import { calibrated } from './test-calibrated.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const yolox = path.resolve(repoRoot, '../shared/data/models/yolox_nano_3cls.onnx');

let e1: FastEngine;
let e2: FastEngine;
let prep: PreparedQuant;
let x: Tensor;

beforeAll(async () => {
  e1 = await FastEngine.create({ threads: 1, fromSource: true });
  e2 = await FastEngine.create({ threads: 2, fromSource: true });
  ({ prep, x } = await calibrated(yolox, 416, 416));
}, 120_000);
afterAll(async () => {
  await e1.close();
  await e2.close();
});

const bytes = (t: Tensor): Buffer => {
  const d = t.data as Uint8Array;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
};

/** The graph output of a fused fast run equals the TS run's (same prep and options). */
async function expectSameOutput(p: PreparedQuant, fast: FastEngine, opts: { skipNodeQuant?: string[] } = {}): Promise<void> {
  const want = (await runQuantized(p, 'images', x, opts)).outputs.get('output')!;
  const got = (await runQuantized(p, 'images', x, { ...opts, fast })).outputs.get('output')!;
  expect(got.dims).toEqual(want.dims);
  expect(bytes(got).equals(bytes(want))).toBe(true);
}

describe('Focus fusion', () => {
  it('finds the Slice/Concat tree in front of the first conv of YOLOX-nano', () => {
    const f = findFocusFusions(planGraph(prep.model));
    expect([...f.byConv.keys()]).toEqual(['Conv_42']);
    const g = f.byConv.get('Conv_42')!;
    expect(g.root).toBe('images');
    expect(g.members.map((m) => m.node.opType).sort()).toEqual(['Concat', ...Array<string>(8).fill('Slice')]);
    expect(g.members.at(-1)!.node.name).toBe('Concat_41');
  });

  it('fused fast runs give the output bytes of the unfused fast run and of the plain-TS run (1 and 2 threads)', async () => {
    for (const fast of [e1, e2]) {
      const before = { ...focusStats };
      await expectSameOutput(prep, fast);
      expect(focusStats.fused).toBe(before.fused + 1);
      expect(focusStats.materialized).toBe(before.materialized);
      const unfused = (await runQuantized(prep, 'images', x, { fast, fuse: false })).outputs.get('output')!;
      const fused = (await runQuantized(prep, 'images', x, { fast })).outputs.get('output')!;
      expect(focusStats.fused).toBe(before.fused + 2);
      expect(bytes(fused).equals(bytes(unfused))).toBe(true);
    }
  }, 120_000);

  it('does not fuse observed runs: onTensor and keep all see the real Focus tensors', async () => {
    const seenTs = new Map<string, Tensor>();
    await runQuantized(prep, 'images', x, { onTensor: (name, t) => void (name === 'input' && seenTs.set(name, t)) });
    const before = { ...focusStats };
    const seen = new Map<string, Tensor>();
    const r = await runQuantized(prep, 'images', x, { fast: e1, onTensor: (name, t) => void (name === 'input' && seen.set(name, t)) });
    expect(seen.get('input')!.dims).toEqual([1, 12, 208, 208]);
    expect(bytes(seen.get('input')!).equals(bytes(seenTs.get('input')!))).toBe(true);
    const all = await runQuantized(prep, 'images', x, { fast: e2, keep: 'all' });
    expect(all.outputs.get('input')!.dims).toEqual([1, 12, 208, 208]);
    expect(bytes(all.outputs.get('input')!).equals(bytes(seenTs.get('input')!))).toBe(true);
    expect(focusStats).toEqual(before);
    expect(r.modes.get('Concat_41')).toBe('int');
  }, 120_000);

  it('runs the members for real when a slice requantizes (parameters differ)', async () => {
    const features = new Map(prep.features);
    const q = features.get('onnx::Concat_652')!;
    features.set('onnx::Concat_652', { ...q, scale: q.scale * 1.25 });
    const p2: PreparedQuant = { ...prep, features };
    const before = { ...focusStats };
    await expectSameOutput(p2, e2);
    expect(focusStats.unfused).toBe(before.unfused + 1);
    expect(focusStats.fused).toBe(before.fused);
  }, 120_000);

  it('runs the members for real in front of a skip-listed conv', async () => {
    const before = { ...focusStats };
    await expectSameOutput(prep, e1, { skipNodeQuant: ['Conv_42'] });
    expect(focusStats.unfused).toBe(before.unfused + 1);
    expect(focusStats.fused).toBe(before.fused);
  }, 120_000);

  it('writes the gathered input out when the conv does not take it, then does not fuse that conv again', async () => {
    // a tiny output scale: requantization multipliers ≥ 1/2, which conv-rows does not take
    const features = new Map(prep.features);
    const q = features.get('onnx::Sigmoid_1177')!;
    features.set('onnx::Sigmoid_1177', { ...q, scale: q.scale / 1e4 });
    const p2: PreparedQuant = { ...prep, features };
    const before = { ...focusStats };
    await expectSameOutput(p2, e2);
    expect(focusStats.materialized).toBe(before.materialized + 1);
    await expectSameOutput(p2, e2);
    expect(focusStats.materialized).toBe(before.materialized + 1);
    expect(focusStats.unfused).toBe(before.unfused + 1);
    // the original model still fuses
    await expectSameOutput(prep, e2);
    expect(focusStats.fused).toBe(before.fused + 1);
  }, 120_000);
});
