/**
 * Requantization of a wide (64-bit) accumulator with the one rounding rule of
 * {@link requantize} (SEMANTICS.md "Requantization"): acc · m / 2^(31+shift), rounded to
 * nearest with ties away from zero, saturated to int32. Features wider than 8 bits with wide
 * kernels can accumulate past int32 (16-bit features × 8-bit weights × 576 taps ≈ 2^32.2); those
 * sums are kept exact (doubles hold integers < 2^53 exactly) and take this path.
 */
import { requantize } from './fixed-point.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const TWO_31 = 2147483648;

/**
 * @param acc exact integer accumulator, |acc| < 2^53
 * @param m multiplier from quantizeMultiplier, 0 ≤ m < 2^31
 * @param shift from quantizeMultiplier, ≥ −31
 */
export function requantizeWide(acc: number, m: number, shift: number): number {
  if (acc >= -TWO_31 && acc <= TWO_31) return requantize(acc, m, shift);
  const r = 31 + shift;
  if (m === 0 || r > 126) return 0;
  const neg = acc < 0;
  const p = BigInt(neg ? -acc : acc) * BigInt(m);
  const mag = r === 0 ? p : (p + (1n << BigInt(r - 1))) >> BigInt(r);
  const v = Number(neg ? -mag : mag);
  return v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v;
}
