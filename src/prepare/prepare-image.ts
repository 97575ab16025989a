/**
 * Turns a photo into the network's uint8 NHWC input the way the vendor's OpenCV-based tools do:
 * imread-equivalent decode, OpenCV INTER_LINEAR resize (byte-exact port), letterbox padding or
 * stretch, channels in the model's order. The result is what `input_uint8.bin` /
 * `magik_input_nhwc_1_H_W_3.bin` hold (FORMATS.md §1).
 *
 * Channel order: `format` names the order WRITTEN, i.e. the model's input order, like the
 * vendor config's `"format"` (RGB/BGR). Default BGR: what OpenCV's imread hands the vendor's PC
 * sample, and what the board sample feeds (it swaps stb_image's RGB into BGR + 0). Models trained
 * on RGB (e.g. FastestDet, UltraFace) need `format: 'RGB'`.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { decodeImageRgb, toChannelOrder, type ChannelOrder } from './decode.js';
import { applyGeometry, fitGeometry, type FitGeometry, type FitMode, type LetterboxRule } from './letterbox.js';
import type { ImageU8 } from './opencv-resize.js';

export interface PrepareOptions {
  /** Model input width in pixels. */
  width: number;
  /** Model input height in pixels. */
  height: number;
  /** Channel order written (default BGR). */
  format?: ChannelOrder;
  /** Letterbox (default) or stretch. */
  mode?: FitMode;
  /** Letterbox size/padding rule (default `vendor`, see letterbox.ts). */
  rule?: LetterboxRule;
  /** Border value 0..255 (default 0; YOLOX uses 114). */
  padValue?: number;
}

export interface PrepareImageOptions extends PrepareOptions {
  /** Path of a JPEG/PNG image. */
  image: string;
}

export interface PreparedInput {
  /** uint8 NHWC, `1 * height * width * 3` bytes, channels in `format` order. */
  data: Uint8Array;
  /** NHWC. */
  shape: [1, number, number, 3];
  format: ChannelOrder;
  geometry: FitGeometry;
}

/** Prepares an already decoded RGB image (3 channels, interleaved). */
export function prepareDecoded(rgb: ImageU8, opts: PrepareOptions): PreparedInput {
  if (rgb.channels !== 3) throw new UserError('IMAGE_FORMAT', `image has ${rgb.channels} channels, expected 3 (RGB)`);
  const format = opts.format ?? 'BGR';
  const geometry = fitGeometry(rgb.width, rgb.height, opts.width, opts.height, { mode: opts.mode, rule: opts.rule, padValue: opts.padValue });
  const fitted = applyGeometry(toChannelOrder(rgb, format), geometry);
  return { data: fitted.data, shape: [1, opts.height, opts.width, 3], format, geometry };
}

/**
 * Decodes `opts.image` and prepares it (see module doc). Used by `magik-parity prepare` and by
 * the integer reference's calibration for every calibration image.
 */
export async function prepareImage(opts: PrepareImageOptions): Promise<PreparedInput> {
  // Validate the cheap options before decoding.
  fitGeometry(1, 1, opts.width, opts.height, { mode: opts.mode, rule: opts.rule, padValue: opts.padValue });
  const rgb = await decodeImageRgb(opts.image);
  return prepareDecoded(rgb, opts);
}

/** The vendor's name for a uint8 NHWC input: `magik_input_nhwc_1_H_W_C.bin`. */
export function defaultInputName(shape: readonly number[]): string {
  return `magik_input_nhwc_${shape.join('_')}.bin`;
}

/**
 * Writes a prepared input atomically. `out` may be a file path, an existing folder, a path
 * ending in `/`, or omitted (then `cwd`); folders get the default name.
 * @returns the file written.
 */
export async function writePreparedInput(p: PreparedInput, out: string | undefined, cwd = process.cwd()): Promise<string> {
  let target = path.resolve(cwd, out ?? '.');
  let isDir = out === undefined || /[\\/]$/.test(out);
  if (!isDir) {
    try {
      isDir = (await fsp.stat(target)).isDirectory();
    } catch {
      isDir = false;
    }
  }
  if (isDir) target = path.join(target, defaultInputName(p.shape));
  const dir = path.dirname(target);
  try {
    const st = await fsp.stat(dir);
    if (!st.isDirectory()) throw new Error('not a folder');
    await fsp.access(dir, 2 /* W_OK */);
  } catch {
    throw new UserError('OUTPUT_UNWRITABLE', `${dir}: output folder does not exist or is not writable`, 'create it first or choose another --out');
  }
  await writeFileAtomic(target, p.data);
  return target;
}
