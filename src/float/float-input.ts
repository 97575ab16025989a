/**
 * The float runner's input: input_uint8.bin read, checked against the model input, and
 * preprocessed (mean/var, NHWC -> NCHW).
 */
import { UserError } from '../errors.js';
import { readInputU8, toThreeChannels } from '../input/input-file.js';
import { resolveInputShape } from '../onnx/shapes.js';
import type { OnnxModel, ValueInfo } from '../onnx/types.js';
import { formatShape } from '../onnx/value-info.js';
import { parseChannelValues, preprocess } from './preprocess.js';

export interface FloatInputOptions {
  /** input_uint8.bin: uint8 NHWC, channels in the model's order. */
  input: string;
  /** Per-channel mean: one value per channel or one for all (number, list, or "0,0,0"). */
  mean: string | number | readonly number[];
  /** Per-channel divisor, non-zero, same forms as `mean`. */
  var: string | number | readonly number[];
  /** Swap channels 0 and 2 of the uint8 pixels before mean/var (phenomenon A probe). */
  swapRb?: boolean;
  /** NHWC shape of the input file (else from its name or the model). */
  inputShape?: number[];
}

export interface FloatInput {
  /** The model's (single) input. */
  info: ValueInfo;
  /** Bytes of the input file as read (3 or 4 channels). */
  fileBytes: Uint8Array;
  /** NHWC shape fed to the model (3 channels for a 4-channel board file). */
  nhwcShape: [number, number, number, number];
  /** Preprocessed input: NHWC (input.bin) and NCHW (the model's feed). */
  nhwc: Float32Array;
  nchw: Float32Array;
  mean: Float32Array;
  var: Float32Array;
  warnings: string[];
}

/** The model's single float32 4-D input (the float runner feeds one image). */
export function imageInput(model: OnnxModel): ValueInfo {
  const ins = model.graph.inputs;
  if (ins.length !== 1) {
    throw new UserError('ONNX_UNSUPPORTED', `${model.file}: the model has ${ins.length} inputs (${ins.map((i) => i.name).join(', ')}); the float runner feeds exactly one image`, 'export the model with a single image input');
  }
  const info = ins[0]!;
  if (info.dtype !== 'float32') throw new UserError('ONNX_UNSUPPORTED', `${model.file}: input "${info.name}" is ${info.dtype}, expected float32`, 'the float runner feeds a float32 NCHW image');
  if (info.shape && info.shape.length !== 4) {
    throw new UserError('ONNX_UNSUPPORTED', `${model.file}: input "${info.name}" ${formatShape(info.shape)} is not 4-D NCHW`, 'the float runner feeds a 4-D image');
  }
  return info;
}

/** Reads, checks and preprocesses the input for `model`. */
export async function prepareFloatInput(model: OnnxModel, opts: FloatInputOptions): Promise<FloatInput> {
  const info = imageInput(model);
  const modelShape = info.shape ? info.shape.map((d) => (typeof d === 'number' ? d : null)) : null;
  const img = await readInputU8(opts.input, { shape: opts.inputShape, modelShape });
  const warnings: string[] = [];
  const mc = modelShape?.[1] ?? null;
  let [n, h, w, c] = img.shape;
  let pixels = img.data;
  if (c === 4 && mc !== 4) {
    if (img.channel3NonZero > 0) warnings.push(`${opts.input}: 4-channel (board) input whose channel 3 has ${img.channel3NonZero} non-zero values; using channels 0-2`);
    pixels = toThreeChannels(img);
    c = 3;
  }
  const given = [n, c, h, w];
  if (modelShape && modelShape.some((d, i) => d !== null && d !== given[i])) {
    throw new UserError(
      'INPUT_MISMATCH',
      `${opts.input}: input NHWC [${[n, h, w, c].join(',')}] (shape from ${img.shapeSource}) does not fit model input "${info.name}" NCHW ${formatShape(info.shape)} of ${model.file}`,
      'prepare the input at the model\'s size, or check --input-shape',
    );
  }
  resolveInputShape(model, info, given);
  const mean = parseChannelValues(opts.mean, '--mean', c);
  const vr = parseChannelValues(opts.var, '--var', c, true);
  const pre = preprocess(pixels, [n, h, w, c], { mean, var: vr, swapRb: opts.swapRb });
  return { info, fileBytes: img.data, nhwcShape: [n, h, w, c], nhwc: pre.nhwc, nchw: pre.nchw, mean, var: vr, warnings };
}
