/**
 * Geometry of fitting an image into the model's input: letterbox (keep the aspect ratio, pad) or
 * stretch (plain resize), and applying it with OpenCV's INTER_LINEAR resize plus a constant border.
 *
 * The `vendor` letterbox rule is the one of the vendor's board sample (Ingenic
 * venus_sample_ptq_yolov5s `inference.cc`, read for understanding), whose output the user guide
 * §5.2.1 prints for fall_1054_sys.jpg (388x574 into 640x384: scale 0.668990, valid 260x384,
 * left/right 190): in float32, `scale = min(W / w, H / h)`; resized size `(int)(scale * w)`,
 * bumped to the next even number when odd; `top = round(dh / 2 - 0.1)`,
 * `bottom = round(dh / 2 + 0.1)` (C `round`, half away from zero), likewise left/right; then an
 * odd top (left) gets one more pixel and bottom (right) one less (the sample's
 * `check_pixel_offset`). Our additions for cases the sample never meets: the resized size is
 * clamped to [1, W] x [1, H] (an odd W could otherwise overflow by one).
 * The `centered` rule is the common one: resized size `round(scale * w)`, left/top = floor(pad/2).
 */
import { UserError } from '../errors.js';
import { resizeBilinearOpenCv, type ImageU8 } from './opencv-resize.js';

export type FitMode = 'letterbox' | 'stretch';
export type LetterboxRule = 'vendor' | 'centered';

/** Where the resized image sits inside the model input, all in pixels. */
export interface FitGeometry {
  mode: FitMode;
  /** Rule used for letterbox sizes and padding (`stretch` has no padding). */
  rule: LetterboxRule | 'none';
  srcWidth: number;
  srcHeight: number;
  /** Model input size. */
  dstWidth: number;
  dstHeight: number;
  /** Horizontal and vertical scale factors applied (float32 values; equal for letterbox). */
  scaleX: number;
  scaleY: number;
  /** Size of the resized image ("resize valid_dst"). */
  resizedWidth: number;
  resizedHeight: number;
  top: number;
  bottom: number;
  left: number;
  right: number;
  /** Border value (every channel). */
  padValue: number;
}

/** C's `round`: half away from zero. */
function cRound(v: number): number {
  const r = v < 0 ? -Math.round(-v) : Math.round(v);
  return r === 0 ? 0 : r; // no -0
}

/** Largest side accepted for a network input, pixels (a 3-channel 32768x32768 input is 3 GiB). */
export const MAX_SIDE = 32768;

function checkSize(v: number, what: string): void {
  if (!Number.isInteger(v) || v <= 0) {
    throw new UserError('USAGE', `${what} ${v} is not a positive whole number of pixels`, 'give --width and --height >= 1');
  }
  if (v > MAX_SIDE) throw new UserError('USAGE', `${what} ${v} is larger than ${MAX_SIDE} pixels`, 'give the model input size, e.g. --width 640 --height 384');
}

