/**
 * `magik-parity reference`: the PC integer reference on one input. Loads the model and the PTQ
 * config, calibrates (or reuses `--params`), runs the integer executor and writes `ptq_model/`,
 * `ptq_model_dequantize/`, `MAGIK_DATA_DUMP/` + `pc.log`, `input_uint8.bin` and `params.json`.
 * With `noQuant` the same executor runs in float and the folders hold float32 tensors.
 * Nothing is written before the inputs are validated and calibration has finished.
 */
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { fsError } from '../errors.js';
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { fastEngine, type FastEngine } from '../../reference/fast/engine.js';
import { prepareOutDir, writeFileAtomic } from '../io/atomic.js';
import { loadModel } from '../onnx/load.js';
import type { OnnxModel, OnnxNode } from '../onnx/types.js';
import { prepareFloatInput } from '../float/float-input.js';
import { loadPtqConfig, type PtqConfig } from '../../reference/config/index.js';
import { planGraph, runGraph } from '../../reference/executor.js';
import { floatTensor, type Tensor } from '../../reference/tensor.js';
import type { FeatureQParams } from '../../reference/quant/feature-params.js';
import { calibrate, checkModelAgainstConfig } from '../../reference/quantize/calibrate.js';
import type { ImageLoader } from '../../reference/quantize/image-source.js';
import { prepareQuant, type PreparedQuant } from '../../reference/quantize/prepare.js';
import { readParamsFile, writeParamsFile } from '../../reference/quantize/params-file.js';
import { settingsDigest, settingsOf, type QuantParams } from '../../reference/quantize/params.js';
import { resultAsFloat, runQuantized } from '../../reference/quantize/run-quantized.js';
import { correctBiases } from '../../reference/quantize/bias-correction.js';
import { toCodes, type NodeMode } from '../../reference/quantize/int-step.js';
import { PtqWriter, PC_LOG_FILE } from './ptq-writer.js';
import { cosine } from '../metrics/index.js';

export type ReferencePhase = 'calibrate' | 'bias-correction' | 'run';

export interface ReferenceOptions {
  /** The model file, or a model loaded with loadModel. */
  model: string | OnnxModel;
  /** ptq_config.json. */
  config: string;
  /** input_uint8.bin (uint8 NHWC, channels in the model's order). */
  input: string;
  out: string;
  /** Reuse these parameters instead of calibrating. */
  params?: string;
  /** Float mode: no quantization. */
  noQuant?: boolean;
  /** Command-line mean/var (override the config's). */
  mean?: string;
  var?: string;
  force?: boolean;
  /** Write MAGIK_DATA_DUMP/ and pc.log (default true); `debug` sets false for the transform tool's layout. */
  pcDump?: boolean;
  /**
   * ptq_model/ file names: sanitized tensor names (default) or the name of the node that
   * produces the tensor in the ORIGINAL model (a folded Conv+BatchNorm writes the BatchNorm's
   * tensor, so it is named after the BatchNorm, like float_model/).
   */
  fileNames?: 'tensor' | 'node';
  /** Calibration image loader (default: prepare's OpenCV-exact decode + resize). */
  loadImage?: ImageLoader;
  onProgress?: (phase: ReferencePhase, done: number, total: number) => void;
  /**
   * Integer kernels: 'fast' (default) runs Conv/ConvTranspose/Gemm/MatMul on the WebAssembly SIMD
   * engine wherever it is bit-identical to the plain-TS kernels; 'ts' runs only the TS kernels.
   * The dumps are byte-identical either way.
   */
  kernels?: KernelChoice;
  /** Computing threads of the fast engine (default {@link defaultThreads}). */
  threads?: number;
}

/** Which integer kernels run. */
export type KernelChoice = 'ts' | 'fast';

/** Default thread count of the fast kernels: 2, or 1 on a single-core machine. */
export function defaultThreads(): number {
  return Math.max(1, Math.min(2, os.availableParallelism()));
}

