/**
 * A byte-exact port of OpenCV's `cv::resize(src, dst, dsize, 0, 0, INTER_LINEAR)` for 8-bit
 * images with interleaved channels (HWC), as the vendor's OpenCV-based tools resize images.
 *
 * Written from reading OpenCV's `modules/imgproc/src/resize.cpp` (Apache-2.0 / BSD-3-Clause;
 * `cv::resize`, `hal::resize`, `resizeGeneric_`, `HResizeLinear`, the `uchar` specialisation of
 * `VResizeLinear`, `resizeAreaFast_`), for understanding only; this is our own code.
 * What it reproduces:
 * - same size: a plain copy (`cv::resize` copies when `dsize == ssize`);
 * - scale exactly 1/2 in both directions: OpenCV switches INTER_LINEAR to its fast area path,
 *   `(a + b + c + d + 2) >> 2` over each 2x2 block;
 * - otherwise the fixed-point separable bilinear filter: per destination column the source
 *   position `fx = (float)((dx + 0.5) * scale_x - 0.5)` (double arithmetic, rounded to float),
 *   `sx = floor(fx)`, weights `cvRound((1 - fx) * 2048)` and `cvRound(fx * 2048)`
 *   (INTER_RESIZE_COEF_BITS = 11, round half to even), positions before the first pixel clamp to
 *   it and positions at or past the last pixel use it alone; the horizontal pass keeps 32-bit sums
 *   `S[sx] * a0 + S[sx + 1] * a1`; the vertical pass is OpenCV's 8-bit formula
 *   `((b0 * (D0 >> 4)) >> 16) + ((b1 * (D1 >> 4)) >> 16) + 2) >> 2` (the same in its scalar and
 *   SIMD code), with source rows clamped to the image.
 * INTER_LINEAR_EXACT is a different algorithm and is NOT what this implements.
 */
import { UserError } from '../errors.js';

/** An 8-bit image with interleaved channels: `data[(y * width + x) * channels + c]`. */
export interface ImageU8 {
  data: Uint8Array;
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
  /** Interleaved channels per pixel (1..4). */
  channels: number;
}

const COEF_BITS = 11;
const COEF_SCALE = 1 << COEF_BITS;

/** `cvRound` for a float32 value: round half to even (lrintf / cvtss2si in the default mode). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Per destination index: the source index and the two fixed-point weights (OpenCV's tables). */
interface LinearTable {
  ofs: Int32Array;
  w0: Int32Array;
  w1: Int32Array;
  /** First destination index whose right neighbour is outside the source (OpenCV's `xmax`). */
  max: number;
}

function linearTable(srcSize: number, dstSize: number, clampStart: boolean): LinearTable {
  // cv::resize: inv_scale = (double)dsize / ssize; hal::resize: scale = 1. / inv_scale.
  const invScale = dstSize / srcSize;
  const scale = 1 / invScale;
  const ofs = new Int32Array(dstSize);
  const w0 = new Int32Array(dstSize);
  const w1 = new Int32Array(dstSize);
  let max = dstSize;
  for (let d = 0; d < dstSize; d++) {
    let f = Math.fround((d + 0.5) * scale - 0.5);
    let s = Math.floor(f);
    f = Math.fround(f - s);
    if (clampStart) {
      // Columns: OpenCV clamps here; rows are clamped later when reading (same result).
      if (s < 0) {
        f = 0;
        s = 0;
      }
      if (s + 1 >= srcSize) {
        max = Math.min(max, d);
        if (s >= srcSize - 1) {
          f = 0;
          s = srcSize - 1;
        }
      }
    }
    ofs[d] = s;
    w0[d] = roundHalfEven(Math.fround(1 - f) * COEF_SCALE);
    w1[d] = roundHalfEven(f * COEF_SCALE);
  }
  return { ofs, w0, w1, max };
}

function checkImage(img: ImageU8, what: string): void {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new UserError('USAGE', `${what}: size ${width}x${height} is not a positive whole number of pixels`, 'give width and height >= 1');
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 4) {
    throw new UserError('USAGE', `${what}: ${channels} channels, expected 1 to 4`);
  }
  if (data.length !== width * height * channels) {
    throw new UserError('SHAPE_MISMATCH', `${what}: ${data.length} bytes do not hold ${width}x${height}x${channels}`);
  }
}