/** Computes the letterbox or stretch geometry for a `srcW`x`srcH` image into `dstW`x`dstH`. */
export function fitGeometry(
  srcW: number,
  srcH: number,
  dstW: number,
  dstH: number,
  opts: { mode?: FitMode; rule?: LetterboxRule; padValue?: number } = {},
): FitGeometry {
  checkSize(srcW, 'image width');
  checkSize(srcH, 'image height');
  checkSize(dstW, 'width');
  checkSize(dstH, 'height');
  const padValue = opts.padValue ?? 0;
  if (!Number.isInteger(padValue) || padValue < 0 || padValue > 255) {
    throw new UserError('USAGE', `--pad-value ${padValue} is not a byte value`, 'give a whole number 0..255 (YOLOX uses 114)');
  }
  const mode = opts.mode ?? 'letterbox';
  const sx = Math.fround(Math.fround(dstW) / Math.fround(srcW));
  const sy = Math.fround(Math.fround(dstH) / Math.fround(srcH));
  if (mode === 'stretch') {
    return { mode, rule: 'none', srcWidth: srcW, srcHeight: srcH, dstWidth: dstW, dstHeight: dstH, scaleX: sx, scaleY: sy, resizedWidth: dstW, resizedHeight: dstH, top: 0, bottom: 0, left: 0, right: 0, padValue };
  }
  const rule = opts.rule ?? 'vendor';
  const scale = sx < sy ? sx : sy;
  const clampTo = (v: number, max: number): number => Math.max(1, Math.min(max, v));
  let rw: number;
  let rh: number;
  let top: number;
  let bottom: number;
  let left: number;
  let right: number;
  if (rule === 'vendor') {
    rw = Math.trunc(Math.fround(scale * srcW));
    if (rw % 2 === 1) rw += 1;
    rh = Math.trunc(Math.fround(scale * srcH));
    if (rh % 2 === 1) rh += 1;
    rw = clampTo(rw, dstW);
    rh = clampTo(rh, dstH);
    const dw = dstW - rw;
    const dh = dstH - rh;
    top = cRound(Math.fround(dh) / 2 - 0.1);
    bottom = cRound(Math.fround(dh) / 2 + 0.1);
    left = cRound(Math.fround(dw) / 2 - 0.1);
    right = cRound(Math.fround(dw) / 2 + 0.1);
    if (top % 2 === 1) {
      top += 1;
      bottom -= 1;
    }
    if (left % 2 === 1) {
      left += 1;
      right -= 1;
    }
  } else {
    rw = clampTo(Math.round(scale * srcW), dstW);
    rh = clampTo(Math.round(scale * srcH), dstH);
    left = Math.floor((dstW - rw) / 2);
    right = dstW - rw - left;
    top = Math.floor((dstH - rh) / 2);
    bottom = dstH - rh - top;
  }
  return { mode, rule, srcWidth: srcW, srcHeight: srcH, dstWidth: dstW, dstHeight: dstH, scaleX: scale, scaleY: scale, resizedWidth: rw, resizedHeight: rh, top, bottom, left, right, padValue };
}

/**
 * Resizes `img` to the geometry's resized size with OpenCV INTER_LINEAR and pastes it at
 * (left, top) on a `dstWidth`x`dstHeight` canvas filled with `padValue`
 * (= `cv::resize` + `cv::copyMakeBorder(..., BORDER_CONSTANT, value)`).
 */
export function applyGeometry(img: ImageU8, g: FitGeometry): ImageU8 {
  if (img.width !== g.srcWidth || img.height !== g.srcHeight) {
    throw new UserError('SHAPE_MISMATCH', `image is ${img.width}x${img.height} but the geometry was computed for ${g.srcWidth}x${g.srcHeight}`);
  }
  const resized = resizeBilinearOpenCv(img, g.resizedWidth, g.resizedHeight);
  if (g.resizedWidth === g.dstWidth && g.resizedHeight === g.dstHeight) return resized;
  const cn = img.channels;
  const out = new Uint8Array(g.dstWidth * g.dstHeight * cn).fill(g.padValue);
  const rowBytes = g.resizedWidth * cn;
  for (let y = 0; y < g.resizedHeight; y++) {
    const from = y * rowBytes;
    out.set(resized.data.subarray(from, from + rowBytes), ((y + g.top) * g.dstWidth + g.left) * cn);
  }
  return { data: out, width: g.dstWidth, height: g.dstHeight, channels: cn };
}

/** The geometry printed the way the vendor's board sample prints it (guide §5.2.1). */
export function formatGeometry(g: FitGeometry, channels = 3): string {
  const lines = [
    `ori_image w,h: ${g.srcWidth} ,${g.srcHeight} `,
    `model-->${g.dstHeight} ,${g.dstWidth} ${channels} `,
    'input shape:',
    `-->${g.dstHeight} ${g.dstWidth} `,
  ];
  if (g.mode === 'stretch') {
    lines.push(`scale---> x ${g.scaleX.toFixed(6)} y ${g.scaleY.toFixed(6)} (stretch, no padding)`);
  } else {
    lines.push(`scale---> ${g.scaleX.toFixed(6)}`);
  }
  lines.push(
    'resize padding over: ',
    `resize valid_dst, w:${g.resizedWidth} h ${g.resizedHeight}`,
    `padding info top :${g.top} bottom ${g.bottom} left:${g.left} right:${g.right} `,
  );
  return lines.join('\n');
}
