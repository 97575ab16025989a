/**
 * Data-movement ops on the fast path as cached gathers. A movement kernel (Slice, nearest Resize /
 * Upsample, Transpose, DepthToSpace, SpaceToDepth) copies elements without looking at their
 * values, so which input element lands at each output position depends only on the input's dims
 * and the node's attributes / constant inputs. Running the op's own float kernel (the oracle) once
 * on an int32 tensor of element indices therefore yields that map exactly; afterwards every call is
 * out[i] = x[map[i]] (bit-identical to moving the codes with the oracle, by construction).
 * Only used when the output's quantization parameters equal the input's (then the oracle moves the
 * codes unchanged; otherwise it requantizes and this returns null).
 */
import type { PlannedNode } from '../executor.js';
import type { OnnxNode } from '../../src/onnx/types.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import { makeTensor, type Tensor } from '../tensor.js';
import type { Inputs } from '../ops/op.js';

/** Ops whose float kernel is a pure gather of input 0 (Resize / Upsample: nearest mode only). */
const GATHER_OPS = new Set(['Slice', 'Resize', 'Upsample', 'Transpose', 'DepthToSpace', 'SpaceToDepth']);

interface GatherMap {
  dims: readonly number[];
  map: Int32Array;
}

const maps = new WeakMap<OnnxNode, Map<string, GatherMap>>();

/** Cache key: input dims and the contents of the other (constant) inputs. */
function keyOf(ins: Inputs): string | null {
  let k = ins[0]!.dims.join(',');
  for (let i = 1; i < ins.length; i++) {
    const t = ins[i];
    if (!t) k += '|-';
    else if (t.data.length > 64) return null;
    else k += `|${t.dtype}:${Array.from(t.data as ArrayLike<number | bigint>, String).join(',')}`;
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
export function gatherMoveOp(step: PlannedNode, ins: Inputs, inQ: readonly (FeatureQParams | null)[], outQ: readonly (FeatureQParams | null)[]): Tensor[] | null {
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
    m.set(key, (g = { dims: y.dims, map: y.data }));
  }
  const out = x.data instanceof Uint8Array ? gatherU8(x.data, g.map) : gatherU16(x.data, g.map);
  return [makeTensor(x.dtype, g.dims, out)];
}
