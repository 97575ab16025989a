/**
 * Shared integer-mode glue of the linear operators (Conv, ConvTranspose, Gemm, MatMul;
 * SEMANTICS.md "Conv, ConvTranspose, Gemm, MatMul"): centred inputs, weight codes, int32 biases and
 * per-channel requantization of an exact accumulator to the output's unsigned code.
 */
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { requantizeWide } from '../quant/requantize-wide.js';
import { featureQmax, type FeatureQParams } from '../quant/feature-params.js';
import type { QuantizedWeights } from '../quant/weights.js';
import { roundHalfEven } from '../quant/rounding.js';
import type { Tensor } from '../tensor.js';
import { where, type IntContext } from './op.js';

/** x_q − zp as float32 (exact: |x_q − zp| < 2^16). `x` must hold the codes (uint8/uint16). */
export function centered(x: Tensor, q: FeatureQParams, ctx: IntContext, what = 'input'): Float32Array {
  if (!(x.data instanceof Uint8Array || x.data instanceof Uint16Array)) {
    throw new Error(`${where(ctx)}: integer ${what} must be uint8/uint16 codes, got ${x.dtype}`);
  }
  const d = x.data;
  const out = new Float32Array(d.length);
  const zp = q.zeroPoint;
  for (let i = 0; i < d.length; i++) out[i] = d[i]! - zp;
  return out;
}

/** Weight codes as float32 (exact: |q| < 2^15). */
export function weightCodes(qw: QuantizedWeights): Float32Array {
  return Float32Array.from(qw.q);
}

/** The quantization an integer linear kernel needs, or an internal error naming the node. */
export function linearQuant(ctx: IntContext, wIndex: number | null): { qx: FeatureQParams; qy: FeatureQParams; qw: QuantizedWeights | null } {
  const qx = ctx.inputQuant[0];
  const qy = ctx.outputQuant[0];
  const qw = wIndex === null ? null : (ctx.weightQuant?.[wIndex] ?? null);
  if (!qx || !qy || (wIndex !== null && !qw)) throw new Error(`${where(ctx)}: integer kernel called without input/output/weight quantization`);
  return { qx, qy, qw };
}

/**
 * Integer bias: q_b[c] = round_half_even(v[c] / fround(sAcc[c])), the accumulator scale
 * sAcc[c] (= s_in · s_w[c]) rounded to float32 like onnxruntime's QLinearConv. Saturated to int32
 * when input and weights are both ≤ 8 bits (the int8 scheme); kept exact (an int64 bias, as in
 * TFLite's 16x8 mode) when either is wider, where b / (s_in · s_w) routinely exceeds 2^31.
 */
export function quantizeBiasTo(v: ArrayLike<number>, sAcc: Float64Array, wide: boolean): Float64Array {
  const q = new Float64Array(sAcc.length);
  const lim = wide ? 9007199254740991 : 2147483647;
  for (let c = 0; c < sAcc.length; c++) {
    const r = roundHalfEven(v[c]! / Math.fround(sAcc[c]!));
    q[c] = r > lim ? lim : r < -lim - (wide ? 0 : 1) ? -lim - (wide ? 0 : 1) : r;
  }
  return q;
}

/** Whether a linear op needs the wide (64-bit) bias: feature or weight wider than 8 bits. */
export function wideBias(qx: FeatureQParams, qw: { bits: number } | null): boolean {
  return qx.bits > 8 || (qw !== null && qw.bits > 8);
}

/**
 * Requantizes an exact accumulator laid out [outer, channels, inner] to the output's codes:
 *   y_q = clamp(requantize(acc + q_b[c], m[c], shift[c]) + zp_y, 0, qmax_y)
 * with {m[c], shift[c]} = quantizeMultiplier(sAcc[c] / s_y) (SEMANTICS.md "Requantization").
 */
export function requantizeChannels(acc: Float64Array, outer: number, channels: number, inner: number, sAcc: Float64Array, bias: Float64Array | null, qy: FeatureQParams): Uint8Array | Uint16Array {
  const qmax = featureQmax(qy.bits);
  const out = qy.bits <= 8 ? new Uint8Array(acc.length) : new Uint16Array(acc.length);
  const zp = qy.zeroPoint;
  for (let c = 0; c < channels; c++) {
    const { m, shift } = quantizeMultiplier(sAcc[c]! / qy.scale);
    const b = bias ? bias[c]! : 0;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let i = 0; i < inner; i++) {
        const v = requantizeWide(acc[base + i]! + b, m, shift) + zp;
        out[base + i] = v < 0 ? 0 : v > qmax ? qmax : v;
      }
    }
  }
  return out;
}

/** Accumulator scales s_in · s_w[c] · alpha (double), one per output channel. */
export function accScales(sIn: number, wScales: Float64Array, channels: number, perChannel: (c: number) => number = (c) => c, alpha = 1): Float64Array {
  const s = new Float64Array(channels);
  for (let c = 0; c < channels; c++) s[c] = sIn * wScales[perChannel(c)]! * alpha;
  return s;
}

/** Last {@link convScales} result per weights object (the weights, bias and input scale are constant across runs). */
const convScaleCache = new WeakMap<object, { sIn: number; wScales: Float64Array; m: number; bias: ArrayLike<number> | null; wide: boolean; sAcc: Float64Array; qb: Float64Array | null }>();

/**
 * `accScales(sIn, wScales, m)` and `quantizeBiasTo(bias, sAcc, wide)` of a Conv, reused while the
 * same inputs come back (same weights object, scales array, bias array and input scale); the
 * returned arrays must not be modified.
 */
export function convScales(owner: object, sIn: number, wScales: Float64Array, m: number, bias: ArrayLike<number> | null, wide: boolean): { sAcc: Float64Array; qb: Float64Array | null } {
  const hit = convScaleCache.get(owner);
  if (hit && hit.sIn === sIn && hit.wScales === wScales && hit.m === m && hit.bias === bias && hit.wide === wide) return hit;
  const sAcc = accScales(sIn, wScales, m);
  const qb = bias ? quantizeBiasTo(bias, sAcc, wide) : null;
  convScaleCache.set(owner, { sIn, wScales, m, bias, wide, sAcc, qb });
  return { sAcc, qb };
}
