/**
 * Integer element-wise ops on two (or more) feature inputs, with ONNX broadcasting
 * (SEMANTICS.md "Element-wise, lookup-table and data-movement operators").
 *
 * Add / Sub / Sum — TFLite's quantized Add (tensorflow/lite/kernels/internal/reference/add.h,
 * `AddElementwise`; scales prepared as in kernels/add.cc `PrepareGeneralSubOp`): with
 * S = 2 · max(s_i) and a left shift L,
 *   x_i = requantize((q_i − zp_i) · 2^L, M_i),   M_i = s_i / S           (≤ 1/2)
 *   acc = Σ ±x_i                                                        (int32)
 *   q   = clamp(requantize(acc, M_out) + zp_out, 0, qmax),  M_out = S / (2^L · s_out)
 * L = min(20, 32 − b − ⌈log2 n⌉) for n inputs of at most b bits (20 for 8-bit like TFLite, 15 for
 * two 16-bit inputs), which keeps every term and the sum inside int32. x_i is a table of 2^b_i
 * entries per input.
 *
 * Mul — acc = (q_a − zp_a) · (q_b − zp_b) (exact integer; int32 for ≤ 8-bit inputs, up to 33 bits
 * for 16-bit ones, then `requantizeWide`: the same rounding on the exact product),
 * q = clamp(requantize(acc, M) + zp_out), M = s_a · s_b / s_out.
 *
 * Max / Min — every input is requantized to the output's parameters (table s_i / s_out), then the
 * integer max / min (both quantizers are monotone, so this is the quantized max / min).
 *
 * Two inputs of b_a + b_b ≤ 16 bits (8-bit + 8-bit) use one precomputed table of every code pair,
 * filled with exactly these formulas (bit-identical, faster).
 *
 * A constant operand: one table per constant element when small (`int-lut.ts`); otherwise it is
 * quantized with its own parameters (its [min, max] range, 16 bits: CONSTANT_BITS) and treated as
 * a feature. Other ops (Div, Pow, PRelu with a feature slope) of two features of at most 16 bits
 * together use a code-pair table built from the float kernel (exact); wider ones, and inputs that
 * are not features, run "float in the middle" (dequantize, float kernel, quantize).
 */
import { featureParamsFromRange, type FeatureQParams } from '../quant/feature-params.js';
import { quantizeMultiplier, requantize } from '../quant/fixed-point.js';
import { quantizeTensor } from '../quant/quantize-tensor.js';
import { makeTensor, type Tensor } from '../tensor.js';
import { broadcastDims, forEachBroadcast } from './elementwise.js';
import { allocQ, cached, dequantizedCodes, floatMiddle, isFeature, outParams, paramsKey, qTensor, requantizeWide, requantTable, type QArray } from './int-support.js';
import { constTableFits, lutBinaryConstInt } from './int-lut.js';
import { badNode, type Inputs, type IntContext, type OpKernel } from './op.js';

/** How a binary / variadic op combines integers; 'other' = float in the middle. */
export type IntBinaryKind = 'add' | 'sub' | 'mul' | 'max' | 'min' | 'other';

/** A feature operand: codes, dims and parameters. */
interface QOperand {
  q: QArray;
  dims: readonly number[];
  p: FeatureQParams;
}

function outDims(xs: readonly QOperand[], ctx: IntContext): number[] {
  let dims: number[] | null = [...xs[0]!.dims];
  for (const x of xs.slice(1)) {
    const d: number[] | null = dims && broadcastDims(dims, x.dims);
    if (!d) throw badNode(ctx, `input shapes [${dims?.join(',')}] and [${x.dims.join(',')}] do not broadcast`);
    dims = d;
  }
  return dims!;
}

/** out[o] = combine(acc[ia], v[ib]) over the broadcast of (accDims, vDims) → dims; fast path for equal sizes. */
function fold(acc: Int32Array, accDims: readonly number[], v: Int32Array, vDims: readonly number[], dims: readonly number[], combine: (a: number, b: number) => number): Int32Array {
  const n = dims.reduce((p, d) => p * d, 1);
  const out = new Int32Array(n);
  if (acc.length === n && v.length === n) for (let i = 0; i < n; i++) out[i] = combine(acc[i]!, v[i]!);
  else forEachBroadcast(accDims, vDims, dims, (o, ia, ib) => void (out[o] = combine(acc[ia]!, v[ib]!)));
  return out;
}

