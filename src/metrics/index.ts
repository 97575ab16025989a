/** Public surface of the metrics module (METRICS.md). */
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
export { PairAccumulator, type PairAccumulatorOptions } from './accumulator.js';
export { fromJsonNumber, layerMetricsFromJson, layerMetricsToJson, toJsonNumber, type JsonNumber, type LayerMetricsJson } from './json.js';
