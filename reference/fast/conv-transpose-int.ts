/**
 * Integer ConvTranspose core (same conventions as conv-int-types.ts):
 *
 *   acc[n, g·Mg + oc, oy, ox] = bias[g·Mg + oc] + Σ (x[n, g·Cg + ic, iy, ix] − zx) · w[g·Cg + ic, oc, ky, kx]
 *   over all (ic, iy, ix, ky, kx) with oy = iy·sh − pt + ky·dh and ox = ix·sw − pl + kx·dw,
 *
 * weights [C][M/group][KH][KW] (ONNX ConvTranspose), output size [OH, OW] given by the caller
 * (ONNX output_padding / output_shape resolved there). The oracle scatters exactly in doubles and
 * saturates to int32 like convIntOracle. The fast path runs it as an ordinary convolution: the
 * input is spread by the strides onto a grid filled with the zero point (so the inserted and the
 * padding positions contribute 0), padded by (K − 1)·d − pad on each side (negative = cropped), and
 * convolved with the spatially flipped, in/out-swapped weights at stride 1 and the same dilation
 * (the same sum term by term, so also the same int32 bound check and fallback). The inserted zeros
 * cost sh·sw times the MACs of the scatter form; fine for the decoder-style layers this serves.
 */
import type { FastEngine } from './engine.js';
import { convIntFast, convIntRequantFast } from './conv-int.js';
import { INT32_MAX, INT32_MIN, type ConvIntParams, type RequantParams } from './conv-int-types.js';
import { prepareConvInt, type PreparedConvInt } from './pack.js';

/** One integer ConvTranspose (2-D). */
export interface ConvTransposeIntParams {
  x: Uint8Array | Uint16Array;
  xShape: readonly [number, number, number, number];
  zx: number;
  /** Weights [C][M/group][KH][KW]. */
  w: Int8Array | Int16Array | Int32Array;
  wShape: readonly [number, number, number, number];
  bias: Int32Array | null;
  group: number;
  strides: readonly [number, number];
  dilations: readonly [number, number];
  /** [top, left, bottom, right] */
  pads: readonly [number, number, number, number];
  /** Output [OH, OW]. */
  out: readonly [number, number];
}

function check(p: ConvTransposeIntParams): void {
  const [n, c, h, w] = p.xShape;
  const [wc, mg, kh, kw] = p.wShape;
  const vals = [n, c, h, w, wc, mg, kh, kw, p.group, ...p.strides, ...p.dilations, ...p.pads, ...p.out];
  if (!vals.every((v) => Number.isInteger(v) && v >= 0) || wc !== c || c % p.group !== 0 || kh < 1 || kw < 1 || p.strides.some((s) => s < 1) || p.dilations.some((d) => d < 1) || p.out.some((o) => o < 1)) {
    throw new RangeError(`conv-transpose-int: inconsistent shapes x ${p.xShape.join('x')} w ${p.wShape.join('x')} group ${p.group} out ${p.out.join('x')}`);
  }
  if (p.x.length !== n * c * h * w || p.w.length !== c * mg * kh * kw || (p.bias && p.bias.length !== mg * p.group)) {
    throw new RangeError('conv-transpose-int: data length does not match its shape');
  }
}

/** Plain-TS oracle: accumulators NCHW [N][M][OH][OW]. */
export function convTransposeIntOracle(p: ConvTransposeIntParams): Int32Array {
  check(p);
  const [n, c, h, w] = p.xShape;
  const [, mg, kh, kw] = p.wShape;
  const [oh, ow] = p.out;
  const m = mg * p.group;
  const cg = c / p.group;
  const acc = new Float64Array(n * m * oh * ow);
  for (let b = 0; b < n; b++) {
    for (let o = 0; o < m; o++) acc.fill(p.bias ? p.bias[o]! : 0, (b * m + o) * oh * ow, (b * m + o + 1) * oh * ow);
    for (let ci = 0; ci < c; ci++) {
      const gi = Math.floor(ci / cg);
      for (let oc = 0; oc < mg; oc++) {
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const wv = p.w[((ci * mg + oc) * kh + ky) * kw + kx]!;
            for (let iy = 0; iy < h; iy++) {
              const oy = iy * p.strides[0] - p.pads[0] + ky * p.dilations[0];
              if (oy < 0 || oy >= oh) continue;
              for (let ix = 0; ix < w; ix++) {
                const ox = ix * p.strides[1] - p.pads[1] + kx * p.dilations[1];
                if (ox < 0 || ox >= ow) continue;
                acc[((b * m + gi * mg + oc) * oh + oy) * ow + ox] += (p.x[((b * c + ci) * h + iy) * w + ix]! - p.zx) * wv;
              }
            }
          }
        }
      }
    }
  }
  return Int32Array.from(acc, (v) => (v < INT32_MIN ? INT32_MIN : v > INT32_MAX ? INT32_MAX : v));
}

