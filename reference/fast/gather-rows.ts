/**
 * A data-movement map (gather-map.ts: out[i] = x[map[i]], built by running the node's own float
 * kernel on element indices) described as rows of a strided box, and replayed on uint8 codes by
 * gather.wat. The description is accepted only after it has been checked against the map on every
 * element, so replaying it moves exactly the elements the oracle moves.
 *
 * A box enumerates the output in row-major order over dims d_k with source strides s_k (elements,
 * possibly 0 or negative): map[i] = base + Σ_k s_k · index_k(i). Slices and transposes are boxes
 * over the output dims themselves; nearest upsampling by an integer factor f and depth/space
 * shuffles become boxes once an output dim D is split into (D/f, f): e.g. a 2× nearest Resize of
 * [C][H][W] is the box (C, H, 2, W, 2) with strides (H·W, W, 0, 1, 0).
 */
import type { FastEngine } from './engine.js';
import { stage } from './eltwise.js';

/** A strided box (see the file header). */
export interface Box {
  base: number;
  dims: number[];
  strides: number[];
}

/**
 * The profile v[j] = map[j·unit] − map[0] (j < d) of one output dim as one or two box dims:
 * linear v[j] = j·s → [(d, s)]; two-level v[i·f + j] = i·S + j·s (f | d) → [(d/f, S), (f, s)].
 */
function splitDim(map: Int32Array, d: number, unit: number): Array<[number, number]> | null {
  const v0 = map[0]!;
  const s = map[unit]! - v0;
  let f = 1;
  while (f < d && map[f * unit]! - v0 === f * s) f++;
  if (f === d) return [[d, s]];
  if (f < 2 || d % f !== 0) return null;
  const big = map[f * unit]! - v0;
  for (let i = 0; i < d / f; i++) for (let j = 0; j < f; j++) if (map[(i * f + j) * unit]! - v0 !== i * big + j * s) return null;
  return [
    [d / f, big],
    [f, s],
  ];
}

/**
 * The box of `map` over output dims `dims` (size-1 dims dropped, adjacent dims merged where the
 * strides allow), verified on every element; null when the map is not such a box.
 */
export function boxOf(map: Int32Array, dims: readonly number[]): Box | null {
  if (map.length === 0) return null;
  const parts: Array<[number, number]> = [];
  let unit = map.length;
  for (const d of dims) {
    unit /= d;
    if (d === 1) continue;
    const p = splitDim(map, d, unit);
    if (!p) return null;
    parts.push(...p);
  }
  // merge (a, b) when a's stride is b's stride times b's size: one dim enumerates both
  const merged: Array<[number, number]> = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (last && last[1] === p[1] * p[0]) merged[merged.length - 1] = [last[0] * p[0], p[1]];
    else merged.push([p[0], p[1]]);
  }
  const box: Box = { base: map[0]!, dims: merged.map((p) => p[0]), strides: merged.map((p) => p[1]) };
  return verifyBox(map, box) ? box : null;
}

/** map[i] === base + Σ strides · index(i) for every i (odometer over the box dims). */
export function verifyBox(map: Int32Array, box: Box): boolean {
  const { dims, strides } = box;
  const r = dims.length;
  if (dims.reduce((a, b) => a * b, 1) !== map.length) return false;
  const idx = new Array<number>(r).fill(0);
  let v = box.base;
  for (let i = 0; i < map.length; i++) {
    if (map[i] !== v) return false;
    for (let k = r - 1; k >= 0; k--) {
      idx[k]!++;
      v += strides[k]!;
      if (idx[k]! < dims[k]!) break;
      v -= strides[k]! * dims[k]!;
      idx[k] = 0;
    }
  }
  return true;
}

/** The most outer dims gather.wat takes. */
const MAX_OUTER = 8;

/** A box as gather.wat rows: the descriptor words and the row count (see gather.wat). */
export interface GatherRows {
  desc: Int32Array;
  rows: number;
  /** Output bytes per row. */
  n: number;
}

/** The row description of `box` for gather.wat, or null (too many outer dims). */
export function rowsOf(box: Box): GatherRows | null {
  const { dims, strides } = box;
  let r = dims.length;
  let kind = 0;
  let n = 1;
  let m = 1;
  let f = 1;
  let s1 = 0;
  let s0 = 0;
  if (r > 0) {
    const d = dims[r - 1]!;
    const s = strides[r - 1]!;
    const twoLevel = r >= 2;
    if (s === 1) [kind, n, m, r] = [1, d, d, r - 1];
    else if (s === 2) [kind, n, m, r] = [2, d, d, r - 1];
    else if (twoLevel && s === 0 && d === 2 && strides[r - 2] === 1) [kind, m, f, s1, n, r] = [3, dims[r - 2]!, 2, 1, 2 * dims[r - 2]!, r - 2];
    else if (twoLevel && d < 16) [kind, m, f, s1, s0, n, r] = [0, dims[r - 2]!, d, strides[r - 2]!, s, dims[r - 2]! * d, r - 2];
    else [kind, m, f, s1, s0, n, r] = [0, d, 1, s, 0, d, r - 1];
  } else [kind, n, m] = [1, 1, 1];
  if (r > MAX_OUTER) return null;
  const desc = new Int32Array(8 + 2 * r);
  desc.set([r, kind, n, m, f, s1, s0, box.base]);
  for (let k = 0; k < r; k++) {
    desc[8 + k] = dims[k]!;
    desc[8 + r + k] = strides[k]!;
  }
  return { desc, rows: dims.slice(0, r).reduce((a, b) => a * b, 1), n };
}

/** Output bytes above which the rows are split over the engine's threads. */
const PARALLEL_BYTES = 1 << 18;

/**
 * out = the gather `g` of uint8 codes `x` on the engine (a view kept in its memory during a run,
 * else a copy); the caller checked that `x` has the length the map was built for.
 */
export function gatherRowsFast(e: FastEngine, x: Uint8Array, g: GatherRows): Uint8Array {
  const count = g.rows * g.n;
  const r = g.desc[0]!;
  const s = stage(e, [x], count, g.desc.byteLength + 4 * Math.max(1, r) * e.threads);
  const descA = s.scratchA;
  new Int32Array(e.buffer, descA, g.desc.length).set(g.desc);
  const idxA = descA + g.desc.byteLength;
  const parts = count >= PARALLEL_BYTES ? Math.min(e.threads, g.rows) : 1;
  const chunk = Math.ceil(g.rows / parts);
  const jobs: number[][] = [];
  for (let r0 = 0, j = 0; r0 < g.rows; r0 += chunk, j++) jobs.push([s.inA[0]!, s.outA, descA, idxA + 4 * Math.max(1, r) * j, r0, Math.min(g.rows, r0 + chunk)]);
  if (jobs.length === 1) e.call('gather_u8', jobs[0]!);
  else e.parallel('gather_u8', jobs);
  return s.result();
}
