/**
 * Shared glue of the integer kernels (SEMANTICS.md "Element-wise, lookup-table and data-movement
 * operators"): reading feature inputs with their parameters, output allocation, per-node lookup
 * table cache, requantization of a whole tensor from one set of parameters to another, and the
 * "float in the middle" fallback.
 *
 * Feature tensors are uint8 (≤ 8 bits) or uint16 (9..16 bits) arrays of codes q in [0, 2^bits − 1]
 * standing for (q − zeroPoint) · scale.
 */
import type { OnnxNode } from '../../src/onnx/types.js';
import { featureStorageDType, type FeatureQParams } from '../quant/feature-params.js';
import { quantizeMultiplier, requantize } from '../quant/fixed-point.js';
import { dequantizeTensor, quantizeTensor } from '../quant/quantize-tensor.js';
import { allocData, makeTensor, type Tensor } from '../tensor.js';
import { req, type Inputs, type IntContext, type OpContext, type OpKernel } from './op.js';

/** Codes of a feature tensor. */
export type QArray = Uint8Array | Uint16Array;

/** A feature input: its codes and parameters. */
export interface QInput {
  t: Tensor;
  q: QArray;
  p: FeatureQParams;
}

/** A kernel called in integer mode without the quantization it needs: an executor bug, not user input. */
function internal(ctx: OpContext, what: string): Error {
  return new Error(`integer ${ctx.node.opType} node "${ctx.node.name}": ${what}`);
}

/** Feature input `i` with its parameters; checks that its storage type matches the bit width. */
export function featureIn(inputs: Inputs, i: number, ctx: IntContext): QInput {
  const t = req(inputs, i, ctx);
  const p = ctx.inputQuant[i];
  if (!p) throw internal(ctx, `input ${i} is not a quantized feature tensor`);
  if (t.dtype !== featureStorageDType(p.bits)) throw internal(ctx, `input ${i} is ${t.dtype}, its ${p.bits}-bit parameters need ${featureStorageDType(p.bits)}`);
  return { t, q: t.data as QArray, p };
}

/** Parameters of output `k`. */
export function outParams(ctx: IntContext, k = 0): FeatureQParams {
  const p = ctx.outputQuant[k];
  if (!p) throw internal(ctx, `output ${k} has no quantization parameters`);
  return p;
}

/** Whether input `i` is a quantized feature (non-null parameters and a present tensor). */
export function isFeature(inputs: Inputs, i: number, ctx: IntContext): boolean {
  return inputs[i] != null && ctx.inputQuant[i] != null;
}

export function sameParams(a: FeatureQParams, b: FeatureQParams): boolean {
  return a.scale === b.scale && a.zeroPoint === b.zeroPoint && a.bits === b.bits;
}

/** Cache key of a parameter set. */
export function paramsKey(p: FeatureQParams): string {
  return `${p.scale}/${p.zeroPoint}/${p.bits}`;
}

/** An empty feature tensor for `p`. */
export function allocQ(p: FeatureQParams, n: number): QArray {
  return allocData(featureStorageDType(p.bits), n) as QArray;
}

/** Wraps codes as a tensor of the storage dtype of `p`. */
export function qTensor(p: FeatureQParams, dims: readonly number[], q: QArray): Tensor {
  return makeTensor(featureStorageDType(p.bits), dims, q);
}

/** Entries kept per node (tables for that many parameter sets). */
const MAX_PER_NODE = 32;

/** Per-node caches: built once per (node, parameters), kept as long as the node object (the plan) lives. */
const CACHE = new WeakMap<OnnxNode, Map<string, unknown>>();

/** The cached value for (`ctx.node`, `key`), built by `build` on first use. */
export function cached<T>(ctx: OpContext, key: string, build: () => T): T {
  let m = CACHE.get(ctx.node);
  if (!m) {
    m = new Map();
    CACHE.set(ctx.node, m);
  }
  let v = m.get(key) as T | undefined;
  if (v === undefined) {
    v = build();
    if (m.size >= MAX_PER_NODE) m.clear(); // parameters changed many times (e.g. a sweep): start over
    m.set(key, v);
  }
  return v;
}

/** Process-wide cache of requantization tables, keyed by both parameter sets (they do not depend on the node). */
const REQ_TABLES = new Map<string, QArray>();