/** Packed weights of the equivalent convolution (see {@link flippedWeights}). */
export function prepareConvTransposeInt(w: ArrayLike<number>, wShape: readonly [number, number, number, number], bias: Int32Array | null, group: number): PreparedConvInt {
  const [c, mg, kh, kw] = wShape;
  return prepareConvInt(flippedWeights(w, wShape, group), [mg * group, c / group, kh, kw], bias, group);
}

/** The flipped, in/out-swapped weights [M][Cg][KH][KW] of the equivalent convolution. */
export function flippedWeights(w: ArrayLike<number>, wShape: readonly [number, number, number, number], group: number): Int32Array {
  const [c, mg, kh, kw] = wShape;
  const cg = c / group;
  const m = mg * group;
  const wc = new Int32Array(m * cg * kh * kw);
  for (let gi = 0; gi < group; gi++) {
    for (let ic = 0; ic < cg; ic++) {
      for (let oc = 0; oc < mg; oc++) {
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            wc[((((gi * mg + oc) * cg + ic) * kh + (kh - 1 - ky)) * kw) + (kw - 1 - kx)] = w[((((gi * cg + ic) * mg + oc) * kh + ky) * kw) + kx]!;
          }
        }
      }
    }
  }
  return wc;
}

/** The equivalent stride-1 convolution's parameters (weights come from the prepared form). */
function equivalentConv(p: ConvTransposeIntParams): ConvIntParams {
  check(p);
  const [n, c, h, w] = p.xShape;
  const [, , kh, kw] = p.wShape;
  const [sh, sw] = p.strides;
  const [dh, dw] = p.dilations;
  const [oh, ow] = p.out;
  const hf = oh + (kh - 1) * dh;
  const wf = ow + (kw - 1) * dw;
  const ptop = (kh - 1) * dh - p.pads[0];
  const pleft = (kw - 1) * dw - p.pads[1];
  const xf = p.x instanceof Uint16Array ? new Uint16Array(n * c * hf * wf) : new Uint8Array(n * c * hf * wf);
  xf.fill(p.zx);
  for (let b = 0; b < n * c; b++) {
    for (let iy = 0; iy < h; iy++) {
      const r = iy * sh + ptop;
      if (r < 0 || r >= hf) continue;
      for (let ix = 0; ix < w; ix++) {
        const col = ix * sw + pleft;
        if (col >= 0 && col < wf) xf[(b * hf + r) * wf + col] = p.x[(b * h + iy) * w + ix]!;
      }
    }
  }
  return {
    x: xf,
    xShape: [n, c, hf, wf],
    zx: p.zx,
    w: flippedWeights(p.w, p.wShape, p.group),
    wShape: [p.wShape[1] * p.group, c / p.group, kh, kw],
    bias: p.bias,
    group: p.group,
    strides: [1, 1],
    dilations: [dh, dw],
    pads: [0, 0, 0, 0],
  };
}

/** ConvTranspose accumulators NCHW [N][M][OH][OW] on the fast engine (equal to the oracle). */
export function convTransposeIntFast(engine: FastEngine, p: ConvTransposeIntParams, prepared?: PreparedConvInt): Int32Array {
  return convIntFast(engine, equivalentConv(p), prepared);
}

/** ConvTranspose + requantization (uint8/uint16 NCHW) on the fast engine. */
export function convTransposeIntRequantFast(engine: FastEngine, p: ConvTransposeIntParams, q: RequantParams, prepared?: PreparedConvInt): Uint8Array | Uint16Array {
  return convIntRequantFast(engine, equivalentConv(p), q, prepared);
}
