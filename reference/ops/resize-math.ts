/**
 * Resize math (nearest N-D, bilinear on the last two axes), written to match onnxruntime's
 * upsample kernels (core/providers/cpu/tensor/upsample.cc, upsamplebase.h): coordinates are
 * computed in float32 like the C++ (`Math.fround` at each step), so nearest picks and linear
 * weights land on the same values.
 */
import { allocData, makeTensor, stridesOf, type Tensor } from '../tensor.js';
import type { AnyArray } from './copy.js';

export type CoordMode = 'half_pixel' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize' | 'half_pixel_symmetric';
/** `simple` is onnxruntime's rule for Resize-10 / Upsample: floor when upsampling, ceil when downsampling. */
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';

const f = Math.fround;

/** Input coordinate (float32) for output index `xr` on an axis. */
export function originalCoordinate(mode: CoordMode, xr: number, scale: number, outLen: number, inLen: number): number {
  switch (mode) {
    case 'half_pixel':
      return f(f(f(xr + 0.5) / scale) - 0.5);
    case 'pytorch_half_pixel':
      return outLen > 1 ? f(f(f(xr + 0.5) / scale) - 0.5) : 0;
    case 'tf_half_pixel_for_nn':
      return f(f(xr + 0.5) / scale);
    case 'align_corners':
      return outLen === 1 ? 0 : f(f(xr * (inLen - 1)) / (outLen - 1));
    case 'half_pixel_symmetric': {
      const adj = f(outLen / f(scale * inLen));
      const center = f(inLen / 2);
      const off = f(center * f(1 - adj));
      return f(f(off + f(f(xr + 0.5) / scale)) - 0.5);
    }
    case 'asymmetric':
    case 'tf_crop_and_resize': // refused by the glue
      return f(xr / scale);
  }
}

/** Integer index from an input coordinate. */
export function nearestIndex(mode: NearestMode, x: number, downsample: boolean): number {
  switch (mode) {
    case 'floor':
      return Math.floor(x);
    case 'ceil':
      return Math.ceil(x);
    case 'round_prefer_floor':
      return x === Math.trunc(x) + 0.5 ? Math.floor(x) : roundAway(x);
    case 'round_prefer_ceil':
      return x === Math.trunc(x) + 0.5 ? Math.ceil(x) : roundAway(x);
    case 'simple':
      return downsample ? Math.ceil(x) : Math.trunc(x);
  }
}

/** C's round(): halves away from zero. */
function roundAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Nearest resize of any-rank, any-dtype `x` to `outDims`. */
export function resizeNearestImpl(x: Tensor, outDims: readonly number[], scales: readonly number[], coord: CoordMode, nearest: NearestMode): Tensor {
  const r = x.dims.length;
  const maps = outDims.map((len, ax) => {
    const inLen = x.dims[ax]!;
    const m = new Int32Array(len);
    if (scales[ax] === 1 && len === inLen) {
      // onnxruntime maps an unscaled axis to itself whatever the coordinate mode (visible with
      // tf_half_pixel_for_nn + ceil, where the formula would shift by one)
      for (let o = 0; o < len; o++) m[o] = o;
      return m;
    }
    for (let o = 0; o < len; o++) {
      const c = originalCoordinate(coord, o, scales[ax]!, len, inLen);
      m[o] = Math.min(Math.max(nearestIndex(nearest, c, scales[ax]! < 1), 0), inLen - 1);
    }
    return m;
  });
  const n = outDims.reduce((p, d) => p * d, 1);
  const out = allocData(x.dtype, n);
  const st = stridesOf(x.dims);
  const src = x.data as unknown as AnyArray;
  const dst = out as unknown as AnyArray;
  let o = 0;
  const walk = (ax: number, base: number): void => {
    const m = maps[ax]!;
    const s = st[ax]!;
    if (ax === r - 1) {
      for (let i = 0; i < m.length; i++) dst[o++] = src[base + m[i]! * s]!;
      return;
    }
    for (let i = 0; i < m.length; i++) walk(ax + 1, base + m[i]! * s);
  };
  if (n > 0) walk(0, 0);
  return makeTensor(x.dtype, outDims, out);
}

/** Per-output-index source pair and weights along one axis (onnxruntime's bilinear setup). */
function linearAxis(coord: CoordMode, outLen: number, inLen: number, scale: number): { i1: Int32Array; i2: Int32Array; w1: Float32Array; w2: Float32Array } {
  const i1 = new Int32Array(outLen);
  const i2 = new Int32Array(outLen);
  const w1 = new Float32Array(outLen); // weight of i2 (distance from i1)
  const w2 = new Float32Array(outLen); // weight of i1
  for (let o = 0; o < outLen; o++) {
    let c = originalCoordinate(coord, o, scale, outLen, inLen);
    c = Math.max(0, Math.min(c, inLen - 1));
    const a = Math.min(Math.trunc(c), inLen - 1);
    const b = Math.min(a + 1, inLen - 1);
    let d1 = f(Math.abs(c - a));
    let d2 = f(Math.abs(c - b));
    if (a === b) {
      d1 = 0.5;
      d2 = 0.5;
    }
    i1[o] = a;
    i2[o] = b;
    w1[o] = d1;
    w2[o] = d2;
  }
  return { i1, i2, w1, w2 };
}

/** Bilinear resize of float32 `x` over its last two axes (the leading axes are not scaled). */
export function resizeBilinearImpl(x: Float32Array, dims: readonly number[], oh: number, ow: number, scaleH: number, scaleW: number, coord: CoordMode): Float32Array {
  const r = dims.length;
  const h = r >= 2 ? dims[r - 2]! : 1;
  const w = dims[r - 1]!;
  const planes = dims.slice(0, Math.max(0, r - 2)).reduce((p, d) => p * d, 1);
  const ys = linearAxis(coord, oh, h, scaleH);
  const xs = linearAxis(coord, ow, w, scaleW);
  const out = new Float32Array(planes * oh * ow);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const xp = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const r1 = xp + ys.i1[oy]! * w;
      const r2 = xp + ys.i2[oy]! * w;
      const dy1 = ys.w1[oy]!;
      const dy2 = ys.w2[oy]!;
      for (let ox = 0; ox < ow; ox++) {
        const a = xs.i1[ox]!;
        const b = xs.i2[ox]!;
        const dx1 = xs.w1[ox]!;
        const dx2 = xs.w2[ox]!;
        out[o++] = dx2 * dy2 * x[r1 + a]! + dx1 * dy2 * x[r1 + b]! + dx2 * dy1 * x[r2 + a]! + dx1 * dy1 * x[r2 + b]!;
      }
    }
  }
  return out;
}
