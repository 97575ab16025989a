/**
 * ADMM-style quantizer fitting (SEMANTICS.md "ADMM").
 * Source: Cong Leng, Hao Li, Shenghuo Zhu, Rong Jin, "Extremely Low Bit Neural Network: Squeeze the
 * Last Bit Out with ADMM", AAAI 2018. Their ADMM splits training into a loss step and a projection
 * of the weights onto the quantized set {α·q}; the projection is solved by alternating
 *   fix α: q = Π(v/α) (round to the nearest level, clamp)   —   fix q: α = ⟨v, q⟩ / ⟨q, q⟩.
 * Post-training there is no loss step, so what we implement is exactly that projection: the
 * alternating scale / integer update, started from the MAX_ABS scale, iterated until the integer
 * assignment stops changing (at most 100 rounds), keeping the best iterate by squared error.
 */
import { featureParamsFromRange, type FeatureQParams } from './feature-params.js';
import { binMasses, expectedMse } from './expected-error.js';
import type { TensorHistogram } from './histogram.js';
import { roundHalfEven } from './rounding.js';

const MAX_ROUNDS = 100;

/**
 * Symmetric per-channel fit of one weight channel: v ≈ s·q, q ∈ [−qm, qm] integers.
 * Returns the scale (float32-representable) minimising Σ(v − s·q)² among the iterates.
 */
export function admmSymmetricScale(v: ArrayLike<number>, qm: number): number {
  let absMax = 0;
  for (let k = 0; k < v.length; k++) absMax = Math.max(absMax, Math.abs(v[k]!));
  if (absMax === 0) return 1;
  let s = Math.fround(absMax / qm);
  const err = (sc: number): number => {
    let e = 0;
    for (let k = 0; k < v.length; k++) {
      let q = roundHalfEven(v[k]! / sc);
      q = q < -qm ? -qm : q > qm ? qm : q;
      const d = v[k]! - sc * q;
      e += d * d;
    }
    return e;
  };
  let best = s;
  let bestErr = err(s);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let num = 0;
    let den = 0;
    for (let k = 0; k < v.length; k++) {
      let q = roundHalfEven(v[k]! / s);
      q = q < -qm ? -qm : q > qm ? qm : q;
      num += v[k]! * q;
      den += q * q;
    }
    if (den === 0) break;
    const next = Math.fround(num / den);
    if (!(next > 0) || next === s) break;
    s = next;
    const e = err(s);
    if (e < bestErr) {
      bestErr = e;
      best = s;
    } else if (e === bestErr) break;
  }
  return best;
}

/**
 * Asymmetric fit of a feature tensor's histogram: x ≈ s·(q − zp), q ∈ [0, qmax]. The integer
 * update uses the bin centres weighted by their counts; the scale/offset update is the weighted
 * least-squares line through (q, x), with zp rounded to an integer and clamped, and s re-fitted
 * for that zp. Iterates are compared by the exact expected MSE over the histogram
 * (expected-error.ts), so the result is never worse than MAX_ABS.
 */
export function admmFeatureParams(h: TensorHistogram, bits: number): FeatureQParams {
  const lo = Math.min(h.min, 0);
  const hi = Math.max(h.max, 0);
  const start = featureParamsFromRange(h.count === 0 ? 0 : lo, h.count === 0 ? 0 : hi, bits);
  if (h.count === 0 || hi - lo === 0) return start;
  const m = binMasses(h);
  const qmax = 2 ** bits - 1;
  const nb = m.count.length;
  const x = new Float64Array(nb);
  for (let j = 0; j < nb; j++) x[j] = (m.a[j]! + m.b[j]!) / 2;
  let cur = start;
  let best = start;
  let bestErr = expectedMse(m, start);
  let prevQ: Int32Array | null = null;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    // Integer update: project onto the levels.
    const q = new Int32Array(nb);
    for (let j = 0; j < nb; j++) {
      const r = roundHalfEven(x[j]! / cur.scale) + cur.zeroPoint;
      q[j] = r < 0 ? 0 : r > qmax ? qmax : r;
    }
    if (prevQ && q.every((v, j) => v === prevQ![j])) break;
    prevQ = q;
    // Scale / offset update: weighted least squares x ≈ s·q + b, then zp = round(−b/s).
    let sw = 0, sq = 0, sx = 0, sqq = 0, sqx = 0;
    for (let j = 0; j < nb; j++) {
      const wgt = m.count[j]!;
      sw += wgt;
      sq += wgt * q[j]!;
      sx += wgt * x[j]!;
      sqq += wgt * q[j]! * q[j]!;
      sqx += wgt * q[j]! * x[j]!;
    }
    const det = sw * sqq - sq * sq;
    if (!(det > 0)) break;
    const s0 = (sw * sqx - sq * sx) / det;
    const b0 = (sx - s0 * sq) / sw;
    if (!(s0 > 0)) break;
    let zp = roundHalfEven(-b0 / s0);
    zp = zp < 0 ? 0 : zp > qmax ? qmax : zp;
    let num = 0;
    let den = 0;
    for (let j = 0; j < nb; j++) {
      const d = q[j]! - zp;
      num += m.count[j]! * x[j]! * d;
      den += m.count[j]! * d * d;
    }
    if (!(den > 0) || !(num > 0)) break;
    const s = Math.fround(num / den);
    if (!(s > 0)) break;
    cur = { scale: s, zeroPoint: zp, bits };
    const e = expectedMse(m, cur);
    if (e < bestErr) {
      bestErr = e;
      best = cur;
    }
  }
  return best;
}
