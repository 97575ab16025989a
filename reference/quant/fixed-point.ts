/**
 * Requantization by a fixed-point multiplier and shift (SEMANTICS.md "Requantization"), the
 * scheme of gemmlowp / TensorFlow Lite (Jacob et al. 2018, "Quantization and Training of Neural
 * Networks for Efficient Integer-Arithmetic-Only Inference", §2.2): a real multiplier in (0, 2^31)
 * is written as m · 2^-(31+shift) with an int32 m in [2^30, 2^31).
 *
 * ONE rounding rule: requantize(acc, m, shift) is acc·m / 2^(31+shift) rounded to the nearest
 * integer, ties AWAY from zero (the rule of gemmlowp's SaturatingRoundingDoublingHighMul and
 * RoundingDivideByPOT, applied once to the exact product rather than in two steps), saturated to
 * int32. The product is computed exactly in doubles (16-bit halves), no BigInt on this path.
 */

const TWO_16 = 65536;
const TWO_32 = 4294967296;
const TWO_52 = 4503599627370496;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
/** POW2[k] = 2^k for k = 0..64 (exact doubles; avoids Math.pow on the hot path). */
const POW2 = Float64Array.from({ length: 65 }, (_, k) => 2 ** k);

/** A real multiplier as m · 2^-(31+shift). */
export interface QuantizedMultiplier {
  /** int32 in [2^30, 2^31), or 0 for a zero multiplier. */
  m: number;
  /** Right shift beyond 31 bits; negative for multipliers ≥ 1 (at least -31). */
  shift: number;
}

/**
 * Splits `real` (0 ≤ real < 2^31) into m · 2^-(31+shift), m = round(q · 2^31) where
 * real = q · 2^e, q ∈ [0.5, 1) (TFLite QuantizeMultiplier; shift = -e). Relative error ≤ 2^-31.
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (!Number.isFinite(real) || real < 0 || real >= 2147483648) {
    throw new RangeError(`quantizeMultiplier: multiplier ${real} must be finite and in [0, 2^31)`);
  }
  if (real === 0) return { m: 0, shift: 0 };
  let e = Math.floor(Math.log2(real)) + 1;
  let q = real / Math.pow(2, e);
  while (q >= 1) {
    q /= 2;
    e++;
  }
  while (q < 0.5) {
    q *= 2;
    e--;
  }
  let m = Math.round(q * 2147483648); // q·2^31 is exact; positive, so Math.round is half away from zero
  if (m === 2147483648) {
    m = 1073741824;
    e++;
  }
  return { m, shift: 0 - e };
}

/** The real value m · 2^-(31+shift) a quantized multiplier stands for. */
export function multiplierValue(qm: QuantizedMultiplier): number {
  return qm.m * Math.pow(2, -(31 + qm.shift));
}

/**
 * acc · m / 2^(31+shift), rounded half away from zero, saturated to int32.
 * @param acc integer accumulator, |acc| ≤ 2^31 (an int32 sum)
 * @param m multiplier from {@link quantizeMultiplier}, 0 ≤ m < 2^31
 * @param shift from {@link quantizeMultiplier}, ≥ -31
 */
export function requantize(acc: number, m: number, shift: number): number {
  const r = 31 + shift;
  if (acc === 0 || m === 0 || r > 63) return 0;
  const neg = acc < 0;
  const a = neg ? -acc : acc;
  let mag: number;
  const p = a * m;
  if (p < TWO_52) {
    // Exact: p < 2^52 and p + 2^(r-1) < 2^53 when r ≤ 53; when r > 53 the result is 0.
    if (r === 0) mag = p;
    else if (r > 53) mag = 0;
    else {
      mag = Math.floor((p + POW2[r - 1]!) / POW2[r]!);
    }
  } else {
    // p = a·m < 2^62: split m into 16-bit halves and carry by hand into (ph, pl), p = ph·2^32 + pl.
    const mh = Math.floor(m / TWO_16);
    const ml = m - mh * TWO_16;
    const lo = a * ml; // < 2^47
    const hi = a * mh; // < 2^46
    const loH = Math.floor(lo / TWO_32);
    const loL = lo - loH * TWO_32;
    const hiH = Math.floor(hi / TWO_16);
    const hiL = hi - hiH * TWO_16;
    let pl = loL + hiL * TWO_16; // < 2^33
    let carry = Math.floor(pl / TWO_32);
    pl -= carry * TWO_32;
    let ph = loH + hiH + carry; // < 2^30
    if (r === 0) {
      mag = ph * TWO_32 + pl; // ≥ 2^52: saturates below
    } else {
      if (r - 1 >= 32) ph += POW2[r - 33]!;
      else {
        pl += POW2[r - 1]!;
        carry = Math.floor(pl / TWO_32);
        pl -= carry * TWO_32;
        ph += carry;
      }
      mag = r >= 32 ? Math.floor(ph / POW2[r - 32]!) : ph * POW2[32 - r]! + Math.floor(pl / POW2[r]!);
    }
  }
  const v = neg ? 0 - mag : mag;
  return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
}

/**
 * Requantizes a whole accumulator buffer with one multiplier, adds `zeroPoint` and clamps to
 * [qmin, qmax]: out[i] = clamp(requantize(acc[i], m, shift) + zeroPoint, qmin, qmax).
 */
export function requantizeInto(
  acc: Int32Array,
  qm: QuantizedMultiplier,
  zeroPoint: number,
  qmin: number,
  qmax: number,
  out: Uint8Array | Uint16Array | Int32Array,
): void {
  for (let i = 0; i < acc.length; i++) {
    const v = requantize(acc[i]!, qm.m, qm.shift) + zeroPoint;
    out[i] = v < qmin ? qmin : v > qmax ? qmax : v;
  }
}
