/**
 * Direct 2-D convolution over NCHW float32 (math only; Conv's glue is in conv.ts). No im2col:
 * for each group and each block of up to 4 output channels, every (input channel, ky, kx) tap
 * adds a scaled input row into double accumulators, so each input load feeds 4 multiply-adds.
 * Accumulation is in double and rounded to float32 once, so results differ from onnxruntime's
 * float32 accumulation only by onnxruntime's own rounding.
 */

export interface Conv2dGeom {
  n: number;
  c: number;
  h: number;
  w: number;
  /** Output channels (all groups). */
  m: number;
  group: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  /** Top and left pads (bottom/right are implied by oh/ow). */
  pt: number;
  pl: number;
  oh: number;
  ow: number;
}

/** y[n, m, oy, ox] = bias[m] + sum over (ic in group, ky, kx) of w[m, ic, ky, kx] * x[n, g*Cg+ic, oy*sh-pt+ky*dh, ox*sw-pl+kx*dw]. */
export function conv2dImpl(x: Float32Array, wt: Float32Array, bias: Float32Array | null, g: Conv2dGeom): Float32Array;
/**
 * With `wide`, the double accumulators are returned unrounded (Float64Array): the integer mode
 * passes integer-valued inputs and weights, so every partial sum is an exact integer (< 2^53).
 */
export function conv2dImpl(x: Float32Array, wt: Float32Array, bias: Float32Array | null, g: Conv2dGeom, wide: true): Float64Array;
export function conv2dImpl(x: Float32Array, wt: Float32Array, bias: Float32Array | null, g: Conv2dGeom, wide = false): Float32Array | Float64Array {
  const { n, c, h, w, m, group, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = g;
  const cg = c / group;
  const mg = m / group;
  const plane = oh * ow;
  const out = wide ? new Float64Array(n * m * plane) : new Float32Array(n * m * plane);
  const acc = new Float64Array(4 * plane);
  const taps = cg * kh * kw;
  const pointwise = kh === 1 && kw === 1 && sh === 1 && sw === 1 && pt === 0 && pl === 0 && oh === h && ow === w;
  // valid output ranges per kernel offset (where the input index is inside the image)
  const oxLo = new Int32Array(kw);
  const oxHi = new Int32Array(kw);
  for (let kx = 0; kx < kw; kx++) {
    const off = kx * dw - pl;
    oxLo[kx] = Math.max(0, Math.ceil(-off / sw));
    oxHi[kx] = Math.min(ow, Math.floor((w - 1 - off) / sw) + 1);
  }
  const oyLo = new Int32Array(kh);
  const oyHi = new Int32Array(kh);
  for (let ky = 0; ky < kh; ky++) {
    const off = ky * dh - pt;
    oyLo[ky] = Math.max(0, Math.ceil(-off / sh));
    oyHi[ky] = Math.min(oh, Math.floor((h - 1 - off) / sh) + 1);
  }
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < group; gi++) {
      for (let m0 = 0; m0 < mg; m0 += 4) {
        const nb = Math.min(4, mg - m0);
        const oc = gi * mg + m0;
        for (let k = 0; k < nb; k++) acc.fill(bias ? bias[oc + k]! : 0, k * plane, (k + 1) * plane);
        for (let ic = 0; ic < cg; ic++) {
          const xc = ((b * c + gi * cg + ic) * h) * w;
          if (pointwise) {
            const wi = oc * taps + ic;
            if (nb === 4) accumulate4(acc, plane, x, xc, 1, 0, plane, wt[wi]!, wt[wi + taps]!, wt[wi + 2 * taps]!, wt[wi + 3 * taps]!, 0);
            else for (let k = 0; k < nb; k++) accumulate1(acc, k * plane, x, xc, 1, plane, wt[wi + k * taps]!, 0);
            continue;
          }
          for (let ky = 0; ky < kh; ky++) {
            const y0 = oyLo[ky]!;
            const y1 = oyHi[ky]!;
            for (let kx = 0; kx < kw; kx++) {
              const x0 = oxLo[kx]!;
              const x1 = oxHi[kx]!;
              if (x1 <= x0) continue;
              const wi = oc * taps + (ic * kh + ky) * kw + kx;
              for (let oy = y0; oy < y1; oy++) {
                const iy = oy * sh - pt + ky * dh;
                const xrow = xc + iy * w + kx * dw - pl;
                const arow = oy * ow;
                if (nb === 4) accumulate4(acc, plane, x, xrow, sw, arow, x1 - x0, wt[wi]!, wt[wi + taps]!, wt[wi + 2 * taps]!, wt[wi + 3 * taps]!, x0);
                else for (let k = 0; k < nb; k++) accumulate1(acc, k * plane + arow, x, xrow, sw, x1 - x0, wt[wi + k * taps]!, x0);
              }
            }
          }
        }
        const ob = (b * m + oc) * plane;
        for (let i = 0; i < nb * plane; i++) out[ob + i] = acc[i]!;
      }
    }
  }
  return out;
}

/** acc[a0 + ox] += wv * x[xrow + ox*sw] for ox in [x0, x0+len). */
function accumulate1(acc: Float64Array, a0: number, x: Float32Array, xrow: number, sw: number, len: number, wv: number, x0: number): void {
  let xi = xrow + x0 * sw;
  const end = a0 + x0 + len;
  for (let a = a0 + x0; a < end; a++, xi += sw) acc[a] += wv * x[xi]!;
}

/** Four output channels at once: acc planes k*plane + arow + ox. */
function accumulate4(acc: Float64Array, plane: number, x: Float32Array, xrow: number, sw: number, arow: number, len: number, w0: number, w1: number, w2: number, w3: number, x0: number): void {
  let xi = xrow + x0 * sw;
  const start = arow + x0;
  const end = start + len;
  const p2 = 2 * plane;
  const p3 = 3 * plane;
  for (let a = start; a < end; a++, xi += sw) {
    const v = x[xi]!;
    acc[a] += w0 * v;
    acc[a + plane] += w1 * v;
    acc[a + p2] += w2 * v;
    acc[a + p3] += w3 * v;
  }
}
