/**
 * Depthwise 3x3 convolution of uint8 codes with fused 8-bit requantization on the registers
 * (dw.wat `conv_dw_rq`): per channel, packing, convolution and requantization in one pass, whole
 * channels per thread. Bit-identical to convIntOracle + requantizeOracle (+ the output table) under
 * the conditions conv-int.ts checks before calling it (int32-exact sums, uint8 input, multipliers
 * < 1/2: {@link rqInRegisters}). Layers with dilation 1 and equal strides 1 or 2 (every YOLOX
 * depthwise layer) run dw-3x3.ts / dw-3x3.wat `conv_dw_rq2` instead (see {@link dw3x3Eligible}).
 *
 * The layer's static data (packed weights, bias, register requantization data, row and tap offset
 * tables, geometry) is laid out once per layer and shape in one block and copied into the engine's
 * memory with a single `set` per call.
 */
import type { FastEngine } from './engine.js';
import type { ConvIntGeom, RequantParams } from './conv-int-types.js';
import type { PreparedConvInt } from './pack.js';
import { registerData, StaticImage, type RegisterData } from './requant.js';
import { depthwise3x3RqFast, dw3x3Eligible } from './dw-3x3.js';
import type { FastPlan } from './node-plan.js';

/** Whether the last {@link depthwiseRqFast} ran dw-3x3.wat conv_dw_rq2 (else dw.wat conv_dw_rq); for tests. */
export let lastDwRq2 = false;

/** Multiply-accumulates per job of the depthwise kernel (~10–20 µs); see FastEngine.jobCount. */
export const DW_JOB_MACS = 1 << 16;

/** The layout of one depthwise layer on the phase-split int16 buffer (see conv-int.wat conv_dw). */
export interface DwLayout {
  hp: number;
  wps: number;
  /** Elements of one packed channel (all stride phases). */
  region: number;
  tiles: number;
  /** Taps rounded up to even (conv_dw reads tap pairs). */
  ntaps: number;
  /** Byte offset of each output row in a packed channel. */
  rows: Int32Array;
  /** Byte offset of each tap (the extra tap: 0, weight 0). */
  taps: Int32Array;
}

/** The packed layout of a depthwise layer with geometry `g`. */
export function dwLayout(g: ConvIntGeom): DwLayout {
  const { oh, ow, sh, sw, dh, dw, kh, kw } = g;
  const hp = Math.max(g.h + g.pt + g.pb, (oh - 1) * sh + (kh - 1) * dh + 1, g.h + g.pt);
  const wp = Math.max(g.w + g.pl + g.pr, (ow - 1) * sw + (kw - 1) * dw + 1, g.w + g.pl);
  const wps = Math.ceil(wp / sw) + 8;
  const ntaps = kh * kw + ((kh * kw) & 1);
  const rows = new Int32Array(oh);
  for (let oy = 0; oy < oh; oy++) rows[oy] = oy * sh * wps * 2;
  const taps = new Int32Array(ntaps);
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) taps[ky * kw + kx] = ((((kx * dw) % sw) * hp + ky * dh) * wps + Math.floor((kx * dw) / sw)) * 2;
  }
  return { hp, wps, region: sw * hp * wps, tiles: Math.ceil(ow / 8), ntaps, rows, taps };
}

interface DwImage extends StaticImage {
  key: string;
  rd: RegisterData;
  lay: DwLayout;
}

const images = new WeakMap<PreparedConvInt, DwImage>();

/** [weights | bias | rq | k16 | row offsets | tap offsets | geometry], cached per layer and shape. */
function dwImage(prep: PreparedConvInt, g: ConvIntGeom, zx: number, q: RequantParams): DwImage {
  const c = g.c;
  const rd = registerData(q, c, Math.ceil(c / 4) * 4);
  const key = `${g.h},${g.w},${g.oh},${g.ow},${g.sh},${g.sw},${g.dh},${g.dw},${g.pt},${g.pl},${g.pb},${g.pr},${zx}`;
  const hit = images.get(prep);
  if (hit && hit.key === key && hit.rd === rd) return hit;
  const lay = dwLayout(g);
  const geo = Int32Array.of(g.h, g.w, zx, g.sw, lay.hp, lay.wps, g.pt, g.pl);
  const img = Object.assign(new StaticImage([prep.w, prep.bias, rd.rq, rd.k16, lay.rows, lay.taps, geo]), { key, rd, lay });
  images.set(prep, img);
  return img;
}

/**
 * Runs the layer: `src` is the address of the uint8 NCHW input in the engine's memory, `outA` that
 * of the [N][C][OH][OW] uint8 output (both already allocated by the caller after `e.reset()`).
 */
