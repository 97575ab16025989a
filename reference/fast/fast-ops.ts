/**
 * Integer element-wise, pooling and data-movement ops on the fast path. Each function returns the
 * SAME output as the node's plain-TS integer kernel (the oracle) or null (the caller then runs the
 * oracle). Exactness comes from construction, not from a re-implementation of the semantics:
 *
 * - unary element-wise ops (no per-position operand: PRelu is not one) on a ≤ 8-bit feature: a 2^b-entry table made by running the oracle kernel
 *   on the 2^b possible codes, then one lookup per element;
 * - binary element-wise ops on two 8-bit features of equal dims (no broadcasting): a 65536-entry table
 *   made by running the oracle kernel on every code pair, then one lookup per element pair;
 * - data movement: a gather map made by running the oracle on element indices (gather-map.ts);
 * - Concat: copies, through the oracle's own requantization table (int-support.ts requantTable) for an
 *   input whose parameters differ from the output's;
 * - MaxPool: max-pool-fast.ts (argued there).
 *
 * Tables and maps are cached per node and parameter set, so they are built once per model.
 */
import type { PlannedNode } from '../executor.js';
import type { OnnxNode } from '../../src/onnx/types.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import { makeTensor, type Tensor } from '../tensor.js';
import { normAxis, type Inputs, type IntContext } from '../ops/op.js';
import { requantTable, sameParams } from '../ops/int-support.js';
import { poolGeometry, type PoolAttrs } from '../ops/pool-glue.js';
import { gatherMoveOp } from './gather-map.js';
import { maxPoolCodesFast } from './max-pool-fast.js';
import { ConcatPlan, LutPlan, type ConcatPart } from './op-plans.js';
import { publishPlan } from './node-plan.js';
import type { FastEngine } from './engine.js';

/** Element-wise ops of one feature input (other inputs constants, e.g. Clip's bounds). */
const UNARY = new Set(['Sigmoid', 'Relu', 'LeakyRelu', 'Clip', 'HardSigmoid', 'HardSwish', 'Tanh', 'Exp', 'Abs', 'Neg', 'Sqrt', 'Softplus', 'Elu', 'Selu', 'Erf']);
/** Element-wise ops of two feature inputs. */
const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min', 'Pow']);

const tables = new WeakMap<OnnxNode, Map<string, Uint8Array>>();

function pkey(p: FeatureQParams | null): string {
  return p ? `${p.scale}/${p.zeroPoint}/${p.bits}` : '-';
}

/** The node's oracle on `ins` with parameters `inQ` / `outQ`; its first output's uint8 codes, or null. */
function oracleCodes(step: PlannedNode, ins: Inputs, inQ: readonly (FeatureQParams | null)[], outQ: readonly (FeatureQParams | null)[], ctx: IntContext): Uint8Array | null {
  const y = step.kernel.int!(ins, step.attrs, { ...ctx, inputQuant: inQ, outputQuant: outQ })[0];
  return y && y.data instanceof Uint8Array ? y.data : null;
}

function cachedTable(node: OnnxNode, key: string, build: () => Uint8Array | null): Uint8Array | null {
  let m = tables.get(node);
  if (!m) tables.set(node, (m = new Map()));
  const hit = m.get(key);
  if (hit) return hit;
  const t = build();
  if (t) {
    if (m.size >= 16) m.clear();
    m.set(key, t);
  }
  return t;
}

function lut(x: Uint8Array, t: Uint8Array): Uint8Array {
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = t[x[i]!]!;
  return out;
}

function pairLut(a: Uint8Array, b: Uint8Array, t: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = t[(a[i]! << 8) | b[i]!]!;
  return out;
}

function constKey(ins: Inputs, from: number): string | null {
  let k = '';
  for (let i = from; i < ins.length; i++) {
    const t = ins[i];
    if (!t) k += '|-';
    else if (t.data.length > 64) return null;
    else k += `|${t.dtype}:${t.dims.join(',')}:${Array.from(t.data as ArrayLike<number | bigint>, String).join(',')}`;
  }
  return k;
}

