/**
 * Empirical bias correction (`bias_corr` in the PTQ config): Nagel, van Baalen, Blankevoort,
 * Welling, "Data-Free Quantization Through Weight Equalization and Bias Correction", ICCV 2019,
 * §4.2 — quantization shifts the mean of a layer's output, E[ỹ] = E[y] + E[ε], and adding −E[ε]
 * per output channel to the bias removes that shift. Their data-free variant predicts E[ε] from
 * BatchNorm statistics; with images (`corr_dir`) we measure it, layer by layer:
 *
 *   for each Conv / ConvTranspose / Gemm with quantized weights, on the float run's own input x:
 *     y = f(x, W, b)                          (the float output)
 *     ỹ = f(x̃, W̃, b)   x̃ = fake-quantized x (feature_corr), W̃ = dequantized W (weight_corr)
 *     delta[c] = mean over images and positions of (y − ỹ)[c]
 *
 * Each layer is measured on float inputs, so corrections do not compound. The bias becomes
 * b + delta before it is quantized. The effect is measured on `vali_dir`: mean final-output
 * cosine (integer run vs float) before → after.
 */
import * as path from 'node:path';
import { listCalibrationImages, type PtqConfig } from '../config/index.js';
import { planGraph, runGraph } from '../executor.js';
import { fakeQuantize } from '../quant/quantize-tensor.js';
import { makeTensor, type Tensor } from '../tensor.js';
import { pixelsToInput, prepareImageLoader, type ImageLoader } from './image-source.js';
import type { QuantParams } from './params.js';
import type { PreparedQuant } from './prepare.js';
import { resultAsFloat, runQuantized } from './run-quantized.js';
import { cosine as metricsCosine } from '../../src/metrics/pairwise.js';

/** Cosine of two vectors (src/metrics: finite pairs, both-zero = 1, one-zero = 0). */
const cosineValue = (a: ArrayLike<number>, b: ArrayLike<number>): number => metricsCosine(a, b).value;

export interface BiasCorrectionOptions {
  loadImage?: ImageLoader;
  onProgress?: (done: number, total: number) => void;
}

export interface BiasCorrectionResult {
  params: QuantParams;
  warnings: string[];
}

const CORRECTED = new Set(['Conv', 'ConvTranspose', 'Gemm']);


/** Mean final-output cosine (integer vs float) over `images`. */
async function meanCosine(prep: PreparedQuant, cfg: PtqConfig, inputName: string, images: string[], load: ImageLoader): Promise<number> {
  let sum = 0;
  let k = 0;
  for (const img of images) {
    const x = pixelsToInput(await load(img, cfg.width, cfg.height, cfg.format), cfg.height, cfg.width, cfg.mean, cfg.var);
    const f = await runGraph(prep.model, new Map([[inputName, x]]));
    const q = await runQuantized(prep, inputName, x, { weightFakeQuant: cfg.weightFakeQuant, featureFakeQuant: cfg.featureFakeQuant, skipNodeQuant: cfg.skipNodeQuant, skipOpQuant: cfg.skipOpQuant });
    for (const [name, t] of q.outputs) {
      const ft = f.get(name);
      if (!ft || ft.dtype !== 'float32') continue;
      sum += cosineValue(resultAsFloat(prep, name, t), ft.data as Float32Array);
      k++;
    }
  }
  return k === 0 ? NaN : sum / k;
}

/**
 * Measures the per-channel corrections on `corr_dir` and returns parameters carrying them
 * (`biasCorrection`), with the vali_dir cosine before and after. `makePrepared` rebuilds the
 * prepared model from parameters (prepareQuant on the original model).
 */
