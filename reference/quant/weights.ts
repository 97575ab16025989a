/**
 * Weights and biases (SEMANTICS.md "Weights", "Biases"): weights symmetric per output channel,
 * signed b-bit range [−(2^(b−1) − 1), 2^(b−1) − 1] (the most negative code is unused so the range is
 * symmetric); biases int32 with scale s_in · s_w[c].
 */
import { admmSymmetricScale } from './admm.js';
import { roundHalfEven } from './rounding.js';
import { MAX_QUANT_BITS, MIN_QUANT_BITS } from './feature-params.js';

export type WeightMethod = 'MAX_ABS' | 'ADMM';

export interface QuantizedWeights {
  /** Integer weights, same layout and length as the float tensor. */
  q: Int32Array;
  /** One scale per output channel (float32-representable, > 0); w ≈ q · scales[c]. */
  scales: Float64Array;
  /** The output-channel axis of `dims`. */
  axis: number;
  bits: number;
}

/** Largest weight code for `bits`: 2^(bits−1) − 1. */
export function weightQmax(bits: number): number {
  if (!Number.isInteger(bits) || bits < MIN_QUANT_BITS || bits > MAX_QUANT_BITS) {
    throw new RangeError(`weight bit width ${bits} outside ${MIN_QUANT_BITS}..${MAX_QUANT_BITS}`);
  }
  return 2 ** (bits - 1) - 1;
}

/**
 * Quantizes a weight tensor per output channel.
 * @param w float weights, row-major over `dims`
 * @param dims shape, e.g. Conv [M, C/group, kH, kW] (axis 0), ConvTranspose [C, M/group, kH, kW]
 *   (axis 1), Gemm transB=1 [N, K] (axis 0), MatMul / Gemm transB=0 [K, N] (axis 1)
 * @param axis the output-channel axis (default 0)
 * A channel of zeros gets scale 1 (all codes 0).
 */
export function quantizeWeights(w: Float32Array, dims: readonly number[], bits: number, method: WeightMethod, axis = 0): QuantizedWeights {
  const qm = weightQmax(bits);
  if (!(axis >= 0 && axis < dims.length)) throw new RangeError(`weight axis ${axis} outside shape [${dims.join(',')}]`);
  const size = dims.reduce((a, b) => a * b, 1);
  if (size !== w.length) throw new RangeError(`weights have ${w.length} values, shape [${dims.join(',')}] needs ${size}`);
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const scales = new Float64Array(channels);
  const q = new Int32Array(w.length);
  const gather = (c: number): Float32Array => {
    const v = new Float32Array(outer * inner);
    for (let o = 0; o < outer; o++) v.set(w.subarray((o * channels + c) * inner, (o * channels + c + 1) * inner), o * inner);
    return v;
  };
  for (let c = 0; c < channels; c++) {
    const v = gather(c);
    let s: number;
    if (method === 'ADMM') s = admmSymmetricScale(v, qm);
    else {
      let absMax = 0;
      for (let k = 0; k < v.length; k++) absMax = Math.max(absMax, Math.abs(v[k]!));
      s = absMax === 0 ? 1 : Math.fround(absMax / qm);
    }
    scales[c] = s;
    for (let o = 0; o < outer; o++) {
      const base = (o * channels + c) * inner;
      for (let k = 0; k < inner; k++) {
        const r = roundHalfEven(w[base + k]! / s);
        q[base + k] = r < -qm ? -qm : r > qm ? qm : r;
      }
    }
  }
  return { q, scales, axis, bits };
}

/** Dequantized weights q · scales[c] (float32), same layout. */
export function dequantizeWeights(qw: QuantizedWeights, dims: readonly number[]): Float32Array {
  const channels = dims[qw.axis]!;
  const inner = dims.slice(qw.axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(qw.q.length);
  for (let i = 0; i < out.length; i++) out[i] = qw.q[i]! * qw.scales[Math.floor(i / inner) % channels]!;
  return out;
}

export interface QuantizedBias {
  q: Int32Array;
  /** Per channel: fround(inputScale · weightScales[c]). */
  scales: Float64Array;
  /** How many values saturated at the int32 limits. */
  saturated: number;
}

/**
 * Quantizes a bias (one value per output channel) to int32: q[c] = round_half_even(b[c] / (s_in · s_w[c])),
 * saturated to int32. The scale product is rounded to float32 like onnxruntime's QLinearConv.
 */
export function quantizeBias(b: Float32Array, inputScale: number, weightScales: Float64Array): QuantizedBias {
  if (b.length !== weightScales.length) throw new RangeError(`bias has ${b.length} values, weights have ${weightScales.length} channels`);
  const q = new Int32Array(b.length);
  const scales = new Float64Array(b.length);
  let saturated = 0;
  for (let c = 0; c < b.length; c++) {
    const s = Math.fround(inputScale * weightScales[c]!);
    scales[c] = s;
    let r = roundHalfEven(b[c]! / s);
    if (r > 2147483647) {
      r = 2147483647;
      saturated++;
    } else if (r < -2147483648) {
      r = -2147483648;
      saturated++;
    }
    q[c] = r;
  }
  return { q, scales, saturated };
}
