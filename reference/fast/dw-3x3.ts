/**
 * Depthwise 3x3 convolution (dilation 1, stride 1 or 2 in both directions) of uint8 codes with the
 * 8-bit requantization on the registers: dw-3x3.wat `conv_dw_rq2` (input rows widened to int16 into
 * a ring of L1-resident row slots instead of a packing pass, 16 output pixels per tile without
 * interleaving shuffles, float64 or signed-product requantization where they are exact, see the
 * .wat header). Bit-identical to convIntOracle + requantizeOracle (+ table)
 * under the conditions conv-int.ts checks before the depthwise fast path (int32-exact sums, uint8
 * input, {@link rqInRegisters}); {@link dw3x3Eligible} adds the shape conditions.
 *
 * The layer's per-channel records (weight pairs, bias with the zero point folded in, requantization
 * data) are laid out once per layer, zero point and requantization parameters (cached), and made
 * resident in the engine's memory after the first run (StaticImage).
 */
import type { FastEngine } from './engine.js';
import type { ConvIntGeom, RequantParams } from './conv-int-types.js';
import type { PreparedConvInt } from './pack.js';
import { F64_ROUND_MAGIC, f64RequantExact, noExactTies, StaticImage } from './requant.js';

/**
 * Multiply-accumulates per job (~7K outputs, ~8 µs of the kernel); see FastEngine.jobCount. 2^16
 * and 2^17 measured alike at 2 threads on the 30 YOLOX-nano layers (2^16 ~3 % faster, more jobs to
 * balance a late worker).
 */
export const DW3_JOB_MACS = 1 << 16;

/** Bytes of one channel's record in the kernel's table (see dw-3x3.wat). */
const REC = 64;

/** Whether conv_dw_rq2 covers the geometry `g` and input zero point `zx` (3x3, dilation 1, equal strides 1 or 2). */
export function dw3x3Eligible(g: ConvIntGeom, zx: number): boolean {
  return g.kh === 3 && g.kw === 3 && g.dh === 1 && g.dw === 1 && g.sh === g.sw && (g.sh === 1 || g.sh === 2) && zx >= 0 && zx <= 255 && g.cg === 1 && g.mg === 1;
}

/**
 * Bytes of one int16 row slot for the geometry: the codes at elements [pl, pl + w), and every
 * element a tile reads (a tile starts at output x0 ≤ max(ow − 16, 0) and reads up to element
 * x0 + 18 at stride 1, 2·x0 + 33 at stride 2), rounded up to 16 bytes.
 */
export function dw3x3RowBytes(g: ConvIntGeom): number {
  const span = Math.max(g.ow, 16);
  const reads = g.sw === 1 ? span + 3 : 2 * span + 2;
  return Math.ceil((2 * Math.max(reads, g.pl + g.w)) / 16) * 16;
}

/**
 * The per-channel records (dw-3x3.wat), 64 bytes each: int32 words [0..5] weight pairs
 * (w[ky][0], w[ky][1]), (w[ky][2], 0) (int16 halves), [6] bias − zx·Σw (wrapped), [7] m, [8]
 * 2^(r−33), [9] r − 32 (shift 1: 2m, 1, 1 as requant.ts registerData), [10] the mode for
 * r = 31 + shift, then float64 [6] m·2^−r and [7] 1.5·2^52 (+ the output zero point in mode 3).
 * Modes: no exact ties (m = 0 or tz(m) ≤ shift − 1) and |bias| + max|x − zx|·Σ|w| times m below
 * 2^53: float64, 3 when the clamp is [0, 255], else 2; otherwise no ties and shift ≥ 2: 0 (signed
 * product); else 1 (|acc| and sign).
 */
