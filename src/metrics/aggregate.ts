/**
 * Metrics over metrics: error gain along the graph (METRICS.md, "Error gain") and aggregation of
 * one layer's metrics over the images of a multi-image run.
 */
import type { ImageAggregate } from './types.js';

/** Error measure for error gain from a cosine: e = 1 - cosine (0 = no error, up to 2). */
export function errorFromCosine(cosine: number): number {
  return 1 - cosine;
}

/**
 * Error gain of layer k: e_k / max_j e_j over its graph inputs j (e = 1 - cosine, or relEuclidean;
 * use the same measure on both sides). A large gain marks a layer whose own quantization hurts.
 * Edge cases:
 * - max_j e_j = 0 (all inputs exact, or no inputs: e.g. fed by the graph input only):
 *   +Infinity when e_k > 0 (the layer alone introduced its whole error), 1 when e_k = 0 too
 *   (nothing introduced, nothing inherited: neutral).
 * - any NaN among e_k or the inputs -> NaN (unknown, never silently a number).
 * Negative errors (cosine rounding above 1 cannot happen after clamping) are used as given.
 */
export function errorGain(eK: number, inputErrors: readonly number[]): number {
  if (eK !== eK) return NaN;
  let m = 0;
  for (const e of inputErrors) {
    if (e !== e) return NaN;
    if (e > m) m = e;
  }
  if (m === 0) return eK > 0 ? Infinity : 1;
  return eK / m;
}

/**
 * Aggregates one layer over several images: mean, min and the image at the min of cosine (the
 * guide's "cosine avg" is the mean), and the max of maxAbs with its image. Image positions are
 * 0-based indices into `perImage`; ties pick the first. A NaN cosine makes the mean and min NaN and
 * points cosineMinImage at the first NaN image (worst case, never hidden); same for maxAbs.
 * Throws RangeError for an empty list (there is nothing to aggregate).
 */
export function aggregateImages(perImage: ReadonlyArray<{ cosine: number; maxAbs: number }>): ImageAggregate {
  if (perImage.length === 0) throw new RangeError('aggregateImages: no images');
  let sum = 0;
  let cMin = Infinity;
  let cMinAt = -1;
  let mMax = -Infinity;
  let mMaxAt = -1;
  for (let i = 0; i < perImage.length; i++) {
    const { cosine, maxAbs } = perImage[i]!;
    sum += cosine;
    if (cMin === cMin && (cosine !== cosine || cosine < cMin || cMinAt < 0)) {
      cMin = cosine;
      cMinAt = i;
    }
    if (mMax === mMax && (maxAbs !== maxAbs || maxAbs > mMax || mMaxAt < 0)) {
      mMax = maxAbs;
      mMaxAt = i;
    }
  }
  return {
    images: perImage.length,
    cosineMean: sum / perImage.length,
    cosineMin: cMin,
    cosineMinImage: cMinAt,
    maxAbsMax: mMax,
    maxAbsMaxImage: mMaxAt,
  };
}
