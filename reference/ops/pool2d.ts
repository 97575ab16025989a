/**
 * 2-D max and average pooling over NCHW float32 (math only). Window rules follow onnxruntime's
 * pool kernels (core/providers/cpu/nn/pool_functors.h): padding never wins a max; the average
 * divides by the window clipped to the input, or with count_include_pad by the window clipped to
 * the padded input (so a ceil_mode window hanging past the end pads is not counted).
 */

export interface Pool2dGeom {
  /** Batch * channels. */
  planes: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Pads: top, left, bottom, right. */
  pt: number;
  pl: number;
  pb: number;
  pr: number;
  oh: number;
  ow: number;
}

/**
 * Max pooling. Any numeric input (float32, or feature codes in integer mode: the max of codes is
 * the code of the max, the quantizer being monotone); `out` defaults to a new Float32Array.
 */
export function maxPool2dImpl<T extends Float32Array | Uint8Array | Uint16Array = Float32Array>(x: ArrayLike<number>, g: Pool2dGeom, out?: T): T {
  const { planes, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = g;
  const y = out ?? (new Float32Array(planes * oh * ow) as T);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const xp = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pl;
        let best = -Infinity;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dh;
          if (iy < 0 || iy >= h) continue;
          const row = xp + iy * w;
          for (let kx = 0; kx < kw; kx++) {
            const ix = x0 + kx * dw;
            if (ix < 0 || ix >= w) continue;
            const v = x[row + ix]!;
            if (v > best || Number.isNaN(v)) best = v;
          }
        }
        y[o++] = best;
      }
    }
  }
  return y;
}

/** Per average-pool window: the sum of its values, how many lie inside the input, and the divisor. */
export interface WindowSums {
  /** Sum over the window's elements inside the input (float64; exact for integer codes). */
  sums: Float64Array;
  /** Elements of the window inside the input. */
  inside: Int32Array;
  /** The divisor: the whole window incl. padding with count_include_pad, else `inside`. */
  counts: Int32Array;
}

/**
 * Window sums of an average pool, in output order. One loop for the float kernel and the
 * integer kernel (pool2d-int.ts), so both use exactly the same windows and counts.
 */
export function poolWindowSums(x: ArrayLike<number>, g: Pool2dGeom, countIncludePad: boolean): WindowSums {
  const { planes, h, w, kh, kw, sh, sw, pt, pl, pb, pr, oh, ow } = g;
  const total = planes * oh * ow;
  const sums = new Float64Array(total);
  const inside = new Int32Array(total);
  const counts = new Int32Array(total);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const xp = p * h * w;
    for (let oy = 0; oy < oh; oy++) {
      let ys = oy * sh - pt;
      let ye = Math.min(ys + kh, h + pb);
      const padH = ye - ys;
      ys = Math.max(ys, 0);
      ye = Math.min(ye, h);
      for (let ox = 0; ox < ow; ox++) {
        let xs = ox * sw - pl;
        let xe = Math.min(xs + kw, w + pr);
        const padW = xe - xs;
        xs = Math.max(xs, 0);
        xe = Math.min(xe, w);
        let sum = 0;
        for (let iy = ys; iy < ye; iy++) {
          const row = xp + iy * w;
          for (let ix = xs; ix < xe; ix++) sum += x[row + ix]!;
        }
        const n = Math.max(0, ye - ys) * Math.max(0, xe - xs);
        sums[o] = sum;
        inside[o] = n;
        counts[o++] = countIncludePad ? padH * padW : n;
      }
    }
  }
  return { sums, inside, counts };
}

export function averagePool2dImpl(x: Float32Array, g: Pool2dGeom, countIncludePad: boolean): Float32Array {
  const { sums, counts } = poolWindowSums(x, g, countIncludePad);
  const out = new Float32Array(sums.length);
  for (let o = 0; o < sums.length; o++) out[o] = counts[o]! > 0 ? sums[o]! / counts[o]! : 0;
  return out;
}

/** Mean (or max) of each H*W plane. */
export function globalPoolImpl(x: Float32Array, planes: number, size: number, kind: 'avg' | 'max'): Float32Array {
  const out = new Float32Array(planes);
  for (let p = 0; p < planes; p++) {
    const o = p * size;
    if (kind === 'avg') {
      let s = 0;
      for (let i = 0; i < size; i++) s += x[o + i]!;
      out[p] = s / size;
    } else {
      let m = -Infinity;
      for (let i = 0; i < size; i++) if (x[o + i]! > m || Number.isNaN(x[o + i]!)) m = x[o + i]!;
      out[p] = m;
    }
  }
  return out;
}