export function depthwiseRqFast(e: FastEngine, prep: PreparedConvInt, g: ConvIntGeom, zx: number, q: RequantParams, lut: Uint8Array | undefined, src: number, outA: number): void {
  lastDwRq2 = dw3x3Eligible(g, zx);
  if (lastDwRq2) {
    depthwise3x3RqFast(e, prep, g, zx, q, lut, src, outA);
    return;
  }
  const img = dwImage(prep, g, zx, q);
  const { lay } = img;
  const sA = img.addressIn(e);
  const at = (i: number): number => sA + img.at[i]!;
  const lutA = lut ? e.alloc(256) : 0;
  if (lut) new Uint8Array(e.buffer, lutA, 256).set(lut.subarray(0, 256));
  const bounce = e.allocPerThread(16);
  const xs = e.allocPerThread(lay.region * 2);
  const { c, oh, ow } = g;
  const hw = g.h * g.w;
  const plane = oh * ow;
  // jobs of whole channels, ~DW_JOB_MACS each; a job packs its channels into the buffer of the
  // thread that runs it (per-thread offsets of the x buffer and the bounce vector)
  const per = Math.ceil(c / e.jobCount(c * plane * g.kh * g.kw, DW_JOB_MACS));
  for (let b = 0; b < g.n; b++) {
    const dj: number[][] = [];
    for (let c0 = 0; c0 < c; c0 += per) {
      // (x: thread 0's buffer, w, bias, out, rowoff, tap, cstride, tiles, oh, c0, c1, r0, r1, ow, rq, lut, k16, bounce of thread 0, src, geo)
      dj.push([xs.at, at(0), at(1), outA + b * c * plane, at(4), at(5), lay.region * 2, lay.tiles, oh, c0, Math.min(c, c0 + per), 0, oh, ow, at(2), lutA, at(3), bounce.at, src + b * c * hw, at(6)]);
    }
    e.parallel('conv_dw_rq', dj, [[0, xs.stride], [17, bounce.stride]]);
  }
}

/**
 * A depthwise layer's replayable call (node-plan.ts) on engine `e` for inputs of geometry `g`:
 * allocation of the output, then {@link depthwiseRqFast}.
 */
export class DwPlan implements FastPlan {
  readonly inputs = [0];
  readonly inputLengths: number[];
  readonly outputLength: number;
  readonly lutApplied: boolean;
  /** The array the kernel's entry point returned for the last call (conv-int.ts sets it). */
  last: Uint8Array | null = null;

  constructor(
    readonly e: FastEngine,
    readonly prep: PreparedConvInt,
    readonly g: ConvIntGeom,
    readonly zx: number,
    readonly q: RequantParams,
    readonly lut: Uint8Array | undefined,
  ) {
    this.inputLengths = [g.n * g.c * g.h * g.w];
    this.outputLength = g.n * g.c * g.oh * g.ow;
    this.lutApplied = lut !== undefined;
  }

  run(xs: readonly Uint8Array[], outAt = 0): Uint8Array {
    const { e, outputLength: count } = this;
    const x = xs[0]!;
    if (x.length !== this.inputLengths[0]) throw new RangeError(`depthwise: ${x.length} input codes for a plan of ${this.inputLengths[0]}`);
    e.reset();
    const kept = e.arena ? outAt || e.allocKeep(count) : 0;
    const rawAt = e.addressOf(x);
    const srcA = rawAt ?? e.alloc(x.length);
    const outA = kept || e.alloc(count);
    if (rawAt === null) new Uint8Array(e.buffer, srcA, x.length).set(x);
    depthwiseRqFast(e, this.prep, this.g, this.zx, this.q, this.lut, srcA, outA);
    const view = new Uint8Array(e.buffer, outA, count);
    if (kept) return (this.last = view);
    const out = new Uint8Array(count);
    out.set(view);
    return (this.last = out);
  }
}

const dwPlans = new WeakMap<PreparedConvInt, { key: string; plan: DwPlan }>();

/** The cached plan of a depthwise layer (rebuilt when the engine, geometry, zero point, requantization or table change). */
export function dwPlan(e: FastEngine, prep: PreparedConvInt, g: ConvIntGeom, zx: number, q: RequantParams, lut: Uint8Array | undefined): DwPlan {
  const key = `${g.n},${g.c},${g.h},${g.w},${g.oh},${g.ow},${g.kh},${g.kw},${g.sh},${g.sw},${g.dh},${g.dw},${g.pt},${g.pl},${g.pb},${g.pr},${zx}`;
  const hit = dwPlans.get(prep);
  if (hit && hit.key === key && hit.plan.e === e && hit.plan.q === q && hit.plan.lut === lut) return hit.plan;
  const plan = new DwPlan(e, prep, { ...g }, zx, q, lut);
  dwPlans.set(prep, { key, plan });
  return plan;
}
