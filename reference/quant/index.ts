/** Quantization math of the PC integer reference (see reference/SEMANTICS.md). Pure functions. */
export { roundHalfEven, roundClamp, clamp } from './rounding.js';
export { quantizeMultiplier, multiplierValue, requantize, requantizeInto, type QuantizedMultiplier } from './fixed-point.js';
export {
  MIN_QUANT_BITS,
  MAX_QUANT_BITS,
  featureQmax,
  featureStorageDType,
  featureDumpDType,
  featureParamsFromRange,
  representableRange,
  type FeatureQParams,
} from './feature-params.js';
export { quantizeValue, quantizeTensor, dequantizeTensor, fakeQuantize, packUint4, unpackUint4 } from './quantize-tensor.js';
export { TensorHistogram, HISTOGRAM_BINS } from './histogram.js';
export { featureRange, calibrateFeature, type FeatureRangeMethod, type FeatureCalibration } from './feature-range.js';
export { klRange } from './kl-range.js';
export { mseRange } from './mse-range.js';
export { admmFeatureParams, admmSymmetricScale } from './admm.js';
export { expectedMse, binMasses, integratedSquaredError } from './expected-error.js';
export { quantizeWeights, dequantizeWeights, quantizeBias, weightQmax, type QuantizedWeights, type QuantizedBias, type WeightMethod } from './weights.js';
export { requantizeWide } from './requantize-wide.js';
