/**
 * Public surface of the metrics module (definitions: shared/docs/METRICS.md).
 *
 * - pairwise.ts: float metrics over whole arrays (cosine, euclidean, relEuclidean, sqnrDb,
 *   eucSimilarity, maxAbs, meanAbs, rmse, rmseInSteps) and `dequantize`.
 * - counts.ts: nonFinite, saturation, deadChannels, mismatches, firstMismatch,
 *   mismatchesPerChannel, mismatchesPerRow.   coords.ts: index <-> (n,h,w,c).
 * - finalize.ts: each metric from its running sums (shared by both paths below).
 * - accumulator.ts: PairAccumulator, the streaming per-layer block the measure engine feeds chunk by
 *   chunk, bit-identical to the whole-array functions; measurePair for in-memory tensors.
 * - pair-kernel.wat / pair-kernel.ts / wasm-accumulator.ts: the same streaming block on a
 *   WebAssembly kernel fed with raw dump bytes (decode fused in), bit-identical to PairAccumulator;
 *   the measure engine's fast path.
 * - fit.ts: least-squares scale / zero point of an integer side vs a float side (two-pass use).
 * - aggregate.ts: errorGain along the graph, aggregateImages over a multi-image run.
 * - json.ts: report.json form of the block (non-finite numbers as strings).
 *
 * Decisions the whole module follows:
 * - Side a is the reference r, side b the target t; flattened row-major (NHWC).
 * - Float metrics use the finite pairs only (both sides finite after dequantization); NaN/±Inf are
 *   counted in `nonFinite` and make `finiteCount < count` — the caller flags the layer.
 * - Edge cases give defined numbers, never a silent NaN: zero tensors are "identical" (cosine 1,
 *   errors 0, sqnrDb +Infinity), one zero side gives cosine 0 with `cosineFlag`.
 */
export type {
  CosineFlag,
  CosineResult,
  ElementLocation,
  FitInfo,
  ImageAggregate,
  LayerMetrics,
  LinearFit,
  MaxAbsResult,
  NonFiniteCounts,
  SaturationStats,
  SideSpec,
} from './types.js';
export {
  cosine,
  dequantize,
  euclidean,
  eucSimilarity,
  maxAbs,
  meanAbs,
  relEuclidean,
  rmse,
  rmseInSteps,
  sqnrDb,
} from './pairwise.js';
export {
  cosineFromSums,
  euclideanFromSums,
  eucSimilarityFromSums,
  meanFromSum,
  relEuclideanFromSums,
  rmseFromSum,
  rmseInStepsFrom,
  sqnrDbFromRel,
} from './finalize.js';
export {
  deadChannels,
  firstMismatch,
  hasNonFinite,
  mismatches,
  mismatchesPerChannel,
  mismatchesPerRow,
  nonFinite,
  saturation,
} from './counts.js';
export { channelCount, coordOf, locate, rowLayout } from './coords.js';
export { aggregateImages, errorFromCosine, errorGain } from './aggregate.js';
export { FitAccumulator, fitInfo, fitLinear } from './fit.js';
export { measurePair, PairAccumulator, type PairAccumulatorOptions } from './accumulator.js';
export { KERNEL_CHUNK, PairKernel } from './pair-kernel.js';
export { WasmPairAccumulator } from './wasm-accumulator.js';
export { fromJsonNumber, layerMetricsFromJson, layerMetricsToJson, toJsonNumber, type JsonNumber, type LayerMetricsJson } from './json.js';