/** The engine for `kernels` (null for 'ts'); the process-wide engine is created once per thread count. */
export async function engineFor(kernels: KernelChoice | undefined, threads: number | undefined): Promise<FastEngine | null> {
  if (kernels === 'ts') return null;
  return fastEngine(threads ?? defaultThreads());
}

export interface ReferenceResult {
  out: string;
  /** null in --no-quant mode. */
  params: QuantParams | null;
  /** Tensors written to ptq_model/. */
  written: number;
  /** Final-output cosine vs the float executor on the same input, per graph output. */
  outputCosine: Record<string, number>;
  /** How many nodes ran in each mode. */
  modes: Partial<Record<NodeMode, number>>;
  warnings: string[];
  timings: { calibrateMs: number; runMs: number; totalMs: number };
}

/** Obtains the parameters: from --params (checked against the model) or by calibrating. */
async function obtainParams(model: OnnxModel, cfg: PtqConfig, opts: ReferenceOptions, warnings: string[]): Promise<{ prep: PreparedQuant; calibrateMs: number }> {
  const t0 = performance.now();
  if (opts.params) {
    const params = await readParamsFile(opts.params);
    const prep = prepareQuant(model, params, opts.params);
    const now = settingsDigest({ ...settingsOf(cfg, []), images: params.settings.images });
    if (now !== params.configDigest) warnings.push(`${opts.params}: made with other settings than ${cfg.file} (methods, bits, size, mean/var or node_quantize_bits differ); using the file's parameters`);
    return { prep, calibrateMs: performance.now() - t0 };
  }
  const cal = await calibrate(model, { config: cfg, loadImage: opts.loadImage, onProgress: (d, t) => opts.onProgress?.('calibrate', d, t) });
  warnings.push(...cal.warnings);
  let prep = prepareQuant(model, cal.params);
  if (cfg.biasCorr.weightCorr || cfg.biasCorr.featureCorr) {
    const bc = await correctBiases(prep, cfg, { loadImage: opts.loadImage, makePrepared: (p) => prepareQuant(model, p), onProgress: (d, t) => opts.onProgress?.('bias-correction', d, t) });
    warnings.push(...bc.warnings);
    prep = prepareQuant(model, bc.params);
  }
  return { prep, calibrateMs: performance.now() - t0 };
}