/** OpenCV's 2x2 "fast area" average, used by INTER_LINEAR when both scales are exactly 2. */
function halveArea(src: ImageU8, dw: number, dh: number): Uint8Array {
  const cn = src.channels;
  const rowStride = src.width * cn;
  const out = new Uint8Array(dw * dh * cn);
  let o = 0;
  for (let y = 0; y < dh; y++) {
    const r0 = 2 * y * rowStride;
    const r1 = r0 + rowStride;
    for (let x = 0; x < dw; x++) {
      const i = 2 * x * cn;
      for (let c = 0; c < cn; c++) {
        const a = i + c;
        out[o++] = (src.data[r0 + a]! + src.data[r0 + a + cn]! + src.data[r1 + a]! + src.data[r1 + a + cn]! + 2) >> 2;
      }
    }
  }
  return out;
}

/**
 * Resizes an 8-bit interleaved image to `dstWidth` x `dstHeight` exactly as OpenCV's
 * `cv::resize(..., INTER_LINEAR)` does (OpenCV 3.4/4.x CPU path without IPP; byte-identical to
 * `@techstark/opencv-js`). Returns a new image with the same channel count.
 */
export function resizeBilinearOpenCv(src: ImageU8, dstWidth: number, dstHeight: number): ImageU8 {
  checkImage(src, 'resize source');
  if (!Number.isInteger(dstWidth) || !Number.isInteger(dstHeight) || dstWidth <= 0 || dstHeight <= 0) {
    throw new UserError('USAGE', `resize target ${dstWidth}x${dstHeight} is not a positive whole number of pixels`, 'give width and height >= 1');
  }
  const { width: sw, height: sh, channels: cn } = src;
  if (sw === dstWidth && sh === dstHeight) {
    return { data: src.data.slice(), width: sw, height: sh, channels: cn };
  }
  // hal::resize: iscale = saturate_cast<int>(scale); is_area_fast = |scale - iscale| < DBL_EPSILON.
  const scaleX = 1 / (dstWidth / sw);
  const scaleY = 1 / (dstHeight / sh);
  const isX = Math.round(scaleX);
  const isY = Math.round(scaleY);
  if (isX === 2 && isY === 2 && Math.abs(scaleX - isX) < Number.EPSILON && Math.abs(scaleY - isY) < Number.EPSILON) {
    return { data: halveArea(src, dstWidth, dstHeight), width: dstWidth, height: dstHeight, channels: cn };
  }

  const tx = linearTable(sw, dstWidth, true);
  const ty = linearTable(sh, dstHeight, false);
  const rowLen = dstWidth * cn;
  // Horizontal pass results for two source rows, reused across destination rows.
  const bufA = new Int32Array(rowLen);
  const bufB = new Int32Array(rowLen);
  let rowOfA = -1;
  let rowOfB = -1;
  const s = src.data;

  const hpass = (sy: number, out: Int32Array): void => {
    const base = sy * sw * cn;
    let o = 0;
    for (let dx = 0; dx < dstWidth; dx++) {
      const p = base + tx.ofs[dx]! * cn;
      if (dx < tx.max) {
        const a0 = tx.w0[dx]!;
        const a1 = tx.w1[dx]!;
        for (let c = 0; c < cn; c++) out[o++] = s[p + c]! * a0 + s[p + c + cn]! * a1;
      } else {
        for (let c = 0; c < cn; c++) out[o++] = s[p + c]! * COEF_SCALE;
      }
    }
  };
  /** The horizontal pass of source row `sy`, computed once; never evicts the buffer `keep`. */
  const rowFor = (sy: number, keep: Int32Array | null): Int32Array => {
    if (sy === rowOfA) return bufA;
    if (sy === rowOfB) return bufB;
    if (keep !== bufA) {
      hpass(sy, bufA);
      rowOfA = sy;
      return bufA;
    }
    hpass(sy, bufB);
    rowOfB = sy;
    return bufB;
  };
  const clip = (v: number): number => (v >= 0 ? (v < sh ? v : sh - 1) : 0);

  const out = new Uint8Array(dstHeight * rowLen);
  for (let dy = 0; dy < dstHeight; dy++) {
    const sy0 = clip(ty.ofs[dy]!);
    const sy1 = clip(ty.ofs[dy]! + 1);
    const r0 = rowFor(sy0, null);
    const r1 = sy1 === sy0 ? r0 : rowFor(sy1, r0);
    const b0 = ty.w0[dy]!;
    const b1 = ty.w1[dy]!;
    const o = dy * rowLen;
    for (let x = 0; x < rowLen; x++) {
      out[o + x] = (((b0 * (r0[x]! >> 4)) >> 16) + ((b1 * (r1[x]! >> 4)) >> 16) + 2) >> 2;
    }
  }
  return { data: out, width: dstWidth, height: dstHeight, channels: cn };
}
