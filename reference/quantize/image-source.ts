/**
 * Calibration images → network input. The loader decodes and resizes one image file to
 * width×height uint8 NHWC in the config's `format` (RGB, BGR or GRAY); mean/var then go through
 * the float runner's own preprocessing (src/float/preprocess.ts), so calibration sees exactly
 * what `magik-parity float` feeds.
 *
 * The loader is injected (tests substitute their own); {@link prepareImageLoader} is the default.
 */
import { prepareImage } from '../../src/prepare/prepare-image.js';
import { preprocess } from '../../src/float/preprocess.js';
import type { ImageFormat } from '../config/index.js';
import { floatTensor, type Tensor } from '../tensor.js';

/** Decodes `file` and resizes it to width×height: uint8 NHWC, channels in `format` order. */
export type ImageLoader = (file: string, width: number, height: number, format: ImageFormat) => Promise<Uint8Array>;

/**
 * The default loader: the same decode and OpenCV-exact INTER_LINEAR resize as `magik-parity
 * prepare`, stretched to exactly width×height (the transform tool resizes calibration images
 * to the network size), in the config's channel order. GRAY uses OpenCV's fixed-point
 * RGB→GRAY weights (0.299, 0.587, 0.114 in 14-bit: 4899, 9617, 1868), as cvtColor does.
 */
export const prepareImageLoader: ImageLoader = async (file, width, height, format) => {
  const p = await prepareImage({ image: file, width, height, format: format === 'GRAY' ? 'RGB' : format, mode: 'stretch' });
  if (format !== 'GRAY') return p.data;
  const px = width * height;
  const out = new Uint8Array(px);
  for (let i = 0; i < px; i++) out[i] = (p.data[i * 3]! * 4899 + p.data[i * 3 + 1]! * 9617 + p.data[i * 3 + 2]! * 1868 + 8192) >> 14;
  return out;
};

/** uint8 NHWC pixels → the model's float32 NCHW input tensor after (x − mean[c]) / var[c]. */
export function pixelsToInput(u8: Uint8Array, height: number, width: number, mean: readonly number[], vr: readonly number[]): Tensor {
  const c = mean.length;
  const pre = preprocess(u8, [1, height, width, c], { mean: Float32Array.from(mean), var: Float32Array.from(vr) });
  return floatTensor([1, c, height, width], pre.nchw);
}
