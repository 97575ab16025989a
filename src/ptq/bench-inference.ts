/**
 * `magik-parity bench`: the integer reference's inference time against onnxruntime's float run of
 * the same model on the same input and thread count, measured in one process after a warm-up.
 *
 * Parameters: `params` (a params.json) if given; else calibration with `config`; else MAX_ABS 8-bit
 * calibration (features and weights) on the benchmark input itself (one image; the numbers then
 * describe the speed, not a meaningful quantization). Mean/var: `mean`/`var`, else the config's,
 * else 0 and 1 (raw 0..255 pixels).
 *
 * Timed: `runQuantized` with no dump writing and only the graph outputs kept (`reference_ms`), and
 * `session.run` of onnxruntime-node (session created once, all graph optimizations, intra-op
 * threads = `threads`) fetching only the graph outputs (`ort_float_ms`); medians of `repeat` runs
 * each, after a warm-up, the two sides interleaved run by run (so both see the same machine load).
 * The warm-up is interleaved too and lasts at least {@link WARMUP_MS} (and 2 runs per side): both
 * sides are slower for their first ~20–40 runs while V8's compiler and garbage-collector threads
 * still compete for the cores (YOLOX-nano 416, 2 threads, medians of 5 pairs: reference 20.8 /
 * 23.2 / 18.0 ms in the first 15 runs, 14.7–16.6 ms after 20; onnxruntime 12.0 / 8.8 / 8.0, then
 * 7.6–8.2). MACs are those of the integer linear layers (Conv, ConvTranspose, Gemm, MatMul), from
 * the shapes of the first warm-up run.
 */
import * as path from 'node:path';
import { loadModel } from '../onnx/load.js';
import type { OnnxModel } from '../onnx/types.js';
import { prepareFloatInput } from '../float/float-input.js';
import { createSession, floatTensor as ortFloat, runSession } from '../onnx/ort-session.js';
import { UserError } from '../errors.js';
import { channelsOf, loadPtqConfig, parsePtqConfig, type PtqConfig } from '../../reference/config/index.js';
import { floatTensor, type Tensor } from '../../reference/tensor.js';
import { calibrate, checkModelAgainstConfig } from '../../reference/quantize/calibrate.js';
import { prepareQuant, type PreparedQuant } from '../../reference/quantize/prepare.js';
import { readParamsFile } from '../../reference/quantize/params-file.js';
import { runQuantized, type QuantRunOptions } from '../../reference/quantize/run-quantized.js';
import { imageInput } from '../float/float-input.js';
import { defaultThreads, engineFor, type KernelChoice } from './run-reference.js';

/** Least warm-up time, ms (see the file header); at most {@link WARMUP_MAX_RUNS} runs per side. */
export const WARMUP_MS = 1500;
export const WARMUP_MAX_RUNS = 100;

export interface BenchOptions {
  model: string | OnnxModel;
  /** input_uint8.bin (uint8 NHWC). */
  input: string;
  params?: string;
  config?: string;
  mean?: string;
  var?: string;
  /** Timed runs per side (default 5). */
  repeat?: number;
  /** Threads for the fast kernels and for onnxruntime (default 2, or 1 on one core). */
  threads?: number;
  kernels?: KernelChoice;
}

