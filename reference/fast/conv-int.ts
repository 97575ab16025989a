/**
 * Fast path of the integer core (conv-int-types.ts) on WebAssembly SIMD (conv-int.wat), bit-identical
 * to the oracle (conv-int-oracle.ts).
 *
 * Layout decision (measured, see scripts/bench-wasm.ts): no im2col. Activations are packed per call
 * to int16 with the zero point subtracted, channels innermost ([H+pads][W+pads][C rounded to even]),
 * so a channel pair is one 32-bit word that `i32x4.dot_i16x8_s` multiplies against 4 output
 * channels' weight pairs; the register tile is 4 output pixels × 8 output channels over the whole
 * reduction (taps × channel pairs), read through a per-pixel and a per-tap offset table, which covers
 * every kernel size, stride, dilation and padding with one kernel. Depthwise layers use a
 * channels-in-lanes kernel (8 channels per vector, i32x4.extmul; driver: conv-dw-run.ts). 16-bit activations whose x − zx
 * leaves int16 are split into high and low bytes and run twice: acc = (acc_hi << 8) + acc_lo.
 * Work splits over output pixels (or output-channel blocks for small planes) across the engine's
 * threads; the result does not depend on the thread count.
 */
import { FastEngine } from './engine.js';
import { MAX_JOBS } from './engine-worker.js';
import { convIntOracle, matMulIntOracle } from './conv-int-oracle.js';
import { convIntGeom, type ConvIntGeom, type ConvIntParams, type MatMulIntParams, type RequantParams } from './conv-int-types.js';
import { conv1x1Eligible, conv1x1RequantFast } from './conv1x1.js';
import { allocRequant, checkRequant, registerData, requantizeFast, requantRows, rqInRegisters } from './requant.js';
import { convRowsEligible, convRowsRun, gatheredInputs, nchwSources } from './conv-rows.js';
import { accFitsInt32, minMax, packChannelsLast, prepareConvInt, type PackPart, type PreparedConvInt } from './pack.js';
import { PACK_JOB_BYTES, PAIRS_JOB_MACS, split, type Fused } from './conv-jobs.js';
import { runDepthwise } from './conv-dw-run.js';

export { prepareConvInt, type PreparedConvInt } from './pack.js';
export { checkRequant, requantizeFast } from './requant.js';
export { lastDwInRegisters } from './conv-dw-run.js';

/** Why the last call of a fast function ran on the oracle instead (null: it ran on WebAssembly). */
export let lastFallback: string | null = null;

/** Whether the last convIntRequantFast call ran on conv-rows.wat (few input channels, stride 1 along rows). */
export let lastConvRows = false;

/** Whether the last convIntRequantFast call applied its output table (`lut`) itself. */
export let lastLutApplied = false;

/** Zeroes `bytes` bytes at byte address `at` of the engine's memory, in jobs of ~ZERO_JOB_BYTES. */
function zeroFast(e: FastEngine, at: number, bytes: number): void {
  const chunk = Math.ceil(bytes / e.jobCount(bytes, ZERO_JOB_BYTES) / 16) * 16;
  const jobs: number[][] = [];
  for (let i = 0; i < bytes; i += chunk) jobs.push([at + i, Math.min(chunk, bytes - i)]);
  e.parallel('zero', jobs);
}

/** Bytes per job of zeroing (~10 µs). */
const ZERO_JOB_BYTES = 1 << 18;

/** How one image is packed and read: spatial padding and the offset tables (in elements of cp-wide pixels). */
interface Layout {
  hp: number;
  wp: number;
  plane: number;
  pix: Int32Array;
  tap: Int32Array;
  /** Writes image/rows `b` (part) into dst at base. */
  pack(dst: Int16Array, base: number, b: number, g: number, part: PackPart): void;
  /** uint8 NCHW source for the WebAssembly packer (pack_u8), used for part 'all'. */
  raw?: { x: Uint8Array; c: number; cg: number; h: number; w: number; zx: number; pt: number; pl: number };
}

/** Pixel and tap offset tables per geometry (read-only; memoized: the same layers run on every inference). */
const TABLES = new Map<string, { pix: Int32Array; tap: Int32Array }>();