/** Runs the reference and writes the output folder. */
export async function runReference(opts: ReferenceOptions): Promise<ReferenceResult> {
  const t0 = performance.now();
  const model = typeof opts.model === 'string' ? await loadModel(opts.model) : opts.model;
  const cfg = await loadPtqConfig(opts.config, { mean: opts.mean, var: opts.var });
  const warnings = [...model.warnings, ...cfg.warnings];
  const inputName = checkModelAgainstConfig(model, cfg);
  const input = await prepareFloatInput(model, { input: opts.input, mean: cfg.mean, var: cfg.var });
  warnings.push(...input.warnings);
  const [n, h, w, c] = input.nhwcShape;
  const x = floatTensor([n, c, h, w], input.nchw);
  const out = path.resolve(opts.out);

  let prep: PreparedQuant | null = null;
  let calibrateMs = 0;
  if (!opts.noQuant) ({ prep, calibrateMs } = await obtainParams(model, cfg, opts, warnings));
  // --no-quant runs the original graph (no folding), so every tensor of float_model/ has its twin
  const runModel = prep ? prep.model : model;
  // Validation and calibration are done: only now is anything written.
  await prepareOutDir(out, Boolean(opts.force));
  // --force over an earlier run: its completion markers go first, so an interrupted rerun never
  // leaves a folder that looks complete (an old manifest.json / pc.log / params.json beside new tensors)
  if (opts.force) await removeMarkers(out, opts.params);
  const fileBytes = input.fileBytes.length === n * h * w * c ? input.fileBytes : firstChannels(input.fileBytes, n * h * w, c);
  const writer = await PtqWriter.create({ out, model: { file: path.basename(model.file), md5: model.md5 }, inputMd5: createHash('md5').update(input.fileBytes).digest('hex'), pcDump: opts.pcDump, fileNames: opts.fileNames });
  writer.addVendorInput(fileBytes, [n, h, w, c]);
  const inQ = prep ? prep.features.get(inputName)! : null;
  const inputCodes = prep && inQ ? toCodes(x, inQ) : x;
  writer.add({ tensorName: inputName, nodeName: '', opType: 'Input', role: 'input' }, x.dims, inputCodes.data as Float32Array, inQ);

  const t1 = performance.now();
  const plan = planGraph(runModel);
  const total = plan.steps.length;
  let done = 0;
  const onTensor = (name: string, t: Tensor, node: OnnxNode, q: FeatureQParams | null): void => {
    if (!plan.valueIndependent.has(name) && (q || t.dtype === 'float32')) {
      const orig = opts.fileNames === 'node' ? model.graph.producer.get(name) : undefined;
      writer.add({ tensorName: name, nodeName: orig?.name ?? node.name, opType: orig?.opType ?? node.opType }, t.dims, t.data as Float32Array, q);
    }
    opts.onProgress?.('run', ++done, total);
  };
  let outputs: Map<string, Tensor>;
  const modes: Partial<Record<NodeMode, number>> = {};
  if (prep) {
    const r = await runQuantized(prep, inputName, x, {
      weightFakeQuant: cfg.weightFakeQuant,
      featureFakeQuant: cfg.featureFakeQuant,
      skipNodeQuant: cfg.skipNodeQuant,
      skipOpQuant: cfg.skipOpQuant,
      fast: await engineFor(opts.kernels, opts.threads),
      onTensor,
    });
    warnings.push(...r.warnings);
    for (const m of r.modes.values()) modes[m] = (modes[m] ?? 0) + 1;
    outputs = r.outputs;
  } else {
    outputs = await runGraph(runModel, new Map([[inputName, x]]), { onTensor: (name, t, node) => onTensor(name, t, node, null) });
    modes.float = total;
  }
  const runMs = performance.now() - t1;
  // the manifests and pc.log (writer.finish) come last: their presence means the folder is complete
  await writeFileAtomic(path.join(out, 'input_uint8.bin'), input.fileBytes);
  if (prep) await writeParamsFile(path.join(out, 'params.json'), prep.params);
  await writer.finish();

  const outputCosine: Record<string, number> = {};
  if (prep) {
    const ref = await runGraph(runModel, new Map([[inputName, x]]));
    for (const [name, t] of outputs) {
      const f = ref.get(name);
      if (f && f.dtype === 'float32') outputCosine[name] = cosine(f.data as Float32Array, resultAsFloat(prep, name, t)).value;
    }
  } else {
    for (const [name, t] of outputs) if (t.dtype === 'float32') outputCosine[name] = 1;
  }
  return { out, params: prep?.params ?? null, written: writer.count, outputCosine, modes, warnings, timings: { calibrateMs, runMs, totalMs: performance.now() - t0 } };
}

/** Files whose presence marks a finished run: removed before a --force rerun writes anything. */
const MARKERS = [path.join('ptq_model', 'manifest.json'), path.join('ptq_model_dequantize', 'manifest.json'), PC_LOG_FILE, 'params.json'];

async function removeMarkers(out: string, keep: string | undefined): Promise<void> {
  for (const f of MARKERS) {
    const file = path.join(out, f);
    if (keep !== undefined && path.resolve(keep) === file) continue; // --params out/params.json: an input, never removed
    try {
      await fsp.rm(file, { force: true });
    } catch (e) {
      throw fsError(e, file, 'remove the earlier run\'s file (--force)');
    }
  }
}

/** The first `c` channels of an NHWC uint8 file (a 4-channel board input reduced to the model's 3). */
function firstChannels(bytes: Uint8Array, pixels: number, c: number): Uint8Array {
  const src = bytes.length / pixels;
  const out = new Uint8Array(pixels * c);
  for (let p = 0; p < pixels; p++) for (let k = 0; k < c; k++) out[p * c + k] = bytes[p * src + k]!;
  return out;
}
