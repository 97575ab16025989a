/**
 * MSE calibration of a feature range (SEMANTICS.md "MSE"): the clip magnitude T that minimises the
 * expected squared quantization error (rounding inside the range + clipping outside) over the
 * calibration histogram, evaluated with the exact quantizer the range produces (float32 scale,
 * integer zero point). Candidates are the same as KL's — T = i·w applied to both signs, range
 * [max(min, −T), min(max, T)] — searched on a stride-8 grid, then every i within ±8 of the best.
 * T ≥ max|x| (the MAX_ABS range) is always a candidate, so MSE never does worse than MAX_ABS on the
 * histogram.
 */
import { featureParamsFromRange } from './feature-params.js';
import { binMasses, expectedMse } from './expected-error.js';
import type { TensorHistogram } from './histogram.js';

const STRIDE = 8;

/** The MSE-optimal clipped range {min, max} for `bits`-bit features. */
export function mseRange(h: TensorHistogram, bits: number): { min: number; max: number } {
  const lo0 = Math.min(h.min, 0);
  const hi0 = Math.max(h.max, 0);
  if (h.count === 0 || h.range === 0 || hi0 - lo0 === 0) return { min: h.count === 0 ? 0 : lo0, max: h.count === 0 ? 0 : hi0 };
  const masses = binMasses(h);
  const w = h.binWidth;
  const tMax = Math.max(-lo0, hi0);
  const iMax = Math.min(h.bins, Math.ceil(tMax / w));
  const rangeOf = (i: number): { min: number; max: number } => {
    const t = i >= iMax ? tMax : i * w;
    return { min: Math.max(lo0, -t), max: Math.min(hi0, t) };
  };
  const cost = new Map<number, number>();
  const evaluate = (i: number): number => {
    let e = cost.get(i);
    if (e === undefined) {
      const r = rangeOf(i);
      e = expectedMse(masses, featureParamsFromRange(r.min, r.max, bits));
      cost.set(i, e);
    }
    return e;
  };
  let bestI = iMax;
  let best = evaluate(iMax);
  for (let i = STRIDE; i < iMax; i += STRIDE) {
    const e = evaluate(i);
    if (e < best) {
      best = e;
      bestI = i;
    }
  }
  const from = Math.max(1, bestI - STRIDE + 1);
  const to = Math.min(iMax, bestI + STRIDE - 1);
  for (let i = from; i <= to; i++) {
    const e = evaluate(i);
    if (e < best) {
      best = e;
      bestI = i;
    }
  }
  return rangeOf(bestI);
}
