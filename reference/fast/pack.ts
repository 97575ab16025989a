/**
 * Data layouts of the WebAssembly kernels (conv-int.wat header): weight packing (once per layer),
 * activation packing (per call: zero point subtracted, to int16, channels innermost, padding = 0),
 * and the pixel / tap offset tables.
 */
import { INT32_MAX } from './conv-int-types.js';

/** Weights packed for the WebAssembly kernels; reusable across calls with any spatial size. */
export interface PreparedConvInt {
  /** 'pairs': general kernel; 'dw': depthwise (one input and one output channel per group). */
  kind: 'pairs' | 'dw';
  m: number;
  cg: number;
  kh: number;
  kw: number;
  group: number;
  /** Output channels per group. */
  mg: number;
  /** pairs: channels per group rounded up to even; dw: 1. */
  cp: number;
  /** pairs: output-channel blocks of 8 per group (mgPad = 8·nob); dw: channels. */
  nob: number;
  /** Packed int16 weights (layouts in conv-int.wat; dw: [C][KH·KW rounded up to even]). */
  w: Int16Array;
  /** Bias padded to the blocks: pairs [group][8·nob], dw [C]. */
  bias: Int32Array;
  /** Σ|w[oc, ·]| + |bias[oc]| / max|x − zx| bound pieces, per output channel. */
  sumAbsW: Float64Array;
  absBias: Float64Array;
  /** False when a weight is outside int16 (the layer then runs on the oracle). */
  fitsInt16: boolean;
}

/** Packs weights [M][Cg][KH][KW] (and bias [M]) for the kernels. */
export function prepareConvInt(
  w: ArrayLike<number>,
  wShape: readonly [number, number, number, number],
  bias: Int32Array | null,
  group: number,
): PreparedConvInt {
  const [m, cg, kh, kw] = wShape;
  const mg = m / group;
  const ntaps = kh * kw;
  const sumAbsW = new Float64Array(m);
  const absBias = new Float64Array(m);
  let fitsInt16 = true;
  for (let oc = 0; oc < m; oc++) {
    let s = 0;
    for (let i = oc * cg * ntaps; i < (oc + 1) * cg * ntaps; i++) {
      const v = w[i]!;
      if (v < -32768 || v > 32767) fitsInt16 = false;
      s += Math.abs(v);
    }
    sumAbsW[oc] = s;
    absBias[oc] = bias ? Math.abs(bias[oc]!) : 0;
  }
  if (cg === 1 && mg === 1) {
    // [C][taps rounded up to even] (conv_dw reads tap pairs; the extra tap has weight 0)
    const nte = ntaps + (ntaps & 1);
    const pw = new Int16Array(m * nte);
    for (let ch = 0; ch < m; ch++) for (let t = 0; t < ntaps; t++) pw[ch * nte + t] = w[ch * ntaps + t]!;
    const pb = new Int32Array(m);
    if (bias) pb.set(bias);
    return { kind: 'dw', m, cg, kh, kw, group, mg, cp: 1, nob: m, w: pw, bias: pb, sumAbsW, absBias, fitsInt16 };
  }
  const cp = cg + (cg & 1);
  const ncp = cp / 2;
  const nob = Math.ceil(mg / 8);
  const pw = new Int16Array(group * nob * ntaps * ncp * 16);
  const pb = new Int32Array(group * nob * 8);
  for (let g = 0; g < group; g++) {
    const gbase = g * nob * ntaps * ncp * 16;
    for (let o = 0; o < mg; o++) {
      const oc = g * mg + o;
      if (bias) pb[g * nob * 8 + o] = bias[oc]!;
      const ob = o >> 3;
      const j = (o >> 2) & 1;
      const l = o & 3;
      for (let ic = 0; ic < cg; ic++) {
        for (let t = 0; t < ntaps; t++) {
          pw[gbase + ((ob * ntaps + t) * ncp + (ic >> 1)) * 16 + j * 8 + l * 2 + (ic & 1)] = w[(oc * cg + ic) * ntaps + t]!;
        }
      }
    }
  }
  return { kind: 'pairs', m, cg, kh, kw, group, mg, cp, nob, w: pw, bias: pb, sumAbsW, absBias, fitsInt16 };
}