/**
 * Requantization table from `pin` to `pout`: t[q] = clamp(requantize(q − zp_in, m, shift) + zp_out,
 * 0, qmax_out) with (m, shift) = quantizeMultiplier(s_in / s_out) (SEMANTICS.md "Requantization").
 * A table of 2^bits_in entries, so requantizing a tensor is one lookup per element.
 */
export function requantTable(pin: FeatureQParams, pout: FeatureQParams): QArray {
  const key = `${paramsKey(pin)}>${paramsKey(pout)}`;
  let t = REQ_TABLES.get(key);
  if (!t) {
    const n = 2 ** pin.bits;
    const qmax = 2 ** pout.bits - 1;
    const { m, shift } = quantizeMultiplier(pin.scale / pout.scale);
    t = allocQ(pout, n);
    for (let q = 0; q < n; q++) {
      const v = requantize(q - pin.zeroPoint, m, shift) + pout.zeroPoint;
      t[q] = v < 0 ? 0 : v > qmax ? qmax : v;
    }
    if (REQ_TABLES.size >= 256) REQ_TABLES.clear(); // ≤ 256 tables of ≤ 128 KiB
    REQ_TABLES.set(key, t);
  }
  return t;
}

/** out[i] = table[q[i]] (no allocation when `out` is given). */
export function applyTable(q: QArray, table: ArrayLike<number>, out: QArray): QArray {
  if (q instanceof Uint8Array && table instanceof Uint8Array && out instanceof Uint8Array) return applyTableU8(q, table, out);
  for (let i = 0; i < q.length; i++) out[i] = table[q[i]!]!;
  return out;
}

/** The all-uint8 case of {@link applyTable} as a monomorphic loop (V8 inlines the element accesses). */
function applyTableU8(q: Uint8Array, table: Uint8Array, out: Uint8Array): Uint8Array {
  const n = q.length;
  for (let i = 0; i < n; i++) out[i] = table[q[i]!]!;
  return out;
}

/** A feature tensor brought from `pin` to `pout` (the same tensor when the parameters are equal). */
export function requantizeFeature(t: Tensor, pin: FeatureQParams, pout: FeatureQParams): Tensor {
  if (sameParams(pin, pout)) return t;
  const q = t.data as QArray;
  return qTensor(pout, t.dims, applyTable(q, requantTable(pin, pout), allocQ(pout, q.length)));
}

/** The real value of every code 0..2^bits − 1 (float32, the dequantizer's arithmetic). */
export function dequantizedCodes(p: FeatureQParams): Float32Array {
  const n = 2 ** p.bits;
  const codes = new Float32Array(n);
  for (let q = 0; q < n; q++) codes[q] = q;
  return dequantizeTensor(codes, p);
}

/**
 * "Float in the middle" (labelled as such in SEMANTICS.md): feature inputs are dequantized, the
 * float kernel runs, float outputs are quantized with the output parameters. Non-feature inputs
 * (constants, int64 shapes) are passed unchanged.
 */
export function floatMiddle<A>(kernel: OpKernel<A>, inputs: Inputs, attrs: A, ctx: IntContext): Tensor[] {
  const fin = inputs.map((t, i) => {
    const p = ctx.inputQuant[i];
    return t && p ? makeTensor('float32', t.dims, dequantizeTensor(t.data as QArray, p)) : t;
  });
  return kernel.float(fin, attrs, ctx).map((y, k) => {
    const p = ctx.outputQuant[k];
    if (!p || y.dtype !== 'float32') return y;
    return qTensor(p, y.dims, quantizeTensor(y.data as Float32Array, p));
  });
}

/** Requantizes a (float-kernel-moved) output from input 0's parameters to output k's. */
export function movedOutputs(outs: Tensor[], pin: FeatureQParams, ctx: IntContext): Tensor[] {
  return outs.map((y, k) => requantizeFeature(y, pin, outParams(ctx, k)));
}

const INT32_LIMIT = 2147483648;

/** Wide-accumulator requantization (one implementation, shared with the linear kernels). */
export { requantizeWide } from '../quant/requantize-wide.js';

/**
 * `k` whose `int` needs input 0 to be a quantized feature; when the driver calls it without one
 * (a constant or unquantized input 0 with a quantized output), it runs float in the middle instead.
 */
export function featureInput0<A>(k: OpKernel<A>): OpKernel<A> {
  const int = k.int;
  if (!int) return k;
  return { ...k, int: (inputs, attrs, ctx) => (inputs[0] && ctx.inputQuant[0] ? int(inputs, attrs, ctx) : floatMiddle(k, inputs, attrs, ctx)) };
}
