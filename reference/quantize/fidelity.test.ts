/**
 * Fidelity of the integer reference on shared models (measured numbers in the assertions'
 * comments). Calibration uses few images to keep the suite fast: YOLOX-nano 4 photos of
 * images/calib/ (the first 4 by name), UltraFace 2. Each calibration runs once per file.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/onnx/load.js';
import type { OnnxModel } from '../../src/onnx/types.js';
import { parsePtqConfig } from '../config/index.js';
import { runGraph } from '../executor.js';
import type { Tensor } from '../tensor.js';
import { calibrate } from './calibrate.js';
import { foldBatchNorms } from './fold-batch-norm.js';
import { pixelsToInput, prepareImageLoader } from './image-source.js';
import { prepareQuant, type PreparedQuant } from './prepare.js';
import { resultAsFloat, runQuantized, type QuantRunOptions } from './run-quantized.js';
import { cosine as metricsCosine } from '../../src/metrics/pairwise.js';

/** Cosine of two vectors (src/metrics: finite pairs, both-zero = 1, one-zero = 0). */
const cosineValue = (a: ArrayLike<number>, b: ArrayLike<number>): number => metricsCosine(a, b).value;

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = (p: string) => path.resolve(repoRoot, '../shared/data', p);


async function setup(modelFile: string, keys: Record<string, unknown>): Promise<{ model: OnnxModel; prep: PreparedQuant; cfg: ReturnType<typeof parsePtqConfig> }> {
  const model = await loadModel(data(modelFile));
  const cfg = parsePtqConfig(JSON.stringify({ path: data('images/calib'), ...keys }), path.join(repoRoot, 'ptq_config.json'));
  const cal = await calibrate(model, { config: cfg });
  return { model, prep: prepareQuant(model, cal.params), cfg };
}

async function finalCosine(prep: PreparedQuant, x: Tensor, ref: Map<string, Tensor>, opts: QuantRunOptions = {}): Promise<{ cos: Record<string, number>; modes: Record<string, number> }> {
  const inputName = prep.model.graph.inputs[0]!.name;
  const r = await runQuantized(prep, inputName, x, opts);
  const cos: Record<string, number> = {};
  for (const [name, t] of r.outputs) cos[name] = cosineValue(resultAsFloat(prep, name, t), ref.get(name)!.data as Float32Array);
  const modes: Record<string, number> = {};
  for (const m of r.modes.values()) modes[m] = (modes[m] ?? 0) + 1;
  return { cos, modes };
}

