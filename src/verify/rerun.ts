/**
 * The reference re-run engine behind verified triage (TRIAGE.md, last paragraph): one model, one
 * PTQ config and one input_uint8.bin; a float "truth" run of the BatchNorm-folded model (every
 * tensor kept), then any number of integer runs under config variants, each scored against the
 * truth per tensor (cosine, SQNR) and on the graph outputs.
 *
 * Truth input: the float dump folder's `input.bin` (float32 NHWC after the float side's own
 * mean/var and channel order) when the report has one, so a preprocessing mismatch (phenomenon
 * A) shows up as it did in the dumps; otherwise input_uint8.bin preprocessed with the config.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { prepareFloatInput } from '../float/float-input.js';
import type { OnnxModel } from '../onnx/types.js';
import { cosine as cosineOf, sqnrDb as sqnrOf } from '../metrics/pairwise.js';
import type { PtqConfig } from '../../reference/config/index.js';
import { runGraph } from '../../reference/executor.js';
import { floatTensor, type Tensor } from '../../reference/tensor.js';
import { checkModelAgainstConfig, collectHistograms, paramsFromHistograms, type CalibrationHistograms } from '../../reference/quantize/calibrate.js';
import type { ImageLoader } from '../../reference/quantize/image-source.js';
import { prepareQuant, type PreparedQuant } from '../../reference/quantize/prepare.js';
import { resultAsFloat, runQuantized } from '../../reference/quantize/run-quantized.js';
import { correctBiases } from '../../reference/quantize/bias-correction.js';
import type { IntStepOptions } from '../../reference/quantize/int-step.js';
import type { FastEngine } from '../../reference/fast/engine.js';

/** How the quantized side's input is made from input_uint8.bin (phenomenon A probes). */
export interface InputVariant {
  swapRb?: boolean;
  /** Per-channel mean / var (default: the config's). */
  mean?: readonly number[];
  var?: readonly number[];
  /** Read input_uint8.bin as planar NCHW instead of NHWC (layout probe). */
  planar?: boolean;
}

export interface RerunContext {
  /** The original model (unfolded). */
  model: OnnxModel;
  cfg: PtqConfig;
  inputName: string;
  /** input_uint8.bin (uint8 NHWC). */
  inputFile: string;
  /** The float truth's input, NCHW float32. */
  truthInput: Tensor;
  truthFrom: 'float-dump-input.bin' | 'config-preprocessing';
  /** Every tensor of the float run of the folded model on truthInput. */
  truth: Map<string, Tensor>;
  /** The parameters of the config as given (calibrated or from --params). */
  base: PreparedQuant;
  /** Calibration images of the base parameters (reused by every re-calibration). */
  images: string[] | undefined;
  loadImage?: ImageLoader;
  /** The fast-kernel engine of every integer run (null / absent: plain TypeScript; results are identical). */
  fast?: FastEngine | null;
  /** Calibration histograms per input setting (histogramsFor), filled on first use. */
  histograms?: Map<string, CalibrationHistograms>;
  warnings: string[];
}

/** Cosine and SQNR (dB) of one tensor against the truth. */
export interface TensorScore {
  cosine: number;
  sqnrDb: number;
}

/** One integer run scored against the truth. */
export interface RunScore {
  /** Worst graph-output cosine (the "final" cosine). */
  final: number;
  outputs: Record<string, number>;
  /** Tensor name -> score, every quantized feature tensor of the run. */
  tensors: Map<string, TensorScore>;
}

/** Cosine and SQNR of `t` against `r` (both float). */
export function score(r: ArrayLike<number>, t: ArrayLike<number>): TensorScore {
  return { cosine: cosineOf(r, t).value, sqnrDb: sqnrOf(r, t) };
}

/** The NCHW float input of the quantized side for an input variant (config mean/var by default). */
export async function quantInput(ctx: Pick<RerunContext, 'model' | 'cfg' | 'inputFile'>, v: InputVariant = {}): Promise<Tensor> {
  const fi = await prepareFloatInput(ctx.model, { input: ctx.inputFile, mean: v.mean ?? ctx.cfg.mean, var: v.var ?? ctx.cfg.var, swapRb: v.swapRb });
  const [n, h, w, c] = fi.nhwcShape;
  if (!v.planar) return floatTensor([n, c, h, w], fi.nchw);
  // the same bytes read as planar (C,H,W): the NHWC-ordered buffer fi.nhwc reinterpreted
  return floatTensor([n, c, h, w], Float32Array.from(fi.nhwc));
}

/** Reads a float dump folder's input.bin (float32 NHWC) as NCHW; null when absent or of another size. */
export async function readDumpInput(folder: string, dims: readonly number[]): Promise<Tensor | null> {
  const file = path.join(folder, 'input.bin');
  let buf: Buffer;
  try {
    buf = await fsp.readFile(file);
  } catch {
    return null;
  }
  const [n, c, h, w] = dims as [number, number, number, number];
  if (buf.length !== n * c * h * w * 4) return null;
  const src = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  const out = new Float32Array(src.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) out[((b * c + k) * h + y) * w + x] = src[((b * h + y) * w + x) * c + k]!;
  return floatTensor([n, c, h, w], out);
}

/**
 * The calibration histograms of `cfg` on the context's images, collected once per input setting
 * (format, size, mean/var, images) and kept in `ctx.histograms` when the context has that cache.
 */
