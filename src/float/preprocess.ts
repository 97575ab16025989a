/**
 * Preprocessing exactly as the vendor transform tool's command line applies it:
 * `x = (u8 - mean[c]) / var[c]`, computed in float32, channel c of the file feeding model
 * channel c. There is NO channel reorder: input_uint8.bin already holds the channels in the
 * order the model expects (the vendor tools take it as given). `swapRb` swaps channels 0 and 2
 * of the uint8 pixels before mean/var: a probe for a red/blue mix-up (TRIAGE phenomenon A);
 * mean/var stay indexed by model channel.
 */
import { UserError } from '../errors.js';

/**
 * Parses a `--mean`/`--var` list: comma- or space-separated numbers; exactly `channels` values,
 * or one value used for every channel. `nonZero` refuses 0 (var divides).
 */
export function parseChannelValues(text: string | number | readonly number[], option: string, channels: number, nonZero = false): Float32Array {
  const parts = typeof text === 'number' ? [text] : Array.isArray(text) ? [...text] : String(text).split(/[,\s]+/).filter((s) => s.length > 0).map(Number);
  const shown = Array.isArray(text) ? text.join(',') : String(text);
  if (parts.length === 0 || parts.some((v) => !Number.isFinite(v))) {
    throw new UserError('USAGE', `${option} "${shown}": expected ${channels} comma-separated numbers`, `e.g. ${option} ${new Array(channels).fill(option === '--var' ? 255 : 0).join(',')}`);
  }
  if (parts.length !== 1 && parts.length !== channels) {
    throw new UserError('USAGE', `${option} "${shown}" has ${parts.length} values, the model input has ${channels} channels`, `give ${channels} values (or one value for all channels)`);
  }
  if (nonZero) {
    const z = parts.findIndex((v) => v === 0);
    if (z >= 0) throw new UserError('USAGE', `${option} "${shown}": value ${z} is 0 (x = (u8 - mean) / var would divide by zero)`, 'use the var of the model\'s training preprocessing, e.g. 255 or 1');
  }
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) out[c] = parts.length === 1 ? parts[0]! : parts[c]!;
  return out;
}

export interface PreprocessOptions {
  /** Per-channel mean (float32), model channel order. */
  mean: Float32Array;
  /** Per-channel divisor (float32), model channel order, non-zero. */
  var: Float32Array;
  /** Swap channels 0 and 2 of the uint8 input first. */
  swapRb?: boolean;
}

export interface Preprocessed {
  /** float32 NHWC (what the vendor writes as input.bin). */
  nhwc: Float32Array;
  /** float32 NCHW (what the ONNX model takes). */
  nchw: Float32Array;
}

/**
 * Applies mean/var to uint8 NHWC pixels of shape [n, h, w, c] (c = mean.length). Each value is
 * rounded to float32 after the subtraction and after the division, as numpy float32 does.
 */
export function preprocess(u8: Uint8Array, shape: readonly [number, number, number, number], opts: PreprocessOptions): Preprocessed {
  const [n, h, w, c] = shape;
  if (opts.mean.length !== c || opts.var.length !== c) throw new Error(`preprocess: mean/var have ${opts.mean.length}/${opts.var.length} values for ${c} channels`);
  if (u8.length !== n * h * w * c) throw new Error(`preprocess: ${u8.length} bytes for shape [${shape.join(',')}]`);
  if (opts.swapRb && c < 3) throw new UserError('USAGE', `--swap-rb needs at least 3 channels, the input has ${c}`);
  const hw = h * w;
  const nhwc = new Float32Array(u8.length);
  const nchw = new Float32Array(u8.length);
  const diff = new Float32Array(1);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < hw; p++) {
      const src = (b * hw + p) * c;
      for (let ch = 0; ch < c; ch++) {
        const from = opts.swapRb && (ch === 0 || ch === 2) ? 2 - ch : ch;
        diff[0] = u8[src + from]! - opts.mean[ch]!;
        const x = Math.fround(diff[0] / opts.var[ch]!);
        nhwc[src + ch] = x;
        nchw[(b * c + ch) * hw + p] = x;
      }
    }
  }
  return { nhwc, nchw };
}
