/**
 * Integer Softmax (SEMANTICS.md "Softmax"): per row of `len` codes,
 *   m    = max q                              (the row's largest code)
 *   E[d] = round_half_even(exp(−d · s_in) · 2^24),  d = m − q ∈ [0, 2^b_in − 1]   (table, built once)
 *   S    = Σ E[m − q_k]                        (exact integer sum; wider than int32 for rows > 127)
 *   q_k  = clamp(requantize(E[m − q_k], M) + zp_out, 0, qmax_out),  M = quantizeMultiplier(1 / (S · s_out))
 * The row's reciprocal multiplier is derived from the integer sum in double and rounded to the
 * fixed-point form every other requantization uses (a chip would run a Newton reciprocal; TFLite's
 * `GetReciprocal`); everything per element is integer. Subtracting the max makes E[0] = 2^24 the
 * largest term, so small probabilities keep 2^-24 absolute precision.
 * In the spirit of TFLite's quantized Softmax (kernels/internal/reference/softmax.h: max-subtracted
 * fixed-point exp, integer sum, reciprocal) with a table instead of gemmlowp's exp polynomial.
 */
import type { FeatureQParams } from '../quant/feature-params.js';
import { quantizeMultiplier, requantize } from '../quant/fixed-point.js';
import { roundHalfEven } from '../quant/rounding.js';
import type { QArray } from './int-support.js';

/** Fraction bits of the exp table. */
export const SOFTMAX_EXP_BITS = 24;

/** E[d] = round_half_even(exp(−d · s_in) · 2^24) for d = 0 .. 2^bits − 1. */
export function softmaxExpTable(pin: FeatureQParams): Int32Array {
  const t = new Int32Array(2 ** pin.bits);
  const one = 2 ** SOFTMAX_EXP_BITS;
  for (let d = 0; d < t.length; d++) t[d] = roundHalfEven(Math.exp(-d * pin.scale) * one);
  return t;
}

/** Softmax of codes over `len` elements spaced `inner` apart, for `outer` × `inner` rows. */
export function softmaxIntImpl(q: QArray, outer: number, len: number, inner: number, expTable: Int32Array, pout: FeatureQParams, out: QArray): QArray {
  const qmax = 2 ** pout.bits - 1;
  const zp = pout.zeroPoint;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let mx = 0;
      for (let k = 0; k < len; k++) if (q[base + k * inner]! > mx) mx = q[base + k * inner]!;
      let sum = 0;
      for (let k = 0; k < len; k++) sum += expTable[mx - q[base + k * inner]!]!;
      const { m, shift } = quantizeMultiplier(1 / (sum * pout.scale));
      for (let k = 0; k < len; k++) {
        const v = requantize(expTable[mx - q[base + k * inner]!]!, m, shift) + zp;
        out[base + k * inner] = v < 0 ? 0 : v > qmax ? qmax : v;
      }
    }
  }
  return out;
}
