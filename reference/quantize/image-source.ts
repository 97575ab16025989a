/**
 * Calibration images → network input. The loader decodes and resizes one image file to
 * width×height uint8 NHWC in the config's `format` (RGB, BGR or GRAY); mean/var then go through
 * the float runner's own preprocessing (src/float/preprocess.ts), so calibration sees exactly
 * what `magik-parity float` feeds.
 *
 * The loader is injected: {@link sharpImageLoader} (sharp's resize, `fit: fill`) is the default
 * until the OpenCV-exact `prepareImage` of src/prepare/ replaces it.
 */
import sharp from 'sharp';
import { UserError } from '../../src/errors.js';
import { preprocess } from '../../src/float/preprocess.js';
import type { ImageFormat } from '../config/index.js';
import { channelsOf } from '../config/index.js';
import { floatTensor, type Tensor } from '../tensor.js';

/** Decodes `file` and resizes it to width×height: uint8 NHWC, channels in `format` order. */
export type ImageLoader = (file: string, width: number, height: number, format: ImageFormat) => Promise<Uint8Array>;

/** The default loader: sharp, bilinear resize to exactly width×height (no letterbox). */
export const sharpImageLoader: ImageLoader = async (file, width, height, format) => {
  let px: Buffer;
  try {
    let img = sharp(file).removeAlpha().resize(width, height, { fit: 'fill' });
    if (format === 'GRAY') img = img.grayscale();
    px = await img.raw().toBuffer();
  } catch (e) {
    throw new UserError('IMAGE_FORMAT', `${file}: cannot be decoded (${(e as Error).message})`, 'remove the file from the image folder or convert it to JPEG/PNG');
  }
  const c = channelsOf(format);
  if (format === 'GRAY') return new Uint8Array(px.buffer, px.byteOffset, width * height);
  const out = new Uint8Array(px.buffer, px.byteOffset, width * height * c).slice();
  if (format === 'BGR') {
    for (let i = 0; i < out.length; i += 3) {
      const r = out[i]!;
      out[i] = out[i + 2]!;
      out[i + 2] = r;
    }
  }
  return out;
};

/** uint8 NHWC pixels → the model's float32 NCHW input tensor after (x − mean[c]) / var[c]. */
export function pixelsToInput(u8: Uint8Array, height: number, width: number, mean: readonly number[], vr: readonly number[]): Tensor {
  const c = mean.length;
  const pre = preprocess(u8, [1, height, width, c], { mean: Float32Array.from(mean), var: Float32Array.from(vr) });
  return floatTensor([1, c, height, width], pre.nchw);
}
