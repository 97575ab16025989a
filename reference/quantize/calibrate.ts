/**
 * The calibration driver (SEMANTICS.md "Which tensors are quantized, and the execution driver"):
 * PTQ config → images → float executor on the BatchNorm-folded model → one TensorHistogram per
 * feature tensor → per-tensor FeatureQParams (the config's method and bits, per-node bits from
 * `node_quantize_bits`) and per-channel weight scales → {@link QuantParams}.
 */
import * as path from 'node:path';
import { UserError } from '../../src/errors.js';
import { imageInput } from '../../src/float/float-input.js';
import type { OnnxModel } from '../../src/onnx/types.js';
import { listCalibrationImages, channelsOf, type PtqConfig } from '../config/index.js';
import { planGraph, runGraph } from '../executor.js';
import { preservesScale } from '../ops/op.js';
import { calibrateFeature } from '../quant/feature-range.js';
import { TensorHistogram } from '../quant/histogram.js';
import { quantizeWeights } from '../quant/weights.js';
import { foldBatchNorms } from './fold-batch-norm.js';
import { PARAMS_FORMAT, PARAMS_VERSION, settingsDigest, settingsOf, type FeatureParamsEntry, type QuantParams, type WeightParamsEntry } from './params.js';
import { pixelsToInput, prepareImageLoader, type ImageLoader } from './image-source.js';
import { weightSites } from './weight-sites.js';

export interface CalibrateOptions {
  config: PtqConfig;
  /** Image decoder + resizer (default: sharp). */
  loadImage?: ImageLoader;
  /** Images to use instead of listing `config.path` (absolute paths). */
  images?: string[];
  /** Called after each image: (done, total). */
  onProgress?: (done: number, total: number) => void;
}

export interface CalibrationResult {
  params: QuantParams;
  /** Non-fatal findings (skipped files, too few images, unknown node_quantize_bits keys). */
  warnings: string[];
  /** Calibration images used. */
  images: string[];
  timeMs: number;
}

/** Checks the model input against the config's format/width/height; returns the input name. */
export function checkModelAgainstConfig(model: OnnxModel, cfg: PtqConfig): string {
  const info = imageInput(model);
  const want = [1, channelsOf(cfg.format), cfg.height, cfg.width];
  const shape = info.shape;
  if (shape && shape.some((d, i) => typeof d === 'number' && d > 0 && d !== want[i])) {
    throw new UserError(
      'CONFIG_FORMAT',
      `${cfg.file}: format ${cfg.format}, width ${cfg.width}, height ${cfg.height} give input [${want.join(',')}], but ${path.basename(model.file)} input "${info.name}" is [${shape.map((d) => d ?? '?').join(',')}]`,
      'set "width", "height" and "format" in the PTQ config to the model input',
    );
  }
  return info.name;
}

/** The calibration histograms of one config and image list (parameter-independent). */
export interface CalibrationHistograms {
  inputName: string;
  /** Feature tensor name -> histogram over all images (float run of the folded model). */
  hists: Map<string, TensorHistogram>;
  images: string[];
  /** Warnings of listing the images. */
  warnings: string[];
}

/**
 * Pass 1 of calibration: lists the images and runs the BatchNorm-folded float model on each,
 * collecting one histogram per feature tensor. Depends on the config's input settings
 * (format, size, mean/var, images) only, not on bits or methods, so several configs that differ
 * only there can share it ({@link paramsFromHistograms}).
 */
export async function collectHistograms(model: OnnxModel, opts: CalibrateOptions): Promise<CalibrationHistograms> {
  const cfg = opts.config;
  const inputName = checkModelAgainstConfig(model, cfg);
  const warnings: string[] = [];
  let images = opts.images;
  if (!images) {
    const listed = await listCalibrationImages(cfg.path, cfg.usedImageNum);
    warnings.push(...listed.warnings);
    images = listed.images;
  }
  const load = opts.loadImage ?? prepareImageLoader;
  const { model: folded } = foldBatchNorms(model);
  const plan = planGraph(folded);
  const hists = new Map<string, TensorHistogram>();
  const histOf = (name: string): TensorHistogram => {
    let h = hists.get(name);
    if (!h) hists.set(name, (h = new TensorHistogram()));
    return h;
  };
  for (let i = 0; i < images.length; i++) {
    const px = await load(images[i]!, cfg.width, cfg.height, cfg.format);
    const x = pixelsToInput(px, cfg.height, cfg.width, cfg.mean, cfg.var);
    histOf(inputName).add(x.data as Float32Array);
    await runGraph(folded, new Map([[inputName, x]]), {
      onTensor: (name, t) => {
        if (t.dtype === 'float32' && !plan.valueIndependent.has(name)) histOf(name).add(t.data as Float32Array);
      },
    });
    opts.onProgress?.(i + 1, images.length);
  }
  return { inputName, hists, images, warnings };
}

