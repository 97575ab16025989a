/**
 * Convolutions of uint8 codes with few input channels, stride 1 along rows and dilation 1 (the first
 * 3x3 conv of YOLOX after its Focus: 12 → 16 channels, 208×208), requantized to uint8 on the
 * registers (conv-rows.wat: $conv_rows) from the pair-row layout written by $pack_rows, band by band of
 * output rows into a per-thread buffer (conv_rows_band: the packed rows are read from L1/L2).
 * Bit-identical to convIntOracle + requantizeOracle (+ the output table) under the int32 exactness
 * conditions the caller has checked (conv-int.ts convIntRequantFast), multipliers < 1/2
 * (requant.ts rqInRegisters).
 *
 * Why (measured on that layer, 1 thread, hot): conv-pairs-rq.wat (4 pixels × 8 channels per tile,
 * channels-last input, 4×4 transposes before the requantization) ran at ~26 GMAC/s including the
 * requantization; pixels in lanes (conv1x1.wat's tile: 8 pixels × 4 output channels, no transposes)
 * with the taps of one kernel column as one run of kh · ncp steps at a constant stride needs neither
 * offset tables nor an im2col copy.
 *
 * The input is read through per-channel descriptors (base address, row stride, column step), so the
 * same packer also gathers the channels straight from a strided box of another tensor (the Focus
 * slices + Concat of YOLOX, see focus.ts) without materializing the gathered tensor.
 */
import type { FastEngine } from './engine.js';
import type { ConvIntGeom, ConvIntParams, RequantParams } from './conv-int-types.js';
import type { PreparedConvInt } from './pack.js';
import { f64RecordsImage, registerImage, rqInRegisters, type RegisterImage } from './requant.js';

/** Multiply-accumulates per convolution job (~15 µs); see FastEngine.jobCount. */
const JOB_MACS = 1 << 19;
/** Bytes of packed input rows per band (per thread; stays in L1/L2). */
const BAND_BYTES = 1 << 16;
/** Input channels up to which the rows kernel is used (measured: README, s11-first). */
export const ROWS_MAX_CHANNELS = 16;

/** Whether {@link convRowsRequantFast} takes this layer (one group, uint8 input, stride 1 along rows, dilation 1, few channels). */
export function convRowsEligible(p: Pick<ConvIntParams, 'x' | 'strides' | 'dilations'>, q: RequantParams, prep: PreparedConvInt): boolean {
  return (
    prep.kind === 'pairs' &&
    prep.group === 1 &&
    prep.cg <= ROWS_MAX_CHANNELS &&
    p.x instanceof Uint8Array &&
    p.strides[1] === 1 &&
    p.dilations[0] === 1 &&
    p.dilations[1] === 1 &&
    rqInRegisters(q)
  );
}

/** One input channel's source: byte (iy, ix) at base + iy · rowStride + ix · step (step 1 or 2). */
export interface ChannelSource {
  base: number;
  rowStride: number;
  step: 1 | 2;
}

/**
 * Output codes NCHW uint8 [N][M][OH][OW] of a layer accepted by {@link convRowsEligible}, `lut`
 * applied to every code; kept in the engine's memory during a run (`outA`, else a copy).
 * `sources(b)` gives image b's channel sources (addresses in the engine's memory, valid until the
 * call returns); `g` the geometry (its x dims are the gathered input's).
 */