export async function correctBiases(prep: PreparedQuant, cfg: PtqConfig, opts: BiasCorrectionOptions & { makePrepared: (p: QuantParams) => PreparedQuant }): Promise<BiasCorrectionResult> {
  const warnings: string[] = [];
  const load = opts.loadImage ?? prepareImageLoader;
  const { weightCorr, featureCorr, corrDir, valiDir } = cfg.biasCorr;
  if (!corrDir) {
    warnings.push(`${cfg.file}: bias_corr is on but "bias_corr.corr_dir" is not set; no bias correction`);
    return { params: prep.params, warnings };
  }
  const corr = await listCalibrationImages(corrDir, cfg.usedImageNum);
  warnings.push(...corr.warnings);
  const vali = valiDir ? await listCalibrationImages(valiDir, cfg.usedImageNum) : null;
  if (vali) warnings.push(...vali.warnings);
  const model = prep.model;
  const inputName = model.graph.inputs[0]!.name;
  const plan = planGraph(model);
  const steps = plan.steps.filter((s) => CORRECTED.has(s.node.opType) && prep.weights.has(s.node.name));
  const sums = new Map<string, Float64Array>();
  const counts = new Map<string, number>();
  const total = corr.images.length + (vali ? 2 * vali.images.length : 0);
  let done = 0;
  for (const img of corr.images) {
    const x = pixelsToInput(await load(img, cfg.width, cfg.height, cfg.format), cfg.height, cfg.width, cfg.mean, cfg.var);
    const all = await runGraph(model, new Map([[inputName, x]]), { keep: 'all' });
    for (const s of steps) {
      const node = s.node;
      const w = prep.weights.get(node.name)!;
      const ins: (Tensor | null)[] = node.inputs.map((n) => (n === '' ? null : (all.get(n) ?? inits(model, n))));
      const xin = ins[0]!;
      const q = prep.features.get(node.inputs[0]!);
      if (featureCorr && q) ins[0] = makeTensor('float32', xin.dims, fakeQuantize(xin.data as Float32Array, q));
      if (weightCorr) ins[w.input] = w.fake;
      const yq = s.kernel.float(ins, s.attrs, s.ctx)[0]!;
      const y = all.get(node.outputs[0]!)!;
      const channels = y.dims[1]!;
      const inner = node.opType === 'Gemm' ? 1 : y.dims.slice(2).reduce((a, b) => a * b, 1);
      const outer = y.dims[0]!;
      let acc = sums.get(node.name);
      if (!acc) sums.set(node.name, (acc = new Float64Array(channels)));
      const yd = y.data as Float32Array;
      const qd = yq.data as Float32Array;
      for (let o = 0; o < outer; o++) {
        for (let c = 0; c < channels; c++) {
          const base = (o * channels + c) * inner;
          let d = 0;
          for (let i = 0; i < inner; i++) d += yd[base + i]! - qd[base + i]!;
          acc[c] += d;
        }
      }
      counts.set(node.name, (counts.get(node.name) ?? 0) + outer * inner);
    }
    opts.onProgress?.(++done, total);
  }
  const nodes: Record<string, number[]> = {};
  for (const [name, acc] of sums) nodes[name] = [...acc].map((v) => Math.fround(v / counts.get(name)!));
  const base: QuantParams = { ...prep.params, biasCorrection: undefined };
  const corrected: QuantParams = {
    ...prep.params,
    biasCorrection: { weightCorr, featureCorr, corrImages: corr.images.map((f) => path.basename(f)), valiImages: vali ? vali.images.map((f) => path.basename(f)) : [], cosineBefore: null, cosineAfter: null, nodes },
  };
  if (vali) {
    const before = await meanCosine(opts.makePrepared(base), cfg, inputName, vali.images, load);
    done += vali.images.length;
    opts.onProgress?.(done, total);
    const after = await meanCosine(opts.makePrepared(corrected), cfg, inputName, vali.images, load);
    done += vali.images.length;
    opts.onProgress?.(done, total);
    corrected.biasCorrection!.cosineBefore = before;
    corrected.biasCorrection!.cosineAfter = after;
  } else {
    warnings.push(`${cfg.file}: "bias_corr.vali_dir" is not set; the effect of the bias correction is not measured`);
  }
  return { params: corrected, warnings };
}

function inits(model: PreparedQuant['model'], name: string): Tensor | null {
  const t = model.graph.initializers.get(name);
  return t ? makeTensor(t.dtype as 'float32', t.dims, t.data) : null;
}
