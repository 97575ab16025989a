/**
 * Metrics from their float64 running sums. Shared by the whole-array functions (pairwise.ts) and
 * the streaming PairAccumulator so both give bit-identical numbers. Notation (finite pairs only):
 * saa = sum r^2, sbb = sum t^2, sab = sum r*t, sdd = sum (r-t)^2, shh = sum ((r+t)/2)^2, n = pairs.
 */
import type { CosineResult } from './types.js';

/**
 * Cosine from sums: sab / (norm(r) * norm(t)), clamped to [-1, 1].
 * Edge cases (METRICS.md): both norms 0 -> 1 (two zero tensors are identical); exactly one norm 0
 * -> 0 with flag `referenceZero` / `targetZero`. NaN only if the sums themselves overflowed.
 */
export function cosineFromSums(sab: number, saa: number, sbb: number): CosineResult {
  if (saa === 0 && sbb === 0) return { value: 1 };
  if (saa === 0) return { value: 0, flag: 'referenceZero' };
  if (sbb === 0) return { value: 0, flag: 'targetZero' };
  const p = saa * sbb;
  // sqrt(saa*sbb) is one rounding closer to the exact value; fall back when the product under/overflows.
  const denom = p > 0 && p < Infinity ? Math.sqrt(p) : Math.sqrt(saa) * Math.sqrt(sbb);
  const c = sab / denom;
  return { value: c > 1 ? 1 : c < -1 ? -1 : c };
}

/** sqrt(sdd): absolute L2 distance, float units. */
export function euclideanFromSums(sdd: number): number {
  return Math.sqrt(sdd);
}

/**
 * euclidean / norm(r). 0 when euclidean is 0 (also when norm(r) is 0: identical zero tensors);
 * +Infinity when only norm(r) is 0.
 */
export function relEuclideanFromSums(sdd: number, saa: number): number {
  if (sdd === 0) return 0;
  return Math.sqrt(sdd) / Math.sqrt(saa);
}

/**
 * SQNR in dB from relEuclidean: -20 * log10(rel) (= 20*log10(norm(r)/euclidean), ONNX Runtime's
 * qdq_loss_debug definition). rel = 0 -> +Infinity (identical); rel = Infinity -> -Infinity.
 */
export function sqnrDbFromRel(rel: number): number {
  return -20 * Math.log10(rel);
}

/**
 * TPU-MLIR's euclidean similarity: 1 - norm(r-t) / norm((r+t)/2). 1 when norm(r-t) = 0;
 * -Infinity when norm((r+t)/2) = 0 but r != t (r = -t).
 */
export function eucSimilarityFromSums(sdd: number, shh: number): number {
  if (sdd === 0) return 1;
  return 1 - Math.sqrt(sdd) / Math.sqrt(shh);
}

/** sum / n, with 0 for n = 0 (no finite pair: nothing differs). */
export function meanFromSum(sum: number, n: number): number {
  return n === 0 ? 0 : sum / n;
}

/** sqrt(sdd / n), with 0 for n = 0. */
export function rmseFromSum(sdd: number, n: number): number {
  return n === 0 ? 0 : Math.sqrt(sdd / n);
}

/**
 * rmse expressed in quantization steps: rmse / scale. Uniform rounding noise alone gives
 * 1/sqrt(12) ≈ 0.29. scale 0 -> Infinity (or NaN when rmse is 0 too); scale must be > 0 to be meaningful.
 */
export function rmseInStepsFrom(rmse: number, scale: number): number {
  return rmse / scale;
}
