/**
 * Data-movement ops on the fast path as cached gathers. A movement kernel (Slice, nearest Resize /
 * Upsample, Transpose, DepthToSpace, SpaceToDepth) copies elements without looking at their
 * values, so which input element lands at each output position depends only on the input's dims
 * and the node's attributes / constant inputs. Running the op's own float kernel (the oracle) once
 * on an int32 tensor of element indices therefore yields that map exactly; afterwards every call is
 * out[i] = x[map[i]] (bit-identical to moving the codes with the oracle, by construction).
 * Only used when the output's quantization parameters equal the input's (then the oracle moves the
 * codes unchanged; otherwise it requantizes and this returns null).
 * On an engine, uint8 maps that are strided boxes (slices, transposes, nearest resizes by integer
 * factors; gather-rows.ts, verified on every element) run in WebAssembly (gather.wat), their output
 * kept in the engine's memory during a run; other maps and uint16 codes are gathered here in
 * TypeScript.
 */
import type { PlannedNode } from '../executor.js';
import type { OnnxNode } from '../../src/onnx/types.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import { makeTensor, type Tensor } from '../tensor.js';
import type { Inputs } from '../ops/op.js';
import type { FastEngine } from './engine.js';
import { boxOf, gatherRowsFast, rowsOf, verifyBox, type GatherRows } from './gather-rows.js';

/** Ops whose float kernel is a pure gather of input 0 (Resize / Upsample: nearest mode only). */
const GATHER_OPS = new Set(['Slice', 'Resize', 'Upsample', 'Transpose', 'DepthToSpace', 'SpaceToDepth']);

interface GatherMap {
  dims: readonly number[];
  map: Int32Array;
  /** When the map is a strided box (Slice, Transpose): map[i] = base + Σ_k strides[k] · index_k(i). */
  affine: { base: number; strides: number[] } | null;
  /** The map as rows for gather.wat (uint8 codes on an engine), or null. */
  rows: GatherRows | null;
}

/** The affine form of `map` over output dims `dims`, verified on every element, or null. */
export function affineOf(map: Int32Array, dims: readonly number[]): { base: number; strides: number[] } | null {
  const r = dims.length;
  if (map.length === 0 || r === 0) return null;
  const strides = new Array<number>(r).fill(0);
  let unit = 1;
  for (let k = r - 1; k >= 0; k--) {
    if (dims[k]! > 1) strides[k] = map[unit]! - map[0]!;
    unit *= dims[k]!;
  }
  const base = map[0]!;
  return verifyBox(map, { base, dims: [...dims], strides }) ? { base, strides } : null;
}

/** out[o + k] = x[src + k·step], k < n (monomorphic uint8 loop). */
function stridedU8(x: Uint8Array, src: number, step: number, out: Uint8Array, o: number, n: number): void {
  for (let k = 0, s = src; k < n; k++, s += step) out[o + k] = x[s]!;
}

/** out[i] = x[base + Σ strides·index] row by row (contiguous rows copied as blocks). */
function affineCopy<T extends Uint8Array | Uint16Array>(x: T, dims: readonly number[], a: { base: number; strides: number[] }, out: T): T {
  const r = dims.length;
  const inner = dims[r - 1]!;
  const si = a.strides[r - 1]!;
  const rows = out.length / inner;
  const idx = new Array<number>(Math.max(0, r - 1)).fill(0);
  let src = a.base;
  for (let row = 0, o = 0; row < rows; row++, o += inner) {
    if (si === 1) out.set(x.subarray(src, src + inner), o);
    else if (x instanceof Uint8Array) stridedU8(x, src, si, out as Uint8Array, o, inner);
    else for (let k = 0, s = src; k < inner; k++, s += si) out[o + k] = x[s]!;
    for (let k = r - 2; k >= 0; k--) {
      idx[k]!++;
      src += a.strides[k]!;
      if (idx[k]! < dims[k]!) break;
      src -= a.strides[k]! * dims[k]!;
      idx[k] = 0;
    }
  }
  return out;
}

