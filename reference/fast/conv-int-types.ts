/**
 * The integer convolution / matrix-product core shared by the plain-TypeScript oracle
 * (conv-int-oracle.ts) and the WebAssembly fast path (conv-int.ts):
 *
 *   acc[n, oc, oy, ox] = bias[oc] + Σ_{ic < Cg, ky < KH, kx < KW} (x[n, g·Cg + ic, iy, ix] − zx) · w[oc, ic, ky, kx]
 *   g = floor(oc / (M / group)), iy = oy·sh − pt + ky·dh, ix = ox·sw − pl + kx·dw,
 *
 * where positions outside the input (padding) contribute 0 (x = zx there). Activations are
 * unsigned integers (uint8, or uint16 for 9–16-bit features) in NCHW with zero point zx; weights
 * are signed integers (int8 range for ≤ 8-bit weights, up to int16) per output channel, layout
 * [M][Cg][KH][KW]; bias is int32 per output channel (or absent = 0).
 *
 * Accumulator range: the core's value is the exact sum. The fast path computes it with int32
 * wrap-around arithmetic, which is exact whenever the exact sum fits int32 (modular arithmetic);
 * it proves that per layer from the bound |bias[oc]| + max|x − zx| · Σ|w[oc, ·]| ≤ 2^31 − 1 and
 * otherwise hands the layer to the oracle. The oracle sums exactly in doubles and SATURATES a sum
 * outside int32 to [−2^31, 2^31 − 1] (an int32 accumulator register that saturates; with 8-bit
 * data this needs > 65 000 taps per output, so it only arises with 16-bit data or huge biases).
 *
 * Output: requantization per output channel with reference/quant/fixed-point.ts:
 *   q = clamp(requantize(acc, m[oc], shift[oc]) + zpOut, qmin, qmax).
 */

/** Convolution attributes (ONNX Conv, 2-D). */
export interface ConvIntAttrs {
  group: number;
  /** [sh, sw] */
  strides: readonly [number, number];
  /** [dh, dw] */
  dilations: readonly [number, number];
  /** [top, left, bottom, right] (ONNX order x1_begin, x2_begin, x1_end, x2_end). */
  pads: readonly [number, number, number, number];
}

/** One integer convolution. */
export interface ConvIntParams extends ConvIntAttrs {
  /** Activations NCHW, unsigned. */
  x: Uint8Array | Uint16Array;
  /** [N, C, H, W] */
  xShape: readonly [number, number, number, number];
  /** Activation zero point (0 ≤ zx ≤ 65535). */
  zx: number;
  /** Weights [M][C/group][KH][KW], signed integers within int16. */
  w: Int8Array | Int16Array | Int32Array;
  /** [M, C/group, KH, KW] */
  wShape: readonly [number, number, number, number];
  /** int32 bias per output channel, or null. */
  bias: Int32Array | null;
}

/** Resolved geometry of a convolution. */
export interface ConvIntGeom {
  n: number;
  c: number;
  h: number;
  w: number;
  m: number;
  group: number;
  cg: number;
  mg: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  pt: number;
  pl: number;
  pb: number;
  pr: number;
  oh: number;
  ow: number;
}

/** Checks shapes and attributes and computes the output size (throws RangeError on nonsense). */
export function convIntGeom(p: ConvIntParams): ConvIntGeom {
  const [n, c, h, w] = p.xShape;
  const [m, cg, kh, kw] = p.wShape;
  const group = p.group;
  const [sh, sw] = p.strides;
  const [dh, dw] = p.dilations;
  const [pt, pl, pb, pr] = p.pads;
  const ints = [n, c, h, w, m, cg, kh, kw, group, sh, sw, dh, dw, pt, pl, pb, pr];
  for (const v of ints) if (!(Number.isInteger(v) && v >= 0)) throw new RangeError(`conv-int: non-integer or negative size in ${ints.join(',')}`);
  if (group < 1 || c !== cg * group || m % group !== 0 || sh < 1 || sw < 1 || dh < 1 || dw < 1 || kh < 1 || kw < 1) {
    throw new RangeError(`conv-int: inconsistent shapes x ${p.xShape.join('x')} w ${p.wShape.join('x')} group ${group}`);
  }
  const oh = Math.floor((h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1;
  const ow = Math.floor((w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  if (oh < 1 || ow < 1) throw new RangeError(`conv-int: empty output ${oh}x${ow}`);
  if (p.x.length !== n * c * h * w) throw new RangeError(`conv-int: x has ${p.x.length} elements, shape needs ${n * c * h * w}`);
  if (p.w.length !== m * cg * kh * kw) throw new RangeError(`conv-int: w has ${p.w.length} elements, shape needs ${m * cg * kh * kw}`);
  if (p.bias && p.bias.length !== m) throw new RangeError(`conv-int: bias has ${p.bias.length} elements, expected ${m}`);
  return { n, c, h, w, m, group, cg, mg: m / group, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oh, ow };
}

/** acc = bias[n] + Σ_k (a[m, k] − za) · b[k, n]: A activations [M][K], B weights [K][N] (or [N][K] with `bTransposed`). */
export interface MatMulIntParams {
  a: Uint8Array | Uint16Array;
  za: number;
  b: Int8Array | Int16Array | Int32Array;
  m: number;
  k: number;
  n: number;
  bTransposed?: boolean;
  bias: Int32Array | null;
}

/** Per-output-channel requantization parameters. */
export interface RequantParams {
  /** Fixed-point multipliers (reference/quant quantizeMultiplier `m`), one per channel. */
  multipliers: ArrayLike<number>;
  /** Shifts (`shift`), one per channel. */
  shifts: ArrayLike<number>;
  zpOut: number;
  qmin: number;
  qmax: number;
  /** 8 → Uint8Array output, 16 → Uint16Array. */
  bits: 8 | 16;
}

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;
