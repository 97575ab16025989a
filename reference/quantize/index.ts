/** The integer mode of the reference (SEMANTICS.md "Which tensors are quantized, and the execution driver"). */
export { foldBatchNorms, type BatchNormFold, type FoldResult } from './fold-batch-norm.js';
export { calibrate, checkModelAgainstConfig, type CalibrateOptions, type CalibrationResult } from './calibrate.js';
export { prepareImageLoader, pixelsToInput, type ImageLoader } from './image-source.js';
export { weightSites, quantizeWithScales, WEIGHTED_OPS, type WeightSite } from './weight-sites.js';
export { PARAMS_FORMAT, PARAMS_VERSION, settingsOf, settingsDigest, type QuantParams, type FeatureParamsEntry, type WeightParamsEntry, type ParamsSettings, type BiasCorrectionRecord } from './params.js';
export { readParamsFile, writeParamsFile, parseParams } from './params-file.js';
export { prepareQuant, type PreparedQuant, type PreparedWeight } from './prepare.js';
export { makeIntStep, toCodes, toFloat, isCodes, type IntStep, type IntStepOptions, type NodeMode } from './int-step.js';
export { runQuantized, resultAsFloat, type QuantRunOptions, type QuantRunResult } from './run-quantized.js';
export { correctBiases, type BiasCorrectionOptions, type BiasCorrectionResult } from './bias-correction.js';