describe('YOLOX-nano (BGR, mean 0, var 1), calibrated on 4 images of images/calib/, evaluated on dog.jpg', () => {
  const yolo = { format: 'BGR', width: 416, height: 416, used_image_num: 4, weight_quantize_method: 'MAX_ABS' };
  let x: Tensor;
  let ref: Map<string, Tensor>;
  let model: OnnxModel;
  beforeAll(async () => {
    model = await loadModel(data('models/yolox_nano_3cls.onnx'));
    x = pixelsToInput(await prepareImageLoader(data('images/dog.jpg'), 416, 416, 'BGR'), 416, 416, [0, 0, 0], [1, 1, 1]);
    ref = await runGraph(model, new Map([['images', x]]));
  }, 60_000);

  it('8-bit KL features / MAX_ABS weights: every Conv runs as an integer kernel; final cosine ≈ 0.951', async () => {
    const { prep } = await setup('models/yolox_nano_3cls.onnx', { ...yolo, feature_quantize_method: 'KL' });
    const r = await finalCosine(prep, x, ref);
    // Measured 0.95117 (MSE 0.9333, MAX_ABS 0.9408, ADMM 0.9403 with the same 4 images): below the
    // issue's 0.99. Per-tensor 8-bit features everywhere cannot do better on this model: the loss is
    // made in the stem SiLU (next test, SEMANTICS.md "Measured"), not in the kernels.
    expect(r.cos.output).toBeGreaterThan(0.945);
    expect(r.cos.output).toBeLessThan(0.96);
    expect(r.modes.int).toBe(369);
    // features in float (weights quantized): the weights' share of the error is small (measured 0.99931)
    const wOnly = await finalCosine(prep, x, ref, { featureFakeQuant: false });
    expect(wOnly.cos.output).toBeGreaterThan(0.999);
    expect(wOnly.modes).toEqual({ float: model.graph.nodes.length });
    // weights in float: Convs take the float fallback
    const fOnly = await finalCosine(prep, x, ref, { weightFakeQuant: false });
    expect(fOnly.modes.int ?? 0).toBe(256);
    expect(fOnly.cos.output).toBeGreaterThan(0.94);
  }, 120_000);

  it('8-bit KL / MAX_ABS with only the stem SiLU (Conv_42 and Mul_44 outputs) at 16 bits: final cosine ≥ 0.99', async () => {
    // Where the uniform 8-bit loss comes from (scripts/quant-ablation.ts, SEMANTICS.md "Measured"):
    // the stem conv runs on raw 0..255 pixels, so its output "onnx::Sigmoid_1177" spans −80..100 and
    // its SiLU output "input.7" −0.28..100 (8-bit step 0.38), while 6 of its 16 channels have a
    // standard deviation of 0.05..0.23 on dog.jpg and feed the BatchNorm-folded depthwise Conv_45,
    // which amplifies them. With every other tensor at 8 bits, those two tensors at 16 bits give
    // 0.993 (either one alone: 0.948 / 0.955; every tensor at 16 bits: 0.9993, the weights' floor).
    // The remedy is the guide's (§8.2 B reason 1: more bits), on the culprit only (node_quantize_bits).
    const { prep } = await setup('models/yolox_nano_3cls.onnx', { ...yolo, feature_quantize_method: 'KL', node_quantize_bits: { Conv_42: { feature: 16 }, Mul_44: { feature: 16 } } });
    const wide = Object.entries(prep.params.features).filter(([, f]) => f.bits === 16).map(([n]) => n);
    expect(wide.sort()).toEqual(['input.7', 'onnx::Sigmoid_1177']);
    const r = await finalCosine(prep, x, ref);
    // measured 0.99300 (MSE 0.9950, MAX_ABS 0.9896, ADMM 0.9889 with the same two tensors at 16 bits)
    expect(r.cos.output).toBeGreaterThanOrEqual(0.99);
    expect(r.modes.int).toBe(369);
  }, 120_000);

  it('16-bit features and weights (KL → observed range at ≥ 12 bits): final cosine ≥ 0.9999', async () => {
    const { prep } = await setup('models/yolox_nano_3cls.onnx', { ...yolo, feature_quantize_method: 'KL', feature_quantize_bits: 16, weight_quantize_bits: 16 });
    expect(Object.values(prep.params.features).every((f) => f.dtype === 'uint16')).toBe(true);
    const r = await finalCosine(prep, x, ref);
    // measured 0.999979
    expect(r.cos.output).toBeGreaterThanOrEqual(0.9999);
  }, 120_000);
});

describe('UltraFace with BatchNorm not fused (RGB, (x − 127) / 128), 2 calibration images', () => {
  it('folds its 35 BatchNorms into the preceding Convs; the folded float graph equals the original; integer run is close', async () => {
    const model = await loadModel(data('models/ultraface_rfb_320.onnx'));
    const { model: folded, folds } = foldBatchNorms(model);
    expect(folds.length).toBe(35);
    expect(folded.graph.nodes.length).toBe(model.graph.nodes.length - 35);
    expect(folded.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    const x = pixelsToInput(await prepareImageLoader(data('images/faces_1.jpg'), 320, 240, 'RGB'), 240, 320, [127, 127, 127], [128, 128, 128]);
    const a = await runGraph(model, new Map([['input', x]]));
    const b = await runGraph(folded, new Map([['input', x]]));
    for (const [name, t] of a) expect(cosineValue(t.data as Float32Array, b.get(name)!.data as Float32Array), name).toBeGreaterThan(0.999999);

    const { prep } = await setup('models/ultraface_rfb_320.onnx', { format: 'RGB', width: 320, height: 240, used_image_num: 2, mean: [127, 127, 127], var: [128, 128, 128], feature_quantize_method: 'MSE' });
    expect(prep.params.batchNormFolds.length).toBe(35);
    const r = await finalCosine(prep, x, a);
    // measured: scores 0.99981, boxes 0.99996 (MSE features, MAX_ABS weights, 8-bit)
    expect(r.cos.scores).toBeGreaterThan(0.999);
    expect(r.cos.boxes).toBeGreaterThan(0.999);
    expect(r.modes.int).toBe(128);
  }, 120_000);
});