/** The benchmark result (snake_case: it is the `--json` object). */
export interface BenchResult {
  model: string;
  kernels: KernelChoice;
  threads: number;
  repeat: number;
  /** Where the parameters came from. */
  calibration: 'params' | 'config' | 'input-max-abs-8bit';
  /** Median integer reference inference time, ms. */
  reference_ms: number;
  /** Median onnxruntime float run time (final outputs only), ms. */
  ort_float_ms: number;
  /** reference_ms / ort_float_ms. */
  ratio: number;
  /** Multiply-accumulates of the integer linear layers of one inference. */
  macs: number;
  /** macs / reference time, in 10^9 per second. */
  gmacs: number;
  /** Time per ONNX op type in the median reference run, ms, largest first. */
  per_op: Record<string, number>;
  warnings: string[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** The PtqConfig for MAX_ABS 8-bit calibration on the benchmark input itself. */
function selfConfig(input: string, c: number, h: number, w: number, mean: string | undefined, vr: string | undefined): PtqConfig {
  const fmt = c === 1 ? 'GRAY' : 'BGR';
  const list = (v: string | undefined, d: number): string => v ?? new Array<number>(c).fill(d).join(',');
  const json = { format: fmt, width: w, height: h, path: path.dirname(input), used_image_num: 1, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS', feature_quantize_bits: 8, weight_quantize_bits: 8, mean: list(mean, 0), var: list(vr, 1) };
  return parsePtqConfig(JSON.stringify(json), `${input} (self-calibration)`);
}

/** Total MACs of the linear layers, from tensor dims seen in one run. */
function linearMacs(model: OnnxModel, dims: Map<string, readonly number[]>): number {
  const prod = (d: readonly number[] | undefined): number => (d ? d.reduce((a, b) => a * b, 1) : 0);
  let macs = 0;
  for (const node of model.graph.nodes) {
    const w = model.graph.initializers.get(node.inputs[1] ?? '')?.dims ?? dims.get(node.inputs[1] ?? '');
    const out = dims.get(node.outputs[0] ?? '');
    const x = dims.get(node.inputs[0] ?? '');
    if (!w || !out || !x) continue;
    if (node.opType === 'Conv') macs += prod(out) * prod(w.slice(1));
    else if (node.opType === 'ConvTranspose') macs += prod(x) * prod(w.slice(1));
    else if (node.opType === 'Gemm' || node.opType === 'MatMul') {
      const transA = node.opType === 'Gemm' && node.attrs.transA === 1;
      const k = transA ? x[0]! : x[x.length - 1]!;
      macs += prod(out) * k;
    }
  }
  return macs;
}

/** Runs the benchmark (see the file header). */
export async function benchInference(opts: BenchOptions): Promise<BenchResult> {
  const repeat = opts.repeat ?? 5;
  if (!Number.isInteger(repeat) || repeat < 1) throw new UserError('USAGE', `--repeat ${repeat}: must be a whole number ≥ 1`, 'e.g. --repeat 5');
  const threads = opts.threads ?? defaultThreads();
  const kernels = opts.kernels ?? 'fast';
  const model = typeof opts.model === 'string' ? await loadModel(opts.model) : opts.model;
  const warnings = [...model.warnings];
  const cfg = opts.config ? await loadPtqConfig(opts.config, { mean: opts.mean, var: opts.var }) : null;
  const info = imageInput(model);
  const mean = opts.mean ?? (cfg ? Array.from(cfg.mean) : '0');
  const vr = opts.var ?? (cfg ? Array.from(cfg.var) : '1');
  const input = await prepareFloatInput(model, { input: opts.input, mean, var: vr });
  warnings.push(...input.warnings);
  const [n, h, w, c] = input.nhwcShape;
  const x = floatTensor([n, c, h, w], input.nchw);

  let prep: PreparedQuant;
  let calibration: BenchResult['calibration'];
  if (opts.params) {
    prep = prepareQuant(model, await readParamsFile(opts.params), opts.params);
    calibration = 'params';
  } else if (cfg) {
    checkModelAgainstConfig(model, cfg);
    const cal = await calibrate(model, { config: cfg });
    warnings.push(...cal.warnings);
    prep = prepareQuant(model, cal.params);
    calibration = 'config';
  } else {
    const self = selfConfig(opts.input, c, h, w, opts.mean, opts.var);
    const pixels = c === input.fileBytes.length / (n * h * w) ? input.fileBytes : null;
    if (!pixels || n !== 1) throw new UserError('USAGE', `${opts.input}: self-calibration needs one ${c}-channel image (got NHWC [${[n, h, w, input.fileBytes.length / (n * h * w)].join(',')}])`, 'pass --params or --config');
    const cal = await calibrate(model, { config: self, images: [path.resolve(opts.input)], loadImage: async () => pixels });
    prep = prepareQuant(model, cal.params);
    calibration = 'input-max-abs-8bit';
  }

  const fast = await engineFor(kernels, threads);
  const runOpts: QuantRunOptions = {
    weightFakeQuant: cfg?.weightFakeQuant,
    featureFakeQuant: cfg?.featureFakeQuant,
    skipNodeQuant: cfg?.skipNodeQuant,
    skipOpQuant: cfg?.skipOpQuant,
    fast,
  };
  const file = typeof opts.model === 'string' ? opts.model : model.file;
  // onnxruntime's threads stop spinning when a run returns (as the reference's workers do at the
  // end of theirs, FastEngine.endRun): otherwise they hold a core for ~30 ms, the next reference run
  const session = await createSession(model.bytes, file, { threads, optimization: 'all', stopSpinningAfterRun: true });
  try {
    const feeds = { [info.name]: ortFloat(input.nchw, [n, c, h, w]) };
    const fetches = model.graph.outputs.map((o) => o.name);
    // warm-up of both sides (the reference's records shapes for the MAC count)
    const dims = new Map<string, readonly number[]>([[info.name, x.dims]]);
    await runQuantized(prep, info.name, x, { ...runOpts, onTensor: (name: string, t: Tensor) => void dims.set(name, t.dims) });
    await runSession(session, feeds, file, fetches);
    const warm0 = performance.now();
    for (let r = 1; r < WARMUP_MAX_RUNS && (r < 2 || performance.now() - warm0 < WARMUP_MS); r++) {
      await runQuantized(prep, info.name, x, runOpts);
      await runSession(session, feeds, file, fetches);
    }
    // interleaved, so that both sides see the same machine load
    const refTimes: number[] = [];
    const perRun: Map<string, number>[] = [];
    const ortTimes: number[] = [];
    for (let r = 0; r < repeat; r++) {
      const opTimes = new Map<string, number>();
      const t0 = performance.now();
      await runQuantized(prep, info.name, x, { ...runOpts, opTimes });
      refTimes.push(performance.now() - t0);
      perRun.push(opTimes);
      const t1 = performance.now();
      await runSession(session, feeds, file, fetches);
      ortTimes.push(performance.now() - t1);
    }
    const referenceMs = median(refTimes);
    const medianRun = perRun[refTimes.indexOf(referenceMs)]!;
    const ortMs = median(ortTimes);
    const macs = linearMacs(prep.model, dims);
    return {
      model: path.basename(model.file),
      kernels,
      threads,
      repeat,
      calibration,
      reference_ms: referenceMs,
      ort_float_ms: ortMs,
      ratio: referenceMs / ortMs,
      macs,
      gmacs: macs / (referenceMs * 1e6),
      per_op: Object.fromEntries([...medianRun].sort((a, b) => b[1] - a[1])),
      warnings,
    };
  } finally {
    await session.release();
  }
}
