/**
 * Feature (activation) quantization parameters: asymmetric, per tensor, unsigned
 * (SEMANTICS.md "Feature quantization", "Range handling").
 *   q = clamp(round_half_even(x / scale) + zeroPoint, 0, qmax),  qmax = 2^bits − 1
 *   x ≈ (q − zeroPoint) · scale
 * Scales are float32-representable so that an ONNX QuantizeLinear built from them is exact.
 */
import type { DType } from '../../src/tensor/dtype.js';
import { roundClamp } from './rounding.js';

export const MIN_QUANT_BITS = 4;
export const MAX_QUANT_BITS = 16;

/** Quantization parameters of one feature tensor. */
export interface FeatureQParams {
  /** Real value of one integer step (float32-representable, > 0). */
  scale: number;
  /** Integer that stands for real 0, in [0, qmax]. */
  zeroPoint: number;
  /** Bit width, 4..16. */
  bits: number;
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < MIN_QUANT_BITS || bits > MAX_QUANT_BITS) {
    throw new RangeError(`bit width ${bits} outside ${MIN_QUANT_BITS}..${MAX_QUANT_BITS}`);
  }
}

/** Largest unsigned feature value for `bits`: 2^bits − 1. */
export function featureQmax(bits: number): number {
  checkBits(bits);
  return 2 ** bits - 1;
}

/** In-memory / `ptq_model/` element type: uint8 for ≤ 8 bits, uint16 for 9..16. */
export function featureStorageDType(bits: number): 'uint8' | 'uint16' {
  checkBits(bits);
  return bits <= 8 ? 'uint8' : 'uint16';
}

/** Element type of a dump file: 4-bit features are dumped packed (two per byte, high nibble first). */
export function featureDumpDType(bits: number): DType {
  checkBits(bits);
  return bits <= 4 ? 'uint4' : featureStorageDType(bits);
}

/**
 * Parameters covering [min, max]. The range is first widened to include 0 (so that real 0 — padding,
 * ReLU output — is exact); then scale = fround((hi − lo) / qmax) and
 * zeroPoint = clamp(round_half_even(−lo / scale), 0, qmax). A degenerate range (hi = lo = 0) gets
 * scale 1, zeroPoint 0. Non-finite bounds are a RangeError.
 */
export function featureParamsFromRange(min: number, max: number, bits: number): FeatureQParams {
  const qmax = featureQmax(bits);
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new RangeError(`feature range [${min}, ${max}] is not a finite interval`);
  }
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  if (hi - lo === 0) return { scale: 1, zeroPoint: 0, bits };
  let scale = Math.fround((hi - lo) / qmax);
  if (scale === 0) scale = 1.1754943508222875e-38; // smallest normal float32
  const zeroPoint = roundClamp(-lo / scale, 0, qmax);
  return { scale, zeroPoint, bits };
}

/** The real interval the parameters represent: [−zp·scale, (qmax − zp)·scale]. */
export function representableRange(p: FeatureQParams): { min: number; max: number } {
  const qmax = 2 ** p.bits - 1;
  return { min: -p.zeroPoint * p.scale, max: (qmax - p.zeroPoint) * p.scale };
}