function offsetTables(g: ConvIntGeom, wp: number, cp: number): { pix: Int32Array; tap: Int32Array } {
  const key = `${g.oh},${g.ow},${g.sh},${g.sw},${g.kh},${g.kw},${g.dh},${g.dw},${wp},${cp}`;
  let t = TABLES.get(key);
  if (!t) {
    const pix = new Int32Array(g.oh * g.ow);
    for (let oy = 0; oy < g.oh; oy++) for (let ox = 0; ox < g.ow; ox++) pix[oy * g.ow + ox] = (oy * g.sh * wp + ox * g.sw) * cp * 2;
    const tap = new Int32Array(g.kh * g.kw);
    for (let ky = 0; ky < g.kh; ky++) for (let kx = 0; kx < g.kw; kx++) tap[ky * g.kw + kx] = (ky * g.dh * wp + kx * g.dw) * cp * 2;
    if (TABLES.size >= 512) TABLES.clear();
    TABLES.set(key, (t = { pix, tap }));
  }
  return t;
}

function convLayout(p: ConvIntParams, g: ConvIntGeom, cp: number): Layout {
  const hp = Math.max(g.h + g.pt + g.pb, (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1, g.h + g.pt);
  const wp = Math.max(g.w + g.pl + g.pr, (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1, g.w + g.pl);
  const plane = g.oh * g.ow;
  const { pix, tap } = offsetTables(g, wp, cp);
  return {
    hp,
    wp,
    plane,
    pix,
    tap,
    raw: p.x instanceof Uint8Array ? { x: p.x, c: g.c, cg: g.cg, h: g.h, w: g.w, zx: p.zx, pt: g.pt, pl: g.pl } : undefined,
    pack: (dst, base, b, gi, part) =>
      packChannelsLast(dst, base, p.x, (b * g.c + gi * g.cg) * g.h * g.w, g.cg, g.h, g.w, p.zx, cp, hp, wp, g.pt, g.pl, part),
  };
}

/**
 * Runs prepared weights over `images` packed images; `out` receives [image][M][plane] int32.
 * `parts` is ['all'] or ['hi', 'lo'] (17-bit activations).
 */
function runKernel(e: FastEngine, prep: PreparedConvInt, lay: Layout, images: number, parts: PackPart[], out: Int32Array | null, fused: Fused | null = null): void {
  const { plane } = lay;
  const groups = prep.group;
  const regionElems = lay.hp * lay.wp * prep.cp;
  const mgPad = prep.nob * 8;
  const outRows = groups * mgPad;
  e.reset();
  const wA = e.alloc(prep.w.byteLength);
  const bA = e.alloc(prep.bias.byteLength);
  const zA = e.alloc(prep.bias.byteLength);
  const pixA = e.alloc(plane * 4);
  const tapA = e.alloc(lay.tap.length * 4);
  const xA = e.alloc(groups * regionElems * 2);
  const raw = lay.raw;
  // one group of uint8 codes, 8-bit output: requantization on the registers (conv-pairs-rq.wat)
  const inRegs = fused !== null && groups === 1 && raw !== undefined && parts.length === 1 && parts[0] === 'all' && rqInRegisters(fused.q);
  lastPairsInRegisters = inRegs;
  const oA = e.alloc(inRegs ? 0 : outRows * plane * 4);
  // an input already in the engine's memory (a kept output of an earlier kernel) is read in place
  const rawAt = raw ? e.addressOf(raw.x) : null;
  const srcA = raw && rawAt === null ? e.alloc(raw.c * raw.h * raw.w) : 0;
  const rd = inRegs ? registerData(fused.q, prep.m, mgPad) : null;
  const rqA = rd ? e.alloc(rd.rq.byteLength) : 0;
  const k16A = rd ? e.alloc(48) : 0;
  const lutA = rd && fused!.lut ? e.alloc(256) : 0;
  const qA = rd && !fused!.outA ? e.alloc(prep.m * plane) : 0;
  const bounce = rd ? e.allocPerThread(32) : { at: 0, stride: 0 };
  const qs = fused && !inRegs ? allocRequant(e, outRows, fused.outA ? 0 : prep.m * plane, fused.q, (r) => (r % mgPad < prep.mg ? Math.floor(r / mgPad) * prep.mg + (r % mgPad) : -1), fused.lut) : null;
  const buf = e.buffer;
  new Int16Array(buf, wA, prep.w.length).set(prep.w);
  new Int32Array(buf, bA, prep.bias.length).set(prep.bias);
  new Int32Array(buf, zA, prep.bias.length).fill(0);
  new Int32Array(buf, pixA, plane).set(lay.pix);
  new Int32Array(buf, tapA, lay.tap.length).set(lay.tap);
  if (rd) {
    new Int32Array(buf, rqA, rd.rq.length).set(rd.rq);
    new Int16Array(buf, k16A, 24).set(rd.k16);
    if (lutA) new Uint8Array(buf, lutA, 256).set(fused!.lut!.subarray(0, 256));
  }
  const x16 = new Int16Array(buf);
  const o32 = new Int32Array(buf, oA, inRegs ? 0 : outRows * plane);
  const ntaps = prep.kh * prep.kw;
  const ncp = prep.cp / 2;
  const hiAcc = parts.length > 1 ? new Int32Array(prep.m * plane) : null;
  for (let b = 0; b < images; b++) {
    const dst = out ? out.subarray(b * prep.m * plane, (b + 1) * prep.m * plane) : new Int32Array(0);
    for (const part of parts) {
      const biasA = part === 'hi' ? zA : bA;
      if (raw && part === 'all') {
        const hw = raw.h * raw.w;
        const src = rawAt !== null ? rawAt + b * raw.c * hw : srcA;
        if (rawAt === null) new Uint8Array(buf, srcA, raw.c * hw).set(raw.x.subarray(b * raw.c * hw, (b + 1) * raw.c * hw));
        // packing writes every element when there is no spatial or channel padding
        if (raw.pt !== 0 || raw.pl !== 0 || lay.hp !== raw.h || lay.wp !== raw.w || prep.cp !== raw.cg) zeroFast(e, xA, groups * regionElems * 2);
        // jobs of channel blocks of 8 (each block is packed by exactly one job), ~PACK_JOB_BYTES each
        const per = Math.ceil(raw.cg / 8 / e.jobCount(raw.cg * hw, PACK_JOB_BYTES)) * 8;
        const jobs: number[][] = [];
        for (let gi = 0; gi < groups; gi++) {
          for (let c0 = 0; c0 < raw.cg; c0 += per) {
            const cn = Math.min(per, raw.cg - c0);
            jobs.push([src + (gi * raw.cg + c0) * hw, xA + (gi * regionElems + c0) * 2, cn, raw.h, raw.w, raw.zx, prep.cp, lay.wp, raw.pt, raw.pl]);
          }
        }
        for (let j = 0; j < jobs.length; j += MAX_JOBS) e.parallel('pack_u8', jobs.slice(j, j + MAX_JOBS));
      } else {
        for (let gi = 0; gi < groups; gi++) lay.pack(x16, (xA >> 1) + gi * regionElems, b, gi, part);
      }
      const { jobs } = split(e.jobCount(prep.nob * 8 * plane * ntaps * prep.cp, PAIRS_JOB_MACS), prep.nob, plane, 4);
      if (inRegs) {
        const outAt = fused!.outA ? fused!.outA + b * prep.m * plane : qA;
        // the bounce vector (argument 17) is per thread: jobs run on whichever thread claims them
        e.parallel('conv_pairs_rq', jobs.map(([b0, b1, p0, p1]) => [xA, wA, bA, outAt, pixA, tapA, ntaps, ncp, plane, b0, b1, p0, p1, rqA, lutA, k16A, prep.m, bounce.at]), [[17, bounce.stride]]);
        if (!fused!.outA) fused!.out.set(new Uint8Array(e.buffer, qA, prep.m * plane), b * prep.m * plane);
        continue;
      }
      for (let gi = 0; gi < groups; gi++) {
        const args = [xA + gi * regionElems * 2, wA + gi * prep.nob * ntaps * ncp * 32, biasA + gi * mgPad * 4, oA + gi * mgPad * plane * 4, pixA, tapA, ntaps, ncp, plane];
        e.parallel('conv_pairs', jobs.map(([b0, b1, p0, p1]) => [...args, b0, b1, p0, p1]));
      }
      if (fused && qs) {
        // per group: rows [0, mg) of its accumulator block -> rows gi·mg.. of the output (no padding rows)
        for (let gi = 0; gi < groups; gi++) {
          const qA = (fused.outA ? fused.outA + b * prep.m * plane * qs.bytes : qs.qA) + gi * prep.mg * plane * qs.bytes;
          requantRows(e, oA + gi * mgPad * plane * 4, qs.mA + gi * mgPad * 4, qs.sA + gi * mgPad * 4, qA, prep.mg, plane, plane, plane, fused.q, qs.lutA);
        }
        if (!fused.outA) fused.out.set(qs.view(prep.m * plane), b * prep.m * plane);
        continue;
      }
      const target = part === 'hi' ? hiAcc! : dst;
      if (mgPad === prep.mg) target.set(o32.subarray(0, prep.m * plane));
      else for (let gi = 0; gi < groups; gi++) target.set(o32.subarray(gi * mgPad * plane, (gi * mgPad + prep.mg) * plane), gi * prep.mg * plane);
    }
    if (hiAcc) for (let i = 0; i < dst.length; i++) dst[i] = ((hiAcc[i]! << 8) + dst[i]!) | 0;
  }
}

/** Whether the last general (conv_pairs) fused convolution requantized on the registers (conv-pairs-rq.wat). */
export let lastPairsInRegisters = false;

/**
 * Range of x − zx: from the dtype for uint8 (no scan), else scanned, so 16-bit data only splits
 * (and only falls back) when its actual values need it.
 */
function xRange(x: Uint8Array | Uint16Array, zx: number, prep: PreparedConvInt): [number, number] {
  if (x instanceof Uint8Array && accFitsInt32(prep, Math.max(zx, 255 - zx))) return [0, 255];
  return minMax(x);
}

/** The packing parts for activations with range [lo, hi] and zero point zx. */
function partsFor(lo: number, hi: number, zx: number): PackPart[] {
  return lo - zx < -32768 || hi - zx > 32767 ? ['hi', 'lo'] : ['all'];
}

/**
 * Integer convolution accumulators (NCHW [N][M][OH][OW], see conv-int-types.ts) on the fast engine.
 * `prepared` (from {@link prepareConvInt} with the same weights) avoids re-packing weights per call.
 * Layers whose int32 sums cannot be proven exact run on {@link convIntOracle} (see `lastFallback`).
 */
export function convIntFast(engine: FastEngine, p: ConvIntParams, prepared?: PreparedConvInt): Int32Array {
  const g = convIntGeom(p);
  const prep = prepared ?? prepareConvInt(p.w, p.wShape, p.bias, p.group);
  const [lo, hi] = xRange(p.x, p.zx, prep);
  const maxAbsX = Math.max(Math.abs(lo - p.zx), Math.abs(hi - p.zx));
  if (!prep.fitsInt16 || !accFitsInt32(prep, maxAbsX)) {
    lastFallback = prep.fitsInt16 ? 'int32 accumulator bound exceeded' : 'weights outside int16';
    return convIntOracle(p);
  }
  lastFallback = null;
  const out = new Int32Array(g.n * g.m * g.oh * g.ow);
  if (prep.kind === 'dw') runDepthwise(engine, prep, p, g, partsFor(lo, hi, p.zx), out);
  else runKernel(engine, prep, convLayout(p, g, prep.cp), g.n, partsFor(lo, hi, p.zx), out);
  return out;
}

/**
 * Convolution and requantization in one pass (NCHW [N][M][OH][OW] uint8/uint16 output): equal to
 * requantizeOracle(convIntOracle(p), OH·OW, q) and to requantizeFast(convIntFast(p)); the int32
 * accumulators never leave WebAssembly memory. `q.multipliers` has one entry per output channel.
 * `lut` (8-bit output only): a 256-entry table then applied to every output code in WebAssembly
 * (fused element-wise successors); {@link lastLutApplied} says whether it was.
 */
export function convIntRequantFast(engine: FastEngine, p: ConvIntParams, q: RequantParams, prepared?: PreparedConvInt, lut?: Uint8Array): Uint8Array | Uint16Array {
  lastLutApplied = false;
  lastConvRows = false;
  lastPairsInRegisters = false;
  const g = convIntGeom(p);
  checkRequant(q);
  if (q.multipliers.length !== g.m || q.shifts.length !== g.m) throw new RangeError(`convIntRequantFast: ${q.multipliers.length} multipliers for ${g.m} output channels`);
  const prep = prepared ?? prepareConvInt(p.w, p.wShape, p.bias, p.group);
  const [lo, hi] = xRange(p.x, p.zx, prep);
  const parts = partsFor(lo, hi, p.zx);
  const maxAbsX = Math.max(Math.abs(lo - p.zx), Math.abs(hi - p.zx));
  if (!prep.fitsInt16 || !accFitsInt32(prep, maxAbsX) || parts.length > 1) {
    return requantizeFast(engine, convIntFast(engine, p, prep), g.oh * g.ow, q);
  }
  lastFallback = null;
  if (conv1x1Eligible(p, q, prep)) {
    lastLutApplied = lut !== undefined;
    return conv1x1RequantFast(engine, p, q, prep, lut);
  }
  const count = g.n * g.m * g.oh * g.ow;
  // engine in a run (arena): the output stays in its memory, written in place by the kernels
  engine.reset();
  const outA = engine.arena ? engine.allocKeep(count * (q.bits === 8 ? 1 : 2)) : 0;
  const out = outA ? (q.bits === 8 ? new Uint8Array(engine.buffer, outA, count) : new Uint16Array(engine.buffer, outA, count)) : q.bits === 8 ? new Uint8Array(count) : new Uint16Array(count);
  const fused: Fused = { q, out, lut: q.bits === 8 ? lut : undefined, outA };
  lastLutApplied = fused.lut !== undefined;
  const gathered = p.x instanceof Uint8Array ? gatheredInputs.get(p.x) : undefined;
  // a gathered input is taken only under the dtype bound (its codes are not there to be scanned)
  if (convRowsEligible(p, q, prep) && (!gathered || accFitsInt32(prep, Math.max(p.zx, 255 - p.zx)))) {
    // few input channels, stride 1 along rows: pixels in lanes from the pair-row layout (conv-rows.ts)
    // (an input gathered from another tensor by the Focus fusion, focus.ts, is read from its sources)
    const x = p.x as Uint8Array;
    let sources = gathered?.sources;
    if (gathered) gathered.consumed = true;
    else {
      const inAt = engine.addressOf(x);
      const srcA = inAt ?? engine.alloc(x.length);
      if (inAt === null) new Uint8Array(engine.buffer, srcA, x.length).set(x);
      sources = (b) => nchwSources(srcA, b, g.c, g.h, g.w);
    }
    lastConvRows = true;
    const oA = convRowsRun(engine, g, p.zx, q, prep, fused.lut, outA, sources!);
    if (!outA) fused.out.set(new Uint8Array(engine.buffer, oA, count));
    return fused.out;
  }
  if (prep.kind === 'dw') runDepthwise(engine, prep, p, g, parts, null, fused);
  else runKernel(engine, prep, convLayout(p, g, prep.cp), g.n, parts, null, fused);
  return fused.out;
}

/** B as conv weights [N][K] (1×1 kernel). */
export function prepareMatMulInt(p: Pick<MatMulIntParams, 'b' | 'k' | 'n' | 'bTransposed' | 'bias'>): PreparedConvInt {
  let w: ArrayLike<number> = p.b;
  if (!p.bTransposed) {
    const t = new Int32Array(p.k * p.n);
    for (let k = 0; k < p.k; k++) for (let j = 0; j < p.n; j++) t[j * p.k + k] = p.b[k * p.n + j]!;
    w = t;
  }
  return prepareConvInt(w, [p.n, p.k, 1, 1], p.bias, 1);
}

/** Integer matrix product accumulators [M][N] (see MatMulIntParams) on the fast engine. */
export function matMulIntFast(engine: FastEngine, p: MatMulIntParams, prepared?: PreparedConvInt): Int32Array {
  const prep = prepared ?? prepareMatMulInt(p);
  const [lo, hi] = xRange(p.a, p.za, prep);
  const maxAbsX = Math.max(Math.abs(lo - p.za), Math.abs(hi - p.za));
  if (!prep.fitsInt16 || !accFitsInt32(prep, maxAbsX)) {
    lastFallback = prep.fitsInt16 ? 'int32 accumulator bound exceeded' : 'weights outside int16';
    return matMulIntOracle(p);
  }
  lastFallback = null;
  const cp = prep.cp;
  const pix = new Int32Array(p.m);
  for (let i = 0; i < p.m; i++) pix[i] = i * cp * 2;
  const lay: Layout = {
    hp: 1,
    wp: p.m,
    plane: p.m,
    pix,
    tap: new Int32Array(1),
    pack: (dst, base, _b, _g, part) => {
      dst.fill(0, base, base + p.m * cp);
      for (let i = 0; i < p.m; i++) {
        const s = i * p.k;
        const d = base + i * cp;
        if (part === 'all') for (let k = 0; k < p.k; k++) dst[d + k] = p.a[s + k]! - p.za;
        else if (part === 'hi') for (let k = 0; k < p.k; k++) dst[d + k] = (p.a[s + k]! - p.za) >> 8;
        else for (let k = 0; k < p.k; k++) dst[d + k] = (p.a[s + k]! - p.za) & 255;
      }
    },
  };
  const nm = new Int32Array(p.n * p.m);
  runKernel(engine, prep, lay, 1, partsFor(lo, hi, p.za), nm);
  const out = new Int32Array(p.m * p.n);
  for (let j = 0; j < p.n; j++) for (let i = 0; i < p.m; i++) out[i * p.n + j] = nm[j * p.m + i]!;
  return out;
}