export function convRowsRun(e: FastEngine, g: ConvIntGeom, zx: number, q: RequantParams, prep: PreparedConvInt, lut: Uint8Array | undefined, outA: number, sources: (b: number) => ChannelSource[]): number {
  const { n, c, h, w, oh, ow, sh, kh, kw, pt, pl } = g;
  const m = prep.m;
  const ncp = prep.cp / 2;
  const plane = oh * ow;
  const ow8 = Math.ceil(ow / 8) * 8;
  const wpad = Math.ceil(Math.max(pl + w, ow8 + kw - 1) / 4) * 4;
  const hp = Math.max(pt + h, (oh - 1) * sh + kh);
  const img = layerImage(prep, q);
  const sA = img.addressIn(e);
  const [wA, bA, rqA, k16A] = [sA + img.at[0]!, sA + img.at[1]!, sA + img.at[2]!, sA + img.at[3]!];
  const rfA = f64RecordsImage(img, prep, zx).addressIn(e);
  const lutA = lut ? e.alloc(256) : 0;
  if (lut) new Uint8Array(e.buffer, lutA, 256).set(lut.subarray(0, 256));
  const descA = e.alloc(ncp * 2 * 16);
  const ppA = e.alloc(23 * 4);
  // bands of output rows whose packed input rows (this thread's buffer) fit in ~BAND_BYTES
  const rowBytes = ncp * wpad * 4;
  const rows = Math.max(1, Math.floor((Math.floor(BAND_BYTES / rowBytes) - kh) / sh) + 1);
  const bufBytes = Math.ceil((((rows - 1) * sh + kh) * rowBytes) / 16) * 16;
  const buf = e.allocPerThread(bufBytes);
  const bounce = e.allocPerThread(16);
  const oA = outA || e.alloc(n * m * plane);
  const desc = new Int32Array(e.buffer, descA, ncp * 8);
  const pp = new Int32Array(e.buffer, ppA, 23);
  const jobs = Math.max(1, Math.min(e.jobCount(plane * m * c * kh * kw, JOB_MACS), oh));
  const chunk = Math.ceil(oh / jobs);
  for (let b = 0; b < n; b++) {
    const src = sources(b);
    for (let ch = 0; ch < c; ch++) {
      const s = src[ch]!;
      desc.set([s.base, s.rowStride, s.step, 1], ch * 4);
    }
    // a missing odd channel: zeros (its base is only required to be readable)
    for (let ch = c; ch < ncp * 2; ch++) desc.set([0, 0, 1, 0], ch * 4);
    pp.set([descA, ncp, h, w, zx, wpad, pt, pl, wA, bA, oA + b * m * plane, rqA, lutA, k16A, kh, kw, sh, ow, plane, m, hp, rows, rfA]);
    const cj: number[][] = [];
    // (parameter block, oy0, oy1, band buffer of thread 0, bounce vector of thread 0)
    for (let y = 0; y < oh; y += chunk) cj.push([ppA, y, Math.min(oh, y + chunk), buf.at, bounce.at]);
    e.parallel('conv_rows_band', cj, [[3, buf.stride], [4, bounce.stride]]);
  }
  return oA;
}

/**
 * Conv inputs that are not written out (focus.ts): an uninitialized kept view of the input's size
 * whose channels are read from these sources instead; `consumed` is set when a convolution did.
 */
export const gatheredInputs = new WeakMap<Uint8Array, { sources: (b: number) => ChannelSource[]; consumed: boolean }>();

/** Channel sources of a plain NCHW uint8 tensor at byte address `at` (image b). */
export function nchwSources(at: number, b: number, c: number, h: number, w: number): ChannelSource[] {
  const out: ChannelSource[] = [];
  for (let ch = 0; ch < c; ch++) out.push({ base: at + (b * c + ch) * h * w, rowStride: w, step: 1 });
  return out;
}

/**
 * Weights of the 'pairs' layout (pack.ts) re-laid for conv-rows.wat $conv_rows: per 4 output channels
 * [kx][ky][channel pair][4][2] int16 (channels past M are 0).
 */
export function rowsWeights(prep: PreparedConvInt): Int16Array {
  const { kh, kw, m } = prep;
  const ncp = prep.cp / 2;
  const ntaps = kh * kw;
  const nhb = Math.ceil(m / 4);
  const out = new Int16Array(nhb * kw * kh * ncp * 8);
  for (let oc = 0; oc < m; oc++) {
    const hb = oc >> 2;
    const o4 = oc & 3;
    const ob = oc >> 3;
    const j = (oc >> 2) & 1;
    for (let kx = 0; kx < kw; kx++) {
      for (let ky = 0; ky < kh; ky++) {
        const t = ky * kw + kx;
        for (let k = 0; k < ncp; k++) {
          const from = ((ob * ntaps + t) * ncp + k) * 16 + j * 8 + o4 * 2;
          const to = ((((hb * kw + kx) * kh + ky) * ncp + k) * 4 + o4) * 2;
          out[to] = prep.w[from]!;
          out[to + 1] = prep.w[from + 1]!;
        }
      }
    }
  }
  return out;
}

/** Per-layer static data ([rows weights | bias | rq | k16]), per prepared layer. */
const images = new WeakMap<PreparedConvInt, RegisterImage>();

function layerImage(prep: PreparedConvInt, q: RequantParams): RegisterImage {
  return registerImage(images, prep, q, rowsWeights);
}
