/**
 * Float metrics over two whole arrays (METRICS.md), float64 accumulation in index order.
 * r = reference, t = target, same length, same (NHWC, row-major) order, already dequantized
 * (see {@link dequantize}). Every function uses only the FINITE PAIRS (both r_i and t_i finite);
 * non-finite elements are counted by `nonFinite` (counts.ts) and flag the layer instead of
 * poisoning the numbers. An empty set of pairs behaves like two identical zero tensors.
 */
import {
  cosineFromSums,
  euclideanFromSums,
  eucSimilarityFromSums,
  meanFromSum,
  relEuclideanFromSums,
  rmseFromSum,
  rmseInStepsFrom,
  sqnrDbFromRel,
} from './finalize.js';
import type { CosineResult, MaxAbsResult } from './types.js';

/** Throws RangeError when the two sides differ in length (a caller bug, not user input). */
export function checkSameLength(r: ArrayLike<number>, t: ArrayLike<number>): void {
  if (r.length !== t.length) throw new RangeError(`metric sides differ in length: ${r.length} vs ${t.length}`);
}

/** Dequantizes raw integers: x = (q - zeroPoint) * scale, float64. */
export function dequantize(q: ArrayLike<number>, scale: number, zeroPoint = 0): Float64Array {
  const out = new Float64Array(q.length);
  for (let i = 0; i < q.length; i++) out[i] = (q[i]! - zeroPoint) * scale;
  return out;
}

/**
 * Cosine similarity sum(r*t) / (norm(r) * norm(t)) in [-1, 1].
 * Both norms 0 -> 1; exactly one norm 0 -> 0 with `flag` naming the zero side.
 * @example cosine([1,2,3],[4,5,6]).value === 32 / Math.sqrt(14 * 77)
 */
export function cosine(r: ArrayLike<number>, t: ArrayLike<number>): CosineResult {
  checkSameLength(r, t);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    const y = t[i]!;
    if (x - x === 0 && y - y === 0) {
      sab += x * y;
      saa += x * x;
      sbb += y * y;
    }
  }
  return cosineFromSums(sab, saa, sbb);
}

/** sum((r-t)^2) over finite pairs. */
function sumSqDiff(r: ArrayLike<number>, t: ArrayLike<number>): { sdd: number; saa: number; n: number } {
  checkSameLength(r, t);
  let sdd = 0;
  let saa = 0;
  let n = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    const y = t[i]!;
    if (x - x === 0 && y - y === 0) {
      const d = x - y;
      sdd += d * d;
      saa += x * x;
      n++;
    }
  }
  return { sdd, saa, n };
}

/** Absolute L2 distance sqrt(sum((r-t)^2)), float units (the guide's "Euclidean distance"). */
export function euclidean(r: ArrayLike<number>, t: ArrayLike<number>): number {
  return euclideanFromSums(sumSqDiff(r, t).sdd);
}

/**
 * euclidean / norm(r) (Ascend's "relative Euclidean distance"; PPQ's "snr" is its square).
 * 0 when euclidean = 0 (even if norm(r) = 0); +Infinity when only norm(r) = 0.
 */
export function relEuclidean(r: ArrayLike<number>, t: ArrayLike<number>): number {
  const s = sumSqDiff(r, t);
  return relEuclideanFromSums(s.sdd, s.saa);
}

/**
 * SQNR in dB = 20*log10(norm(r)/euclidean), computed as -20*log10(relEuclidean) so the identity
 * holds exactly. +Infinity when identical; -Infinity when norm(r) = 0 but t is not.
 */
export function sqnrDb(r: ArrayLike<number>, t: ArrayLike<number>): number {
  return sqnrDbFromRel(relEuclidean(r, t));
}

/**
 * TPU-MLIR euclidean similarity 1 - norm(r-t) / norm((r+t)/2). 1 when identical (including two
 * zero tensors); -Infinity when r = -t != 0. Can be negative for very different tensors.
 */
export function eucSimilarity(r: ArrayLike<number>, t: ArrayLike<number>): number {
  checkSameLength(r, t);
  let sdd = 0;
  let shh = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    const y = t[i]!;
    if (x - x === 0 && y - y === 0) {
      const d = x - y;
      sdd += d * d;
      const h = (x + y) * 0.5;
      shh += h * h;
    }
  }
  return eucSimilarityFromSums(sdd, shh);
}

/**
 * Largest |r_i - t_i| and the flat index of its FIRST occurrence. No finite pair -> value 0,
 * index -1. Identical tensors -> value 0 at the first finite pair's index.
 */
export function maxAbs(r: ArrayLike<number>, t: ArrayLike<number>): MaxAbsResult {
  checkSameLength(r, t);
  let mx = -1;
  let mi = -1;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    const y = t[i]!;
    if (x - x === 0 && y - y === 0) {
      const ad = Math.abs(x - y);
      if (ad > mx) {
        mx = ad;
        mi = i;
      }
    }
  }
  return { value: mi < 0 ? 0 : mx, index: mi };
}

/** Mean absolute difference sum|r_i - t_i| / finitePairs; 0 when there is no finite pair. */
export function meanAbs(r: ArrayLike<number>, t: ArrayLike<number>): number {
  checkSameLength(r, t);
  let s = 0;
  let n = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    const y = t[i]!;
    if (x - x === 0 && y - y === 0) {
      s += Math.abs(x - y);
      n++;
    }
  }
  return meanFromSum(s, n);
}

/** Root mean square error sqrt(sum((r-t)^2) / finitePairs), float units; 0 with no finite pair. */
export function rmse(r: ArrayLike<number>, t: ArrayLike<number>): number {
  const s = sumSqDiff(r, t);
  return rmseFromSum(s.sdd, s.n);
}

/**
 * rmse / scale: the error in quantization steps of the integer side whose step is `scale`
 * (float units per step). About 0.29 (1/sqrt(12)) is ideal rounding noise.
 */
export function rmseInSteps(r: ArrayLike<number>, t: ArrayLike<number>, scale: number): number {
  return rmseInStepsFrom(rmse(r, t), scale);
}
