/**
 * Plain-TypeScript oracle of the integer core (conv-int-types.ts): textbook loops, exact sums in
 * doubles (every term and partial sum is far below 2^53), saturated to int32 at the end.
 * This is the definition the WebAssembly kernels are tested against bit for bit.
 */
import { requantize } from '../quant/fixed-point.js';
import { convIntGeom, INT32_MAX, INT32_MIN, type ConvIntParams, type MatMulIntParams, type RequantParams } from './conv-int-types.js';

const sat32 = (v: number): number => (v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v);

/** Integer convolution accumulators, NCHW [N][M][OH][OW]. */
export function convIntOracle(p: ConvIntParams): Int32Array {
  const g = convIntGeom(p);
  const { n, c, h, w, m, cg, mg, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = g;
  const out = new Int32Array(n * m * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < m; oc++) {
      const gi = Math.floor(oc / mg);
      for (let oy = 0; oy < oh; oy++) {
        for (let ox = 0; ox < ow; ox++) {
          let s = p.bias ? p.bias[oc]! : 0;
          for (let ic = 0; ic < cg; ic++) {
            for (let ky = 0; ky < kh; ky++) {
              const iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= h) continue;
              for (let kx = 0; kx < kw; kx++) {
                const ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= w) continue;
                const xv = p.x[((b * c + gi * cg + ic) * h + iy) * w + ix]! - p.zx;
                s += xv * p.w[((oc * cg + ic) * kh + ky) * kw + kx]!;
              }
            }
          }
          out[((b * m + oc) * oh + oy) * ow + ox] = sat32(s);
        }
      }
    }
  }
  return out;
}

/** Integer matrix product accumulators, row-major [M][N]. */
export function matMulIntOracle(p: MatMulIntParams): Int32Array {
  const out = new Int32Array(p.m * p.n);
  for (let i = 0; i < p.m; i++) {
    for (let j = 0; j < p.n; j++) {
      let s = p.bias ? p.bias[j]! : 0;
      for (let k = 0; k < p.k; k++) {
        const bv = p.bTransposed ? p.b[j * p.k + k]! : p.b[k * p.n + j]!;
        s += (p.a[i * p.k + k]! - p.za) * bv;
      }
      out[i * p.n + j] = sat32(s);
    }
  }
  return out;
}

/**
 * Requantizes accumulators laid out [..][C][plane] (channel c = floor(i / plane) mod C) to the
 * output integers: clamp(requantize(acc, m[c], shift[c]) + zpOut, qmin, qmax).
 */
export function requantizeOracle(acc: Int32Array, plane: number, q: RequantParams): Uint8Array | Uint16Array {
  const out = q.bits === 8 ? new Uint8Array(acc.length) : new Uint16Array(acc.length);
  const ch = q.multipliers.length;
  for (let i = 0; i < acc.length; i++) {
    const c = Math.floor(i / plane) % ch;
    const v = requantize(acc[i]!, q.multipliers[c]!, q.shifts[c]!) + q.zpOut;
    out[i] = v < q.qmin ? q.qmin : v > q.qmax ? q.qmax : v;
  }
  return out;
}