function unaryOp(step: PlannedNode, ins: Inputs, inQ: readonly (FeatureQParams | null)[], outQ: readonly (FeatureQParams | null)[], ctx: IntContext): Tensor[] | null {
  const x = ins[0];
  const p = inQ[0];
  const q = outQ[0];
  if (!x || !p || !q || p.bits > 8 || q.bits > 8 || !(x.data instanceof Uint8Array) || step.node.outputs.length !== 1) return null;
  for (let i = 1; i < ins.length; i++) if (inQ[i]) return null;
  const ck = constKey(ins, 1);
  if (ck === null) return null;
  const table = cachedTable(step.node, `u|${pkey(p)}|${pkey(q)}${ck}`, () => {
    const n = 2 ** p.bits;
    const codes = makeTensor('uint8', [n], Uint8Array.from({ length: n }, (_, i) => i));
    const t = oracleCodes(step, [codes, ...ins.slice(1)], inQ, outQ, ctx);
    return t && t.length === n ? t : null;
  });
  if (!table) return null;
  const e = ctx.fast;
  if (!e) return [makeTensor('uint8', x.dims, lut(x.data, table))];
  return [makeTensor('uint8', x.dims, runPlan(lutPlan(step.node, e, table, x.data.length, [0]), [x.data]))];
}

function binaryOp(step: PlannedNode, ins: Inputs, inQ: readonly (FeatureQParams | null)[], outQ: readonly (FeatureQParams | null)[], ctx: IntContext): Tensor[] | null {
  const [a, b] = ins;
  const [pa, pb] = inQ;
  const q = outQ[0];
  if (ins.length !== 2 || !a || !b || !pa || !pb || !q || pa.bits !== 8 || pb.bits !== 8 || q.bits > 8) return null;
  if (!(a.data instanceof Uint8Array) || !(b.data instanceof Uint8Array) || a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) return null;
  const table = cachedTable(step.node, `b|${pkey(pa)}|${pkey(pb)}|${pkey(q)}`, () => {
    const ca = new Uint8Array(65536);
    const cb = new Uint8Array(65536);
    for (let i = 0; i < 65536; i++) {
      ca[i] = i >> 8;
      cb[i] = i & 255;
    }
    const t = oracleCodes(step, [makeTensor('uint8', [65536], ca), makeTensor('uint8', [65536], cb)], inQ, outQ, ctx);
    return t && t.length === 65536 ? t : null;
  });
  if (!table) return null;
  const e = ctx.fast;
  if (!e) return [makeTensor('uint8', a.dims, pairLut(a.data, b.data, table))];
  return [makeTensor('uint8', a.dims, runPlan(lutPlan(step.node, e, table, a.data.length, [0, 1]), [a.data, b.data]))];
}

function concatOp(step: PlannedNode, ins: Inputs, inQ: readonly (FeatureQParams | null)[], outQ: readonly (FeatureQParams | null)[], ctx: IntContext): Tensor[] | null {
  const q = outQ[0];
  if (!q || q.bits > 8 || ins.length === 0) return null;
  const xs: { d: Uint8Array; dims: readonly number[]; t: Uint8Array | null; i: number }[] = [];
  for (let i = 0; i < ins.length; i++) {
    const t = ins[i];
    const p = inQ[i];
    if (!t) continue;
    if (!p || !(t.data instanceof Uint8Array) || p.bits > 8) return null;
    xs.push({ d: t.data, dims: t.dims, t: sameParams(p, q) ? null : (requantTable(p, q) as Uint8Array), i });
  }
  if (xs.length === 0) return null;
  const r = xs[0]!.dims.length;
  const axis = normAxis((step.attrs as { axis: number }).axis, r, ctx);
  for (const x of xs) if (x.dims.length !== r || x.dims.some((d, i) => i !== axis && d !== xs[0]!.dims[i])) return null;
  const dims = [...xs[0]!.dims];
  dims[axis] = xs.reduce((s, x) => s + x.dims[axis]!, 0);
  const outer = dims.slice(0, axis).reduce((s, d) => s * d, 1);
  const innerOf = (ds: readonly number[]): number => ds.slice(axis).reduce((s, d) => s * d, 1);
  const outInner = innerOf(dims);
  const e = ctx.fast;
  if (!e) {
    const out = new Uint8Array(outer * outInner);
    let off = 0;
    for (const x of xs) {
      const inner = innerOf(x.dims);
      const src = x.t ? lut(x.d, x.t) : x.d;
      for (let o = 0; o < outer; o++) out.set(src.subarray(o * inner, (o + 1) * inner), o * outInner + off);
      off += inner;
    }
    return [makeTensor('uint8', dims, out)];
  }
  // in WebAssembly memory: block copies, lut_u8 through the requantization table (op-plans.ts)
  return [makeTensor('uint8', dims, runPlan(concatPlan(step.node, e, xs.map((x) => ({ inner: innerOf(x.dims), table: x.t })), outer, xs.map((x) => x.i)), xs.map((x) => x.d)))];
}