function mapTable(q: QArray, table: ArrayLike<number>): Int32Array {
  const out = new Int32Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = table[q[i]!]!;
  return out;
}

/**
 * Two inputs whose bit widths add up to at most 16: the whole op is one table of
 * 2^(b_a + b_b) output codes, t[(q_a << b_b) | q_b] = f(q_a, q_b), computed with the same formula
 * (so bit-identical to the element-wise path, only faster). Cached per node and parameters.
 */
function pairTableApply(a: QOperand, b: QOperand, po: FeatureQParams, dims: number[], ctx: IntContext, key: string, f: (qa: number, qb: number) => number): Tensor {
  const table = cached(ctx, `pair:${key}:${paramsKey(a.p)}:${paramsKey(b.p)}>${paramsKey(po)}`, () => {
    const nb = 2 ** b.p.bits;
    const t = allocQ(po, 2 ** a.p.bits * nb);
    for (let qa = 0; qa < 2 ** a.p.bits; qa++) for (let qb = 0; qb < nb; qb++) t[qa * nb + qb] = f(qa, qb);
    return t;
  });
  return applyPairTable(table, a, b, po, dims);
}

/** The all-uint8 equal-size case of {@link applyPairTable} as a monomorphic loop (~1.5–2× faster in V8). */
function pairTableU8(table: Uint8Array, qa: Uint8Array, qb: Uint8Array, out: Uint8Array): void {
  const n = out.length;
  for (let i = 0; i < n; i++) out[i] = table[(qa[i]! << 8) | qb[i]!]!;
}

/** out[o] = table[(q_a << b_b) | q_b] over the broadcast of a and b. */
function applyPairTable(table: QArray, a: QOperand, b: QOperand, po: FeatureQParams, dims: number[]): Tensor {
  const bb = b.p.bits;
  const n = dims.reduce((p, d) => p * d, 1);
  const out = allocQ(po, n);
  const qa = a.q;
  const qb = b.q;
  if (qa.length === n && qb.length === n) {
    if (bb === 8 && table instanceof Uint8Array && qa instanceof Uint8Array && qb instanceof Uint8Array && out instanceof Uint8Array) pairTableU8(table, qa, qb, out);
    else for (let i = 0; i < n; i++) out[i] = table[(qa[i]! << bb) | qb[i]!]!;
  } else forEachBroadcast(a.dims, b.dims, dims, (o, ia, ib) => void (out[o] = table[(qa[ia]! << bb) | qb[ib]!]!));
  return qTensor(po, dims, out);
}

/**
 * Another binary op ('other': Div, Pow, PRelu) of two features of at most 16 bits together: a
 * code-pair table t[(q_a << b_b) | q_b] = quant_out(f(deq(q_a), deq(q_b))) built by running the
 * float kernel once on every pair (equal to the oracle by construction); null when wider.
 */
function otherPairInt<A>(kernel: OpKernel<A>, a: QOperand, b: QOperand, attrs: A, ctx: IntContext): Tensor | null {
  if (a.p.bits + b.p.bits > 16) return null;
  const po = outParams(ctx);
  const table = cached(ctx, `pairf:${paramsKey(a.p)}:${paramsKey(b.p)}>${paramsKey(po)}`, () => {
    const da = dequantizedCodes(a.p);
    const db = dequantizedCodes(b.p);
    const y = kernel.float([makeTensor('float32', [da.length, 1], da), makeTensor('float32', [db.length], db)], attrs, ctx)[0]!;
    return quantizeTensor(y.data as Float32Array, po);
  });
  return applyPairTable(table, a, b, po, outDims([a, b], ctx));
}

/** The TFLite-style left shift for n inputs of at most `bits` bits. */
export function addLeftShift(bits: number, n: number): number {
  return Math.min(20, 32 - bits - Math.ceil(Math.log2(Math.max(2, n))));
}