export async function histogramsFor(ctx: Pick<RerunContext, 'model' | 'images' | 'loadImage' | 'histograms'>, cfg: PtqConfig): Promise<CalibrationHistograms> {
  const key = (images: readonly string[] | null) => JSON.stringify([cfg.path, cfg.usedImageNum, cfg.format, cfg.width, cfg.height, cfg.mean, cfg.var, images]);
  let h = ctx.histograms?.get(key(ctx.images ?? null));
  if (!h) {
    h = await collectHistograms(ctx.model, { config: cfg, images: ctx.images, loadImage: ctx.loadImage });
    ctx.histograms?.set(key(ctx.images ?? null), h);
    ctx.histograms?.set(key(h.images), h);
  }
  return h;
}

/**
 * Calibrates `cfg` on the context's images (with bias correction when the config asks for it).
 * Histograms are shared between calls with the same input settings, and parameters of unchanged
 * bits are taken from `ctx.base` when it was made from the same histograms: the result equals
 * `calibrate()` with `cfg`, only faster.
 */
export async function calibrateFor(ctx: Pick<RerunContext, 'model' | 'images' | 'loadImage' | 'histograms'> & { base?: PreparedQuant }, cfg: PtqConfig): Promise<{ prep: PreparedQuant; images: string[]; warnings: string[] }> {
  const h = await histogramsFor(ctx, cfg);
  const warnings = [...h.warnings];
  let prep = prepareQuant(ctx.model, paramsFromHistograms(ctx.model, cfg, h, warnings, ctx.base?.params));
  if (cfg.biasCorr.weightCorr || cfg.biasCorr.featureCorr) {
    const bc = await correctBiases(prep, cfg, { loadImage: ctx.loadImage, makePrepared: (p) => prepareQuant(ctx.model, p) });
    warnings.push(...bc.warnings);
    prep = prepareQuant(ctx.model, bc.params);
  }
  return { prep, images: h.images, warnings };
}

/** The integer-step switches of a config. */
export function stepOptions(cfg: PtqConfig): IntStepOptions {
  return { weightFakeQuant: cfg.weightFakeQuant, featureFakeQuant: cfg.featureFakeQuant, skipNodeQuant: cfg.skipNodeQuant, skipOpQuant: cfg.skipOpQuant };
}

/** Runs `prep` in integer mode on `x` with the config's switches and scores every tensor against the truth. */
export async function runScored(ctx: Pick<RerunContext, 'truth' | 'fast'>, prep: PreparedQuant, inputName: string, x: Tensor, opts: IntStepOptions): Promise<RunScore> {
  const tensors = new Map<string, TensorScore>();
  const r = await runQuantized(prep, inputName, x, {
    fast: ctx.fast ?? null,
    ...opts,
    onTensor: (name, t, _node, q) => {
      const f = ctx.truth.get(name);
      if (!f || f.dtype !== 'float32' || !(q || t.dtype === 'float32')) return;
      tensors.set(name, score(f.data as Float32Array, resultAsFloat(prep, name, t)));
    },
  });
  const outputs: Record<string, number> = {};
  for (const [name] of r.outputs) {
    const s = tensors.get(name);
    if (s) outputs[name] = s.cosine;
  }
  const vals = Object.values(outputs);
  return { final: vals.length ? Math.min(...vals) : NaN, outputs, tensors };
}

export interface ContextOptions {
  model: OnnxModel;
  cfg: PtqConfig;
  inputFile: string;
  /** A float dump folder whose input.bin is the float side's input (optional). */
  floatDumps?: string;
  /** Parameters to reuse instead of calibrating (a loaded, checked PreparedQuant). */
  prepared?: PreparedQuant;
  loadImage?: ImageLoader;
  /** The fast-kernel engine for the integer runs (default: plain TypeScript). */
  fast?: FastEngine | null;
}

/** Builds the re-run context: base parameters, truth input and the float truth run. */
export async function makeContext(o: ContextOptions): Promise<RerunContext> {
  const inputName = checkModelAgainstConfig(o.model, o.cfg);
  const warnings: string[] = [];
  const histograms = new Map<string, CalibrationHistograms>();
  let base = o.prepared;
  let images: string[] | undefined;
  if (!base) {
    const c = await calibrateFor({ model: o.model, images: undefined, loadImage: o.loadImage, histograms }, o.cfg);
    base = c.prep;
    images = c.images;
    warnings.push(...c.warnings);
  } else {
    images = undefined;
  }
  const own = await quantInput({ model: o.model, cfg: o.cfg, inputFile: o.inputFile });
  const fromDump = o.floatDumps ? await readDumpInput(o.floatDumps, own.dims) : null;
  if (o.floatDumps && !fromDump) warnings.push(`${o.floatDumps}: no input.bin of the model's input size; the float truth uses input_uint8.bin with the config's mean/var`);
  const truthInput = fromDump ?? own;
  const truth = await runGraph(base.model, new Map([[inputName, truthInput]]), { keep: 'all' });
  if (!truth.size) throw new UserError('EXEC_FAILED', `${o.model.file}: the float run produced no tensor`);
  return { model: o.model, cfg: o.cfg, inputName, inputFile: o.inputFile, truthInput, truthFrom: fromDump ? 'float-dump-input.bin' : 'config-preprocessing', truth, base, images, loadImage: o.loadImage, fast: o.fast ?? null, histograms, warnings };
}
