/**
 * gather-rows.ts: boxOf recognises the element maps of strided slices (also negative steps),
 * transposes, nearest up/down-sampling by integer factors and depth-to-space shuffles, with the
 * expected dims and strides, and rejects maps that are no box (non-integer resize factors, a single
 * changed element); gather.wat (gatherRowsFast) reproduces out[i] = x[map[i]] byte for byte on the
 * maps of the oracle kernels themselves (Slice, Transpose, Resize on random shapes), with 1 and 2
 * threads, outside and inside a run (output kept in the engine's memory), including outputs large
 * enough to be split over the threads and every row kind (copy, stride 2, doubling, general).
 */
import { describe, expect, it } from 'vitest';
import { useEngines } from './test-engines.js';
import { boxOf, gatherRowsFast, rowsOf } from './gather-rows.js';
import { kernelFor } from '../ops/registry.js';
import type { AttrValue, OnnxNode } from '../../src/onnx/types.js';
import { makeTensor, type Tensor } from '../tensor.js';
import { rng, randInt as int, firstDiff } from '../quant/test-random.js';

const engines = useEngines();

/** The element map of `opType` on input dims `dims` from its float kernel (the oracle) on indices. */
function oracleMap(opType: string, dims: number[], extra: (Tensor | null)[], attrs: Record<string, AttrValue> = {}): { map: Int32Array; dims: number[] } {
  const node: OnnxNode = { name: `${opType}_m`, nameSynthesized: false, opType, domain: '', inputs: ['x', ...extra.map((_, i) => `c${i}`)], outputs: ['y'], attrs, index: 0 };
  const k = kernelFor(node);
  const ctx = { node, opset: 13 };
  const n = dims.reduce((a, b) => a * b, 1);
  const y = k.float([makeTensor('int32', dims, Int32Array.from({ length: n }, (_, i) => i)), ...extra], k.attrs(ctx), ctx)[0]!;
  return { map: y.data as Int32Array, dims: y.dims };
}

const i64 = (v: number[]) => makeTensor('int64', [v.length], BigInt64Array.from(v.map(BigInt)));
const f32 = (v: number[]) => makeTensor('float32', [v.length], Float32Array.from(v));

describe('boxOf', () => {
  it('2x nearest Resize of [1,3,4,5] is the box (3·4, 2, 5, 2) with strides (5, 0, 1, 0)', () => {
    const { map, dims } = oracleMap('Resize', [1, 3, 4, 5], [null, f32([1, 1, 2, 2])], { mode: 'nearest' });
    expect(dims).toEqual([1, 3, 8, 10]);
    expect(boxOf(map, dims)).toEqual({ base: 0, dims: [12, 2, 5, 2], strides: [5, 0, 1, 0] });
  });

  it('a slice with a negative step, a transpose and a depth-to-space shuffle', () => {
    // x [2,6,7] sliced [:, 5:0:-2, 1::3] -> [2,3,2]
    const s = oracleMap('Slice', [2, 6, 7], [i64([5, 1]), i64([0, 100]), i64([1, 2]), i64([-2, 3])]);
    expect(s.dims).toEqual([2, 3, 2]);
    expect(boxOf(s.map, s.dims)).toEqual({ base: 5 * 7 + 1, dims: [2, 3, 2], strides: [42, -14, 3] });
    const t = oracleMap('Transpose', [2, 3, 4], [], { perm: [2, 0, 1] });
    expect(boxOf(t.map, t.dims)).toEqual({ base: 0, dims: [4, 6], strides: [1, 4] });
    // depth-to-space (DCR, block 2) of [1,8,2,3] -> [1,2,4,6]: out[c][2y+i][2x+j] = x[(i·2+j)·2 + c][y][x]
    const d2s = new Int32Array(2 * 4 * 6);
    for (let c = 0; c < 2; c++) for (let oy = 0; oy < 4; oy++) for (let ox = 0; ox < 6; ox++) d2s[(c * 4 + oy) * 6 + ox] = ((((oy & 1) * 2 + (ox & 1)) * 2 + c) * 2 + (oy >> 1)) * 3 + (ox >> 1);
    // (c, y) merge into one dim: c's stride 6 = 2 rows of stride 3
    expect(boxOf(d2s, [1, 2, 4, 6])).toEqual({ base: 0, dims: [4, 2, 3, 2], strides: [3, 24, 1, 12] });
  });

  it('rejects maps that are no box', () => {
    const r = oracleMap('Resize', [1, 1, 3, 3], [null, f32([1, 1, 5 / 3, 5 / 3])], { mode: 'nearest' });
    expect(r.dims).toEqual([1, 1, 5, 5]);
    expect(boxOf(r.map, r.dims)).toBeNull();
    const near = Int32Array.from({ length: 12 }, (_, k) => k);
    near[11] = 10;
    expect(boxOf(near, [3, 4])).toBeNull();
    const up = oracleMap('Resize', [1, 2, 4, 4], [null, f32([1, 1, 2, 2])], { mode: 'nearest' });
    up.map[37] = up.map[36]! + 1;
    expect(boxOf(up.map, up.dims)).toBeNull();
  });
});