/** Σ signs[i] · x_i in the output's parameters (file comment, Add / Sub / Sum). */
export function addInt(xs: readonly QOperand[], signs: readonly number[], po: FeatureQParams, ctx: IntContext): Tensor {
  const dims = outDims(xs, ctx);
  const bits = Math.max(...xs.map((x) => x.p.bits));
  const L = addLeftShift(bits, xs.length);
  const twiceMax = 2 * Math.max(...xs.map((x) => x.p.scale));
  const scaled = xs.map((x) =>
    cached(ctx, `add:${L}:${twiceMax}:${paramsKey(x.p)}`, () => {
      const { m, shift } = quantizeMultiplier(x.p.scale / twiceMax);
      const t = new Int32Array(2 ** x.p.bits);
      for (let q = 0; q < t.length; q++) t[q] = requantize((q - x.p.zeroPoint) * 2 ** L, m, shift);
      return t;
    }),
  );
  const { m, shift } = cached(ctx, `addout:${L}:${twiceMax}:${paramsKey(po)}`, () => quantizeMultiplier(twiceMax / (2 ** L * po.scale)));
  const qmax = 2 ** po.bits - 1;
  const zp = po.zeroPoint;
  if (xs.length === 2 && xs[0]!.p.bits + xs[1]!.p.bits <= 16) {
    const [ta, tb] = scaled as [Int32Array, Int32Array];
    const [sa, sb] = signs as [number, number];
    return pairTableApply(xs[0]!, xs[1]!, po, dims, ctx, `add${sa}${sb}`, (qa, qb) => {
      const v = requantize(sa * ta[qa]! + sb * tb[qb]!, m, shift) + zp;
      return v < 0 ? 0 : v > qmax ? qmax : v;
    });
  }
  let acc = mapTable(xs[0]!.q, scaled[0]!);
  if (signs[0]! < 0) for (let i = 0; i < acc.length; i++) acc[i] = -acc[i]!;
  let accDims: readonly number[] = xs[0]!.dims;
  for (let i = 1; i < xs.length; i++) {
    const d = broadcastDims(accDims, xs[i]!.dims)!;
    acc = fold(acc, accDims, mapTable(xs[i]!.q, scaled[i]!), xs[i]!.dims, d, signs[i]! < 0 ? (a, b) => a - b : (a, b) => a + b);
    accDims = d;
  }
  const out = allocQ(po, acc.length);
  for (let i = 0; i < acc.length; i++) {
    const v = requantize(acc[i]!, m, shift) + zp;
    out[i] = v < 0 ? 0 : v > qmax ? qmax : v;
  }
  return qTensor(po, dims, out);
}

/** (q_a − zp_a)(q_b − zp_b) requantized with s_a · s_b / s_out (file comment, Mul). */
export function mulInt(a: QOperand, b: QOperand, po: FeatureQParams, ctx: IntContext): Tensor {
  const dims = outDims([a, b], ctx);
  const n = dims.reduce((p, d) => p * d, 1);
  const { m, shift } = quantizeMultiplier((a.p.scale * b.p.scale) / po.scale);
  const out = allocQ(po, n);
  const qmax = 2 ** po.bits - 1;
  const zpo = po.zeroPoint;
  const za = a.p.zeroPoint;
  const zb = b.p.zeroPoint;
  if (a.p.bits + b.p.bits <= 16) {
    return pairTableApply(a, b, po, dims, ctx, 'mul', (x, y) => {
      const v = requantizeWide((x - za) * (y - zb), m, shift) + zpo;
      return v < 0 ? 0 : v > qmax ? qmax : v;
    });
  }
  const qa = a.q;
  const qb = b.q;
  const body = (o: number, ia: number, ib: number): void => {
    const v = requantizeWide((qa[ia]! - za) * (qb[ib]! - zb), m, shift) + zpo;
    out[o] = v < 0 ? 0 : v > qmax ? qmax : v;
  };
  if (qa.length === n && qb.length === n) for (let i = 0; i < n; i++) body(i, i, i);
  else forEachBroadcast(a.dims, b.dims, dims, body);
  return qTensor(po, dims, out);
}

/** Max / min after requantizing every input to the output's parameters. */
export function maxMinInt(xs: readonly QOperand[], kind: 'max' | 'min', po: FeatureQParams, ctx: IntContext): Tensor {
  const dims = outDims(xs, ctx);
  const pick = kind === 'max' ? (a: number, b: number) => (a > b ? a : b) : (a: number, b: number) => (a < b ? a : b);
  let acc = mapTable(xs[0]!.q, requantTable(xs[0]!.p, po));
  let accDims: readonly number[] = xs[0]!.dims;
  for (let i = 1; i < xs.length; i++) {
    const d = broadcastDims(accDims, xs[i]!.dims)!;
    acc = fold(acc, accDims, mapTable(xs[i]!.q, requantTable(xs[i]!.p, po)), xs[i]!.dims, d, pick);
    accDims = d;
  }
  const out = allocQ(po, acc.length);
  out.set(acc);
  return qTensor(po, dims, out);
}

