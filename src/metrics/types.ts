/**
 * The per-layer metric block of report.json and the small value types it is built from.
 * Definitions: shared/docs/METRICS.md. Side `a` is the REFERENCE (r), side `b` the TARGET (t);
 * both are flattened in the same row-major (NHWC) order.
 *
 * Every number here may be ±Infinity or NaN where its TSDoc says so; JSON cannot hold those, so
 * report.json stores the block through {@link ../metrics/json.js | layerMetricsToJson}, which writes
 * them as the strings "Infinity", "-Infinity" and "NaN".
 */
import type { DType } from '../tensor/dtype.js';

/** Why a cosine was not computed from two non-zero norms. Only set when exactly one norm is 0. */
export type CosineFlag = 'referenceZero' | 'targetZero';

/** Cosine value with its edge-case flag. */
export interface CosineResult {
  /** In [-1, 1]; 1 when both norms are 0, 0 when exactly one is. */
  value: number;
  flag?: CosineFlag;
}

/** Largest absolute difference and where it occurs. */
export interface MaxAbsResult {
  /** max |r_i - t_i| over finite pairs; 0 when there is no finite pair. */
  value: number;
  /** Flat (row-major) index of the FIRST element reaching the maximum; -1 when there is no finite pair. */
  index: number;
}

/** Counts of non-finite elements on one side. */
export interface NonFiniteCounts {
  nan: number;
  posInf: number;
  negInf: number;
}

/** Share of an integer side's raw values sitting at its dtype's min or max (DTYPES). */
export interface SaturationStats {
  /** Raw elements equal to the dtype's minimum (e.g. 0 for uint8: for ReLU outputs this is normal). */
  atMin: number;
  /** Raw elements equal to the dtype's maximum (e.g. 255 for uint8). */
  atMax: number;
  /** (atMin + atMax) / count, in [0, 1]; 0 for an empty tensor. */
  share: number;
}

/** Where an element sits: flat index, row-major coordinate, and (for 4-D tensors) n,h,w,c. */
export interface ElementLocation {
  /** Flat row-major index. */
  index: number;
  /** Row-major coordinate, one entry per axis of the shape. */
  coord: number[];
  /** Same coordinate named by axis, only for 4-D (NHWC) shapes. */
  nhwc?: { n: number; h: number; w: number; c: number };
}

/**
 * Least-squares fit t_float ≈ scale * q + offset of a float side against an integer side whose
 * quantization parameters are unknown. zeroPoint = -offset / scale, so t ≈ (q - zeroPoint) * scale.
 */
export interface LinearFit {
  /** Slope, float units per integer step. NaN when the integer side is constant or has < 2 finite pairs. */
  scale: number;
  /** -offset / scale, in integer steps (not rounded). NaN when scale is NaN or 0. */
  zeroPoint: number;
  /** Intercept, float units. */
  offset: number;
  /** True when scale is finite and > 0 (a quantization would look like this). */
  plausible: boolean;
  /** Coefficient of determination of the fit in [0, 1] (1 = perfect line); NaN when undefined. */
  r2: number;
  /** Finite pairs the fit used. */
  pairs: number;
}

/** Fit recorded in a LayerMetrics block: which side was dequantized by it, and its parameters. */
export interface FitInfo {
  /** The integer side the fit dequantized ('a' = reference, 'b' = target). */
  side: 'a' | 'b';
  scale: number;
  zeroPoint: number;
  plausible: boolean;
  r2: number;
}

/** Mean/min/argmin of cosine and max of maxAbs over the images of a multi-image run. */
export interface ImageAggregate {
  /** Number of images. */
  images: number;
  /** Arithmetic mean of the per-image cosines (the guide's "cosine avg"). */
  cosineMean: number;
  cosineMin: number;
  /** 0-based position (in the input list) of the image with the lowest cosine (first one on ties). */
  cosineMinImage: number;
  maxAbsMax: number;
  /** 0-based position of the image with the largest maxAbs (first one on ties). */
  maxAbsMaxImage: number;
}

/** Dtype and optional dequantization of one side of a pair. */
export interface SideSpec {
  dtype: DType;
  /** Float units per integer step; when given (with zeroPoint), x = (q - zeroPoint) * scale. */
  scale?: number;
  /** Integer value that maps to 0; default 0 when only scale is given. */
  zeroPoint?: number;
}

/**
 * Per-layer metrics (METRICS.md). All float metrics are computed over the FINITE PAIRS only (both
 * r_i and t_i finite after dequantization); a layer with any non-finite element has
 * `finiteCount < count` and non-zero `nonFinite` counts and must be flagged by the caller.
 */
export interface LayerMetrics {
  /** Number of elements N of each side. */
  count: number;
  /** Pairs with both sides finite: the population of every float metric below. */
  finiteCount: number;
  /** sum(r*t) / (norm(r) * norm(t)), clamped to [-1, 1]; both norms 0 -> 1; one norm 0 -> 0 + cosineFlag. */
  cosine: number;
  cosineFlag?: CosineFlag;
  /** sqrt(sum((r-t)^2)), in float units. */
  euclidean: number;
  /** euclidean / norm(r); 0 when both are 0; +Infinity when only norm(r) is 0. */
  relEuclidean: number;
  /** -20*log10(relEuclidean) dB; +Infinity when identical; -Infinity when norm(r) = 0 < euclidean. */
  sqnrDb: number;
  /** TPU-MLIR: 1 - norm(r-t) / norm((r+t)/2); 1 when identical; -Infinity when r = -t != 0. */
  eucSimilarity: number;
  /** max |r_i - t_i|, float units; 0 when no finite pair. */
  maxAbs: number;
  /** Flat index of the first maximum; -1 when no finite pair. */
  maxAbsIndex: number;
  /** Row-major coordinate of maxAbsIndex (n,h,w,c for NHWC); null when no finite pair. */
  maxAbsCoord: number[] | null;
  /** sum |r_i - t_i| / finiteCount; 0 when finiteCount = 0. */
  meanAbs: number;
  /** sqrt(sum((r-t)^2) / finiteCount); 0 when finiteCount = 0. */
  rmse: number;
  /** rmse / scale of the quantized side (target's, else reference's, else the fit's); ~0.29 = ideal rounding. */
  rmseInSteps?: number;
  nonFinite: { a: NonFiniteCounts; b: NonFiniteCounts };
  /** Present per side only when that side's dtype is an integer type. */
  saturation: { a?: SaturationStats; b?: SaturationStats };
  /** Channels (last axis) whose target values are all identical while the reference's are not; ascending. */
  deadChannels: number[];
  /** Integer exact compare only: count of raw(r_i) != raw(t_i). */
  mismatches?: number;
  /** Integer exact compare only: first differing element, null when none. */
  firstMismatch?: ElementLocation | null;
  /** Integer exact compare only: mismatches per channel (last axis). */
  mismatchesPerChannel?: number[];
  /** Integer exact compare only: mismatches per row (H axis of NHWC, axis 0 for rank 2/3); absent for rank < 2. */
  mismatchesPerRow?: number[];
  /** True when one side was dequantized by a least-squares fit rather than known parameters. */
  fitted?: boolean;
  fit?: FitInfo;
}