/** The last plan per node (rebuilt when the engine, table, size or parts change). */
const plans = new WeakMap<OnnxNode, LutPlan | ConcatPlan>();

function lutPlan(node: OnnxNode, e: FastEngine, table: Uint8Array, n: number, inputs: number[]): LutPlan {
  const hit = plans.get(node);
  if (hit instanceof LutPlan && hit.e === e && hit.table === table && hit.n === n && hit.inputs.length === inputs.length && hit.inputs.every((v, i) => v === inputs[i])) return hit;
  const plan = new LutPlan(e, table, n, inputs);
  plans.set(node, plan);
  return plan;
}

function concatPlan(node: OnnxNode, e: FastEngine, parts: ConcatPart[], outer: number, inputs: number[]): ConcatPlan {
  const hit = plans.get(node);
  const same = hit instanceof ConcatPlan && hit.e === e && hit.outer === outer && hit.parts.length === parts.length && hit.inputs.every((v, i) => v === inputs[i]) && hit.parts.every((p, i) => p.inner === parts[i]!.inner && p.table === parts[i]!.table);
  if (same) return hit;
  const plan = new ConcatPlan(e, parts, outer, inputs);
  plans.set(node, plan);
  return plan;
}

/** Runs `plan` and publishes it for replays (node-plan.ts). */
function runPlan(plan: LutPlan | ConcatPlan, xs: readonly Uint8Array[]): Uint8Array {
  const out = plan.run(xs);
  publishPlan(plan);
  return out;
}

function maxPoolOp(step: PlannedNode, ins: Inputs, inQ: readonly (FeatureQParams | null)[], outQ: readonly (FeatureQParams | null)[], ctx: IntContext): Tensor[] | null {
  const x = ins[0];
  const p = inQ[0];
  const q = outQ[0];
  if (!x || !p || !q || !sameParams(p, q) || !(x.data instanceof Uint8Array || x.data instanceof Uint16Array) || step.node.outputs.length !== 1) return null;
  const { g, outDims } = poolGeometry(x, step.attrs as PoolAttrs, ctx);
  return [makeTensor(x.dtype, outDims, maxPoolCodesFast(ctx.fast ?? null, x.data, g))];
}

/**
 * The node's integer outputs on the fast path, or null when it has none for this node / operands.
 * `ins` are the integer step's operands (feature codes), `ctx` its integer context.
 */
export function fastIntOp(step: PlannedNode, ins: Inputs, ctx: IntContext): Tensor[] | null {
  const op = step.node.opType;
  const { inputQuant: inQ, outputQuant: outQ } = ctx;
  if (!step.kernel.int) return null;
  if (op === 'MaxPool') return maxPoolOp(step, ins, inQ, outQ, ctx);
  if (op === 'Concat') return concatOp(step, ins, inQ, outQ, ctx);
  if (UNARY.has(op)) return unaryOp(step, ins, inQ, outQ, ctx);
  if (BINARY.has(op)) return binaryOp(step, ins, inQ, outQ, ctx);
  return gatherMoveOp(step, ins, inQ, outQ, ctx.fast ?? null);
}