export function dw3x3Records(prep: PreparedConvInt, zx: number, q: RequantParams): Int32Array {
  const c = prep.m;
  const rec = new Int32Array((c * REC) / 4);
  const rf = new Float64Array(rec.buffer);
  const maxAbsX = Math.max(zx, 255 - zx);
  const full = q.qmin === 0 && q.qmax === 255;
  const nte = prep.w.length / c;
  for (let ch = 0; ch < c; ch++) {
    const w = (t: number): number => prep.w[ch * nte + t]!;
    const at = (ch * REC) / 4;
    let sum = 0;
    for (let ky = 0; ky < 3; ky++) {
      rec[at + 2 * ky] = (w(3 * ky) & 0xffff) | (w(3 * ky + 1) << 16);
      rec[at + 2 * ky + 1] = w(3 * ky + 2) & 0xffff;
      sum += w(3 * ky) + w(3 * ky + 1) + w(3 * ky + 2);
    }
    rec[at + 6] = prep.bias[ch]! - zx * sum; // wrapped to int32 by the store: exact modulo 2^32
    const s = q.shifts[ch]!;
    const m = q.multipliers[ch]!;
    // no exact ties, and every |acc| (≤ |bias| + max|x − zx|·Σ|w|) times m exact in a float64
    const f64 = f64RequantExact(m, s, prep.absBias[ch]! + maxAbsX * prep.sumAbsW[ch]!);
    rec[at + 7] = s === 1 ? 2 * m : m;
    rec[at + 8] = s === 1 ? 1 : 2 ** (s - 2);
    rec[at + 9] = s === 1 ? 1 : s - 1;
    const mode = f64 ? (full ? 3 : 2) : noExactTies(m, s) && s >= 2 ? 0 : 1;
    rec[at + 10] = mode;
    rf[at / 2 + 6] = m * 2 ** -(31 + s);
    // adding 1.5·2^52 rounds to an integer (ties to even: no ties here) held in the low word; mode 3
    // adds the output zero point with it
    rf[at / 2 + 7] = F64_ROUND_MAGIC + (mode === 3 ? q.zpOut : 0);
  }
  return rec;
}

interface Dw3Image extends StaticImage {
  zx: number;
  q: RequantParams;
  multipliers: RequantParams['multipliers'];
  shifts: RequantParams['shifts'];
  zp: number;
  qmin: number;
  qmax: number;
}

const images = new WeakMap<PreparedConvInt, Dw3Image>();

/** [records | k16], cached per layer while zx and q's fields stay the same. */
function image(prep: PreparedConvInt, zx: number, q: RequantParams): Dw3Image {
  const hit = images.get(prep);
  if (hit && hit.zx === zx && hit.q === q && hit.multipliers === q.multipliers && hit.shifts === q.shifts && hit.zp === q.zpOut && hit.qmin === q.qmin && hit.qmax === q.qmax) return hit;
  const k16 = new Int16Array(24);
  k16.fill(q.zpOut, 0, 8);
  k16.fill(q.qmin, 8, 16);
  k16.fill(q.qmax, 16, 24);
  const img = Object.assign(new StaticImage([dw3x3Records(prep, zx, q), k16]), { zx, q, multipliers: q.multipliers, shifts: q.shifts, zp: q.zpOut, qmin: q.qmin, qmax: q.qmax });
  images.set(prep, img);
  return img;
}

/**
 * Runs a layer accepted by {@link dw3x3Eligible}: `src` is the address of the uint8 NCHW input in
 * the engine's memory, `outA` that of the [N][C][OH][OW] uint8 output (both allocated by the caller
 * after `e.reset()`); `lut` (256 entries) is applied to every output code.
 */
export function depthwise3x3RqFast(e: FastEngine, prep: PreparedConvInt, g: ConvIntGeom, zx: number, q: RequantParams, lut: Uint8Array | undefined, src: number, outA: number): void {
  const img = image(prep, zx, q);
  const sA = img.addressIn(e);
  const rs = dw3x3RowBytes(g);
  // per-thread buffers on separate 128-byte blocks: a thread's bounce vector (stored 8 times per
  // tile) next to another thread's row slots made the 52-wide layers slower on 2 threads than on 1
  const { at: bufA, stride: per } = e.allocPerThread(32 + 9 * rs);
  let lutA = 0;
  if (lut) {
    lutA = e.alloc(256);
    new Uint8Array(e.buffer, lutA, 256).set(lut.subarray(0, 256));
  }
  const { c, h, w, oh, ow } = g;
  const recA = sA + img.at[0]!;
  const k16A = sA + img.at[1]!;
  const jobs = e.jobCount(c * oh * ow * 9, DW3_JOB_MACS);
  for (let b = 0; b < g.n; b++) {
    const s = src + b * c * h * w;
    const o = outA + b * c * oh * ow;
    if (jobs === 1) {
      e.call('conv_dw_rq2', [bufA, recA, k16A, s, o, 0, c, h, w, oh, ow, g.sh, g.pt, g.pl, rs, zx, lutA]);
      continue;
    }
    // whole channels per job; each job uses the buffer of the thread that runs it
    const dj: number[][] = [];
    for (let j = 0; j < jobs; j++) {
      const c0 = Math.floor((j * c) / jobs);
      const c1 = Math.floor(((j + 1) * c) / jobs);
      if (c1 > c0) dj.push([bufA, recA, k16A, s, o, c0, c1, h, w, oh, ow, g.sh, g.pt, g.pl, rs, zx, lutA]);
    }
    e.parallel('conv_dw_rq2', dj, [[0, per]]);
  }
}