/** Bit width of a large constant operand quantized with its own parameters (the widest feature width). */
export const CONSTANT_BITS = 16;

/** A constant operand quantized with its own parameters (range of its values, `bits` bits); cached per node. */
function constantOperand(c: Tensor, i: number, bits: number, ctx: IntContext): QOperand {
  return cached(ctx, `const:${i}:${bits}`, () => {
    const d = c.data as Float32Array;
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < d.length; k++) {
      const v = d[k]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const p = featureParamsFromRange(lo, hi, bits);
    return { q: quantizeTensor(d, p), dims: c.dims, p };
  });
}

function combine(kind: IntBinaryKind, xs: QOperand[], po: FeatureQParams, ctx: IntContext): Tensor {
  switch (kind) {
    case 'add':
      return addInt(xs, xs.map(() => 1), po, ctx);
    case 'sub':
      return addInt(xs, xs.map((_x, i) => (i === 0 ? 1 : -1)), po, ctx);
    case 'mul':
      return mulInt(xs[0]!, xs[1]!, po, ctx);
    case 'max':
    case 'min':
      return maxMinInt(xs, kind, po, ctx);
    case 'other':
      throw new Error('unreachable');
  }
}

/** Integer form of a two-input broadcasting op of `kind` (file comment). */
export function binaryInt<A>(kernel: OpKernel<A>, kind: IntBinaryKind, inputs: Inputs, attrs: A, ctx: IntContext): Tensor[] {
  const fa = isFeature(inputs, 0, ctx);
  const fb = isFeature(inputs, 1, ctx);
  if (fa !== fb) {
    const fi = fa ? 0 : 1;
    const c = inputs[1 - fi]!;
    if (c.dtype === 'float32' && constTableFits(c, ctx.inputQuant[fi]!.bits)) return lutBinaryConstInt(kernel, inputs, attrs, ctx, fi);
    if (c.dtype === 'float32' && kind !== 'other') {
      const ops = [0, 1].map((i) => (i === fi ? { q: inputs[i]!.data as QArray, dims: inputs[i]!.dims, p: ctx.inputQuant[i]! } : constantOperand(c, i, CONSTANT_BITS, ctx)));
      return [combine(kind, ops, outParams(ctx), ctx)];
    }
  }
  if (fa && fb) {
    const op = (i: number): QOperand => ({ q: inputs[i]!.data as QArray, dims: inputs[i]!.dims, p: ctx.inputQuant[i]! });
    const [a, b] = [op(0), op(1)];
    if (kind !== 'other') return [combine(kind, [a, b], outParams(ctx), ctx)];
    const t = otherPairInt(kernel, a, b, attrs, ctx);
    if (t) return [t];
  }
  return floatMiddle(kernel, inputs, attrs, ctx);
}

/** Integer form of a variadic op (Sum, Max, Min): all-feature inputs combine in integers, two inputs go through {@link binaryInt}, the rest runs float in the middle. */
export function variadicInt<A>(kernel: OpKernel<A>, kind: 'add' | 'max' | 'min', inputs: Inputs, attrs: A, ctx: IntContext): Tensor[] {
  const present = inputs.map((t, i) => [t, i] as const).filter(([t]) => t !== null);
  if (present.length === 1) {
    const [t, i] = present[0]!;
    const p = ctx.inputQuant[i];
    if (p) return [combine(kind, [{ q: t!.data as QArray, dims: t!.dims, p }], outParams(ctx), ctx)];
  }
  if (present.length === 2 && inputs.length === 2) return binaryInt(kernel, kind, inputs, attrs, ctx);
  if (present.every(([, i]) => isFeature(inputs, i, ctx))) {
    return [combine(kind, present.map(([t, i]) => ({ q: t!.data as QArray, dims: t!.dims, p: ctx.inputQuant[i]! })), outParams(ctx), ctx)];
  }
  return floatMiddle(kernel, inputs, attrs, ctx);
}
