/**
 * Float → integer rounding shared by every quantizer (SEMANTICS.md "Float → int rounding").
 * Round half to even, like ONNX QuantizeLinear (and C's nearbyint in the default mode).
 */

/**
 * Rounds to the nearest integer, ties to the even neighbour: 0.5 → 0, 1.5 → 2, -2.5 → -2.
 * Exact for every double (x − floor(x) is exact for |x| < 2^52; larger doubles are integers).
 * NaN stays NaN.
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f + 0; // + 0 turns -0 into 0
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Clamps `x` to [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Rounds half to even and saturates to [lo, hi]; NaN maps to `lo`. */
export function roundClamp(x: number, lo: number, hi: number): number {
  if (!(x === x)) return lo;
  const r = roundHalfEven(x);
  return r < lo ? lo : r > hi ? hi : r;
}
