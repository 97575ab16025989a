/**
 * Feature range methods of the PTQ config (`feature_quantize_method`): histogram → clipped range →
 * {scale, zeroPoint} (SEMANTICS.md "Feature range methods").
 */
import { admmFeatureParams } from './admm.js';
import { featureParamsFromRange, type FeatureQParams } from './feature-params.js';
import type { TensorHistogram } from './histogram.js';
import { klRange } from './kl-range.js';
import { mseRange } from './mse-range.js';

export type FeatureRangeMethod = 'MAX_ABS' | 'KL' | 'MSE' | 'ADMM';

export interface FeatureCalibration extends FeatureQParams {
  method: FeatureRangeMethod;
  /** Observed range over the calibration set (widened to include 0). */
  observedMin: number;
  observedMax: number;
  /** The range the parameters cover, [−zp·scale, (qmax − zp)·scale]. */
  min: number;
  max: number;
}

/** The clipped range a method chooses (before rounding to a scale and zero point). */
export function featureRange(h: TensorHistogram, method: FeatureRangeMethod, bits: number): { min: number; max: number } {
  if (h.count === 0) return { min: 0, max: 0 };
  switch (method) {
    case 'MAX_ABS':
      return { min: Math.min(h.min, 0), max: Math.max(h.max, 0) };
    case 'KL':
      return klRange(h, bits);
    case 'MSE':
      return mseRange(h, bits);
    case 'ADMM': {
      const p = admmFeatureParams(h, bits);
      return { min: -p.zeroPoint * p.scale, max: (2 ** bits - 1 - p.zeroPoint) * p.scale };
    }
  }
}

/** Calibrated parameters of one feature tensor. */
export function calibrateFeature(h: TensorHistogram, method: FeatureRangeMethod, bits: number): FeatureCalibration {
  const p = method === 'ADMM' ? admmFeatureParams(h, bits) : (() => {
    const r = featureRange(h, method, bits);
    return featureParamsFromRange(r.min, r.max, bits);
  })();
  const qmax = 2 ** bits - 1;
  return {
    ...p,
    method,
    observedMin: h.count === 0 ? 0 : Math.min(h.min, 0),
    observedMax: h.count === 0 ? 0 : Math.max(h.max, 0),
    min: -p.zeroPoint * p.scale,
    max: (qmax - p.zeroPoint) * p.scale,
  };
}