/**
 * Pass 2 of calibration: per-tensor feature parameters (the config's method and bits, per-node
 * bits from `node_quantize_bits`) from the histograms, and per-channel weight scales.
 * `warnings` receives the unknown node_quantize_bits keys. `reuse`: parameters made from the same
 * histograms (same images and input settings, same methods) whose entries of equal bits are taken
 * as they are instead of searched again — the result is the same, only faster (a KL search per
 * tensor is the slow part); ignored when its settings differ.
 */
export function paramsFromHistograms(model: OnnxModel, cfg: PtqConfig, calib: CalibrationHistograms, warnings: string[] = [], reuse?: QuantParams): QuantParams {
  const { inputName, hists, images } = calib;
  const settings = settingsOf(cfg, images);
  const same = reuse && sameInputsAndMethods(reuse.settings, settings) ? reuse : undefined;
  const { model: folded, folds } = foldBatchNorms(model);
  const plan = planGraph(folded);
  const nodeNames = new Set(folded.graph.nodes.map((n) => n.name));
  for (const k of Object.keys(cfg.nodeQuantizeBits)) {
    if (!nodeNames.has(k) && k !== inputName) warnings.push(`${cfg.file}: node_quantize_bits names "${k}", which is no node of ${path.basename(model.file)}`);
  }
  const stepByNode = new Map(plan.steps.map((st) => [st.node.name, st]));
  const features: Record<string, FeatureParamsEntry> = {};
  for (const [name, h] of hists) {
    const producer = folded.graph.producer.get(name);
    const own = cfg.nodeQuantizeBits[producer ? producer.name : name]?.feature;
    const bits = own ?? cfg.featureQuantizeBits;
    // data-movement ops (the kernel's `preservesScale`) reuse their input's parameters and move codes
    const step = producer ? stepByNode.get(producer.name) : undefined;
    const src = producer && step && preservesScale(step.kernel, step.attrs) && own === undefined ? producer.inputs[0] : undefined;
    const shared = src !== undefined ? features[src] : undefined;
    if (shared) {
      features[name] = { ...shared, method: 'shared', sharedWith: shared.sharedWith ?? src, observedMin: Math.min(h.min, 0), observedMax: Math.max(h.max, 0) };
      continue;
    }
    const old = same?.features[name];
    if (old && old.method !== 'shared' && old.bits === bits) {
      features[name] = { ...old };
      continue;
    }
    const c = calibrateFeature(h, cfg.featureQuantizeMethod, bits);
    features[name] = { scale: c.scale, zeroPoint: c.zeroPoint, bits, dtype: bits <= 8 ? 'uint8' : 'uint16', method: c.method, observedMin: c.observedMin, observedMax: c.observedMax };
  }
  const weights: Record<string, WeightParamsEntry> = {};
  for (const s of weightSites(folded)) {
    const bits = cfg.nodeQuantizeBits[s.node.name]?.weight ?? cfg.weightQuantizeBits;
    const oldW = same?.weights[s.node.name];
    if (oldW && oldW.bits === bits && oldW.tensor === s.tensor.name) {
      weights[s.node.name] = { ...oldW, dims: [...oldW.dims], scales: [...oldW.scales] };
      continue;
    }
    const qw = quantizeWeights(s.tensor.data as Float32Array, s.tensor.dims, bits, cfg.weightQuantizeMethod, s.axis);
    weights[s.node.name] = { opType: s.node.opType, tensor: s.tensor.name, input: s.input, dims: [...s.tensor.dims], axis: s.axis, bits, method: cfg.weightQuantizeMethod, scales: [...qw.scales] };
  }
  const params: QuantParams = {
    format: PARAMS_FORMAT,
    version: PARAMS_VERSION,
    model: { file: path.basename(model.file), md5: model.md5 },
    configDigest: settingsDigest(settings),
    settings,
    batchNormFolds: folds,
    features,
    weights,
  };
  return params;
}

/** True when two parameter sets come from the same images, input settings and methods (their entries of equal bits are then equal). */
export function sameInputsAndMethods(a: QuantParams['settings'], b: QuantParams['settings']): boolean {
  const key = (s: QuantParams['settings']) => JSON.stringify([s.featureQuantizeMethod, s.weightQuantizeMethod, s.format, s.width, s.height, s.mean, s.var, s.images]);
  return key(a) === key(b);
}

/** Runs calibration and returns the parameters. */
export async function calibrate(model: OnnxModel, opts: CalibrateOptions): Promise<CalibrationResult> {
  const t0 = performance.now();
  const h = await collectHistograms(model, opts);
  const warnings = [...h.warnings];
  const params = paramsFromHistograms(model, opts.config, h, warnings);
  return { params, warnings, images: h.images, timeMs: performance.now() - t0 };
}