describe('gatherRowsFast equals out[i] = x[map[i]]', () => {
  /** Checks one map on every engine, outside and inside a run; returns the row kind used. */
  function check(map: Int32Array, dims: number[], inLen: number, r: () => number, label: string): number {
    const box = boxOf(map, dims);
    expect(box, `${label}: a box`).not.toBeNull();
    const rows = rowsOf(box!)!;
    expect(rows, `${label}: rows`).not.toBeNull();
    const x = Uint8Array.from({ length: inLen }, () => int(r, 0, 255));
    const want = Uint8Array.from(map, (i) => x[i]!);
    for (const e of engines) {
      expect(firstDiff(gatherRowsFast(e, x, rows), want), `${label} (${e.threads} thread(s))`).toBe(-1);
      e.beginRun();
      try {
        const kept = gatherRowsFast(e, x, rows);
        expect(e.addressOf(kept), 'kept in the engine memory').not.toBeNull();
        // a kept input is read in place
        expect(firstDiff(gatherRowsFast(e, kept, rowsOf(boxOf(Int32Array.from({ length: kept.length }, (_, i) => i), [kept.length])!)!), want), `${label} in a run`).toBe(-1);
      } finally {
        e.endRun();
      }
    }
    return rows.desc[1]!;
  }

  it('on random slices, transposes and nearest resizes (every row kind, parallel split)', () => {
    const r = rng(61);
    const kinds = new Set<number>();
    for (let t = 0; t < 40; t++) {
      const dims = [int(r, 1, 2), int(r, 1, 6), int(r, 1, 40), int(r, 1, 40)];
      const n = dims.reduce((a, b) => a * b, 1);
      const op = t % 3;
      let m: { map: Int32Array; dims: number[] };
      if (op === 0) {
        const axes = [1, 2, 3].filter(() => r() < 0.7);
        if (axes.length === 0) axes.push(3);
        const steps = axes.map(() => (r() < 0.3 ? -int(r, 1, 3) : int(r, 1, 3)));
        const starts = axes.map((a, i) => (steps[i]! < 0 ? int(r, 0, dims[a]! - 1) : int(r, 0, Math.max(0, dims[a]! - 2))));
        const ends = steps.map((s) => (s < 0 ? -1000 : 1000));
        m = oracleMap('Slice', dims, [i64(starts), i64(ends), i64(axes), i64(steps)]);
      } else if (op === 1) {
        const perm = [0, 1, 2, 3].sort(() => r() - 0.5);
        m = oracleMap('Transpose', dims, [], { perm });
      } else {
        const scales = [1, 1, [0.5, 1, 2, 3][int(r, 0, 3)]!, [1, 2, 3][int(r, 0, 2)]!];
        if (scales[2] === 0.5 && dims[2]! < 2) scales[2] = 1;
        m = oracleMap('Resize', dims, [null, f32(scales)], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' });
      }
      if (m.map.length === 0) continue;
      kinds.add(check(m.map, m.dims, n, r, `case ${t} (${['Slice', 'Transpose', 'Resize'][op]} of [${dims.join(',')}] -> [${m.dims.join(',')}])`));
    }
    // large: a 2x nearest Resize of [1,64,52,52] (692 KB, split over the threads) and the YOLOX focus slices
    const up = oracleMap('Resize', [1, 64, 52, 52], [null, f32([1, 1, 2, 2])], { mode: 'nearest' });
    kinds.add(check(up.map, up.dims, 64 * 52 * 52, r, 'resize 2x [1,64,52,52]'));
    const rowsSlice = oracleMap('Slice', [1, 3, 416, 416], [i64([1, 0]), i64([1000, 1000]), i64([2, 3]), i64([2, 1])]);
    kinds.add(check(rowsSlice.map, rowsSlice.dims, 3 * 416 * 416, r, 'focus rows'));
    const colsSlice = oracleMap('Slice', [1, 3, 416, 416], [i64([1]), i64([1000]), i64([3]), i64([2])]);
    kinds.add(check(colsSlice.map, colsSlice.dims, 3 * 416 * 416, r, 'focus columns'));
    expect([...kinds].sort()).toEqual([0, 1, 2, 3]);
  });
});