const maps = new WeakMap<OnnxNode, Map<string, GatherMap>>();

/** How many gathers ran as WebAssembly rows (gather.wat) and how many in TypeScript (for tests). */
export const gatherStats = { rows: 0, js: 0 };

/** Key parts of constant inputs, by their data array (initializer tensors share it across runs). */
const dataKeys = new WeakMap<object, string>();

/** Cache key: input dims and the contents of the other (constant) inputs. */
function keyOf(ins: Inputs): string | null {
  let k = ins[0]!.dims.join(',');
  for (let i = 1; i < ins.length; i++) {
    const t = ins[i];
    if (!t) k += '|-';
    else if (t.data.length > 64) return null;
    else {
      let part = dataKeys.get(t.data);
      if (part === undefined) dataKeys.set(t.data, (part = `${t.dtype}:${Array.from(t.data as ArrayLike<number | bigint>, String).join(',')}`));
      k += `|${part}`;
    }
  }
  return k;
}

function gatherU8(x: Uint8Array, map: Int32Array): Uint8Array {
  const out = new Uint8Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = x[map[i]!]!;
  return out;
}

function gatherU16(x: Uint16Array, map: Int32Array): Uint16Array {
  const out = new Uint16Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = x[map[i]!]!;
  return out;
}

/**
 * The node's output codes by cached gather, or null (not a gather op, parameters differ, a feature
 * as a non-data input, or too large). `inQ` / `outQ`: the node's input / output parameters.
 */
export function gatherMoveOp(step: PlannedNode, ins: Inputs, inQ: readonly (FeatureQParams | null)[], outQ: readonly (FeatureQParams | null)[], e: FastEngine | null = null): Tensor[] | null {
  const node = step.node;
  if (!GATHER_OPS.has(node.opType) || node.outputs.length !== 1) return null;
  if ((node.opType === 'Resize' || node.opType === 'Upsample') && (step.attrs as { mode?: string }).mode !== 'nearest') return null;
  const x = ins[0];
  const p = inQ[0];
  const q = outQ[0];
  if (!x || !p || !q || p.scale !== q.scale || p.zeroPoint !== q.zeroPoint || p.bits !== q.bits) return null;
  if (!(x.data instanceof Uint8Array || x.data instanceof Uint16Array) || x.data.length >= 2 ** 31) return null;
  for (let i = 1; i < ins.length; i++) if (inQ[i]) return null;
  const key = keyOf(ins);
  if (key === null) return null;
  let m = maps.get(node);
  if (!m) maps.set(node, (m = new Map()));
  let g = m.get(key);
  if (!g) {
    const n = x.data.length;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const y = step.kernel.float([makeTensor('int32', x.dims, idx), ...ins.slice(1)], step.attrs, step.ctx)[0]!;
    if (!(y.data instanceof Int32Array)) return null;
    if (m.size >= 8) m.clear();
    const box = boxOf(y.data, y.dims);
    m.set(key, (g = { dims: y.dims, map: y.data, affine: affineOf(y.data, y.dims), rows: box ? rowsOf(box) : null }));
  }
  // uint8 codes on an engine: the rows in WebAssembly (gather.wat), the output kept in its memory during a run
  if (e && g.rows && x.data instanceof Uint8Array) {
    gatherStats.rows++;
    return [makeTensor(x.dtype, g.dims, gatherRowsFast(e, x.data, g.rows))];
  }
  gatherStats.js++;
  let out: Uint8Array | Uint16Array;
  if (g.affine && g.dims.length > 0) out = affineCopy(x.data, g.dims, g.affine, x.data instanceof Uint8Array ? new Uint8Array(g.map.length) : new Uint16Array(g.map.length));
  else out = x.data instanceof Uint8Array ? gatherU8(x.data, g.map) : gatherU16(x.data, g.map);
  return [makeTensor(x.dtype, g.dims, out)];
}