/** True when |bias| + maxAbsX · Σ|w| ≤ 2^31 − 1 for every output channel (int32 sums are then exact). */
export function accFitsInt32(p: PreparedConvInt, maxAbsX: number): boolean {
  // memoized per layer for the last bound asked (every call of a layer asks the same one; O(M) otherwise)
  const hit = fitsMemo.get(p);
  if (hit !== undefined && hit.maxAbsX === maxAbsX) return hit.fits;
  let fits = true;
  for (let oc = 0; oc < p.m; oc++) if (p.absBias[oc]! + maxAbsX * p.sumAbsW[oc]! > INT32_MAX) fits = false;
  fitsMemo.set(p, { maxAbsX, fits });
  return fits;
}

/** {@link accFitsInt32}'s last answer per prepared layer (its absBias / sumAbsW are never changed after preparation). */
const fitsMemo = new WeakMap<PreparedConvInt, { maxAbsX: number; fits: boolean }>();

/** Min and max of an array (0, 0 when empty). */
export function minMax(x: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return x.length ? [lo, hi] : [0, 0];
}

/** Which part of x − zx to pack: all of it (fits int16), or the high / low byte split of 17-bit values. */
export type PackPart = 'all' | 'hi' | 'lo';

/**
 * Packs channels [c0, c0 + cn) of image `b` of NCHW `x` into `dst` at element `base` as
 * [HP][WP][cp] int16 with the image at (pt, pl); everything else 0. Value: x − zx (`all`),
 * (x − zx) >> 8 (`hi`) or (x − zx) & 255 (`lo`), so that (hi << 8) + lo = x − zx.
 */
export function packChannelsLast(
  dst: Int16Array,
  base: number,
  x: Uint8Array | Uint16Array,
  xOff: number,
  cn: number,
  h: number,
  w: number,
  zx: number,
  cp: number,
  hp: number,
  wp: number,
  pt: number,
  pl: number,
  part: PackPart,
): void {
  dst.fill(0, base, base + hp * wp * cp);
  let s = xOff;
  for (let ic = 0; ic < cn; ic++) {
    for (let iy = 0; iy < h; iy++) {
      let d = base + ((iy + pt) * wp + pl) * cp + ic;
      const end = s + w;
      if (part === 'all') for (; s < end; s++, d += cp) dst[d] = x[s]! - zx;
      else if (part === 'hi') for (; s < end; s++, d += cp) dst[d] = (x[s]! - zx) >> 8;
      else for (; s < end; s++, d += cp) dst[d] = (x[s]! - zx) & 255;
    }
  }
}

/**
 * Depthwise layout: channel `ci` of image `b` into dst at `base` as [sw][hp][wps] int16 (padded
 * column X at phase X mod sw, index floor(X / sw)); everything else 0.
 */
export function packPhases(
  dst: Int16Array,
  base: number,
  x: Uint8Array | Uint16Array,
  xOff: number,
  h: number,
  w: number,
  zx: number,
  sw: number,
  hp: number,
  wps: number,
  pt: number,
  pl: number,
  part: PackPart,
): void {
  dst.fill(0, base, base + sw * hp * wps);
  for (let iy = 0; iy < h; iy++) {
    const s0 = xOff + iy * w;
    for (let ph = 0; ph < sw; ph++) {
      // columns ix with (ix + pl) mod sw = ph, i.e. ix = ix0, ix0 + sw, ...; index (ix + pl - ph) / sw
      const ix0 = (((ph - pl) % sw) + sw) % sw;
      let d = base + (ph * hp + iy + pt) * wps + (ix0 + pl - ph) / sw;
      if (part === 'all') for (let ix = ix0; ix < w; ix += sw, d++) dst[d] = x[s0 + ix]! - zx;
      else if (part === 'hi') for (let ix = ix0; ix < w; ix += sw, d++) dst[d] = (x[s0 + ix]! - zx) >> 8;
      else for (let ix = ix0; ix < w; ix += sw, d++) dst[d] = (x[s0 + ix]! - zx) & 255;
    }
  }
}
