/**
 * `params.json`: every quantization parameter of one calibrated model (SEMANTICS.md "Which
 * tensors are quantized"). Features per tensor, weights per node (per-channel scales; the codes
 * are recomputed from the model with the stored scales, so the file stays small), the BatchNorm
 * folds applied, the bias corrections, and what the parameters were made from (model md5, config
 * digest, calibration images).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { PtqConfig } from '../config/index.js';
import type { BatchNormFold } from './fold-batch-norm.js';

export const PARAMS_FORMAT = 'magik-parity-ptq-params';
export const PARAMS_VERSION = 1;

/** One feature tensor's quantization. */
export interface FeatureParamsEntry {
  /** Real value of one step (float32-representable). */
  scale: number;
  zeroPoint: number;
  bits: number;
  dtype: 'uint8' | 'uint16';
  /** The range method, or 'shared' for a data-movement output that reuses its input's parameters. */
  method: 'KL' | 'MSE' | 'ADMM' | 'MAX_ABS' | 'shared';
  /** For 'shared': the tensor whose parameters are reused. */
  sharedWith?: string;
  /** Observed range over the calibration images (widened to include 0). */
  observedMin: number;
  observedMax: number;
}

/** One node's weight quantization (symmetric, per output channel). */
export interface WeightParamsEntry {
  opType: string;
  /** The weight tensor (after BatchNorm folding, a `__bn_folded` initializer). */
  tensor: string;
  /** Input index of the weight on the node. */
  input: number;
  dims: number[];
  /** Output-channel axis of `dims`. */
  axis: number;
  bits: number;
  method: 'MAX_ABS' | 'ADMM';
  /** One scale per output channel: w ≈ q · scales[c]. */
  scales: number[];
}

/** The settings the parameters depend on (a copy, for the record and the digest). */
export interface ParamsSettings {
  featureQuantizeMethod: string;
  weightQuantizeMethod: string;
  featureQuantizeBits: number;
  weightQuantizeBits: number;
  nodeQuantizeBits: Record<string, { feature?: number; weight?: number }>;
  format: string;
  width: number;
  height: number;
  mean: number[];
  var: number[];
  /** Base names of the calibration images, in the order used. */
  images: string[];
}

export interface BiasCorrectionRecord {
  weightCorr: boolean;
  featureCorr: boolean;
  corrImages: string[];
  valiImages: string[];
  /** Mean final-output cosine (vs float) on the vali images before and after the correction. */
  cosineBefore: number | null;
  cosineAfter: number | null;
  /** node name -> per-output-channel value added to the float bias before quantization. */
  nodes: Record<string, number[]>;
}

export interface QuantParams {
  format: typeof PARAMS_FORMAT;
  version: typeof PARAMS_VERSION;
  model: { file: string; md5: string };
  /** sha256 of the canonical JSON of `settings`. */
  configDigest: string;
  settings: ParamsSettings;
  batchNormFolds: BatchNormFold[];
  /** Tensor name -> parameters, in execution order (the graph input first). */
  features: Record<string, FeatureParamsEntry>;
  /** Node name -> weight parameters. */
  weights: Record<string, WeightParamsEntry>;
  biasCorrection?: BiasCorrectionRecord;
}

/** The settings of `cfg` that calibration depends on. */
export function settingsOf(cfg: PtqConfig, images: readonly string[]): ParamsSettings {
  return {
    featureQuantizeMethod: cfg.featureQuantizeMethod,
    weightQuantizeMethod: cfg.weightQuantizeMethod,
    featureQuantizeBits: cfg.featureQuantizeBits,
    weightQuantizeBits: cfg.weightQuantizeBits,
    nodeQuantizeBits: cfg.nodeQuantizeBits,
    format: cfg.format,
    width: cfg.width,
    height: cfg.height,
    mean: [...cfg.mean],
    var: [...cfg.var],
    images: images.map((f) => path.basename(f)),
  };
}

/** JSON with object keys sorted (a canonical form for hashing). */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** sha256 (hex) of the canonical JSON of the settings. */
export function settingsDigest(s: ParamsSettings): string {
  return createHash('sha256').update(canonical(s)).digest('hex');
}
