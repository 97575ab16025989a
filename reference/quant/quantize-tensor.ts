/**
 * Feature tensors float ⇄ integer (SEMANTICS.md "Feature quantization", "Float → int rounding").
 * Arithmetic is float32 like onnxruntime's QuantizeLinear / DequantizeLinear: x / scale is rounded
 * to float32 before rounding to an integer, (q − zp) · scale is rounded to float32.
 */
import { featureQmax, type FeatureQParams } from './feature-params.js';
import { roundHalfEven } from './rounding.js';

/** Quantizes one value: clamp(round_half_even(fround(x / scale)) + zp, 0, qmax); NaN → 0. */
export function quantizeValue(x: number, p: FeatureQParams): number {
  const qmax = 2 ** p.bits - 1;
  const v = Math.fround(x / p.scale);
  if (!(v === v)) return 0;
  const q = roundHalfEven(v) + p.zeroPoint;
  return q < 0 ? 0 : q > qmax ? qmax : q;
}

/**
 * Quantizes a float tensor (any layout; element order is kept). Returns Uint8Array for ≤ 8 bits,
 * Uint16Array for 9..16 bits. `out` may be given to avoid an allocation.
 */
export function quantizeTensor(x: ArrayLike<number>, p: FeatureQParams, out?: Uint8Array | Uint16Array): Uint8Array | Uint16Array {
  const qmax = featureQmax(p.bits);
  const q = out ?? (p.bits <= 8 ? new Uint8Array(x.length) : new Uint16Array(x.length));
  const s = p.scale;
  const zp = p.zeroPoint;
  for (let i = 0; i < x.length; i++) {
    const v = Math.fround(x[i]! / s);
    let r: number;
    if (!(v === v)) r = 0;
    else {
      // round half to even, inlined
      const f = Math.floor(v);
      const d = v - f;
      r = (d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1) + zp;
      r = r < 0 ? 0 : r > qmax ? qmax : r;
    }
    q[i] = r;
  }
  return q;
}

/** Dequantizes: fround((q − zp) · scale), element order kept. */
export function dequantizeTensor(q: ArrayLike<number>, p: FeatureQParams, out?: Float32Array): Float32Array {
  const y = out ?? new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) y[i] = (q[i]! - p.zeroPoint) * p.scale;
  return y;
}

/** Quantize then dequantize ("fake quantization"): the float value the integer stands for. */
export function fakeQuantize(x: ArrayLike<number>, p: FeatureQParams): Float32Array {
  return dequantizeTensor(quantizeTensor(x, p), p);
}

/**
 * Packs 4-bit values (0..15) two per byte, high nibble first: byte i = v[2i] << 4 | v[2i+1]
 * (FORMATS.md §1). An odd count leaves the last low nibble 0.
 */
export function packUint4(q: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(q.length / 2));
  for (let i = 0; i < q.length; i++) {
    const v = q[i]!;
    if (!(v >= 0 && v <= 15 && Number.isInteger(v))) throw new RangeError(`packUint4: value ${v} at ${i} is not in 0..15`);
    out[i >> 1]! |= i & 1 ? v : v << 4;
  }
  return out;
}

/** Inverse of {@link packUint4}: `count` values. */
export function unpackUint4(bytes: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const b = bytes[i >> 1]!;
    out[i] = i & 1 ? b & 0x0f : b >> 4;
  }
  return out;
}
