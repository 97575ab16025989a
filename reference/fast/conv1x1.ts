/**
 * 1x1 convolutions (stride 1, no padding, one group, uint8 input, 8-bit output) with fused
 * requantization on the fast engine (conv1x1.wat): no NHWC packing of the whole input, no int32
 * accumulator pass, and one fork/join per layer (each job packs, accumulates and requantizes its
 * own pixel range or output-channel blocks). Bit-identical to convIntOracle + requantizeOracle (+ the output table), under the
 * same int32 exactness conditions as the general kernel, which the caller has checked
 * (conv-int.ts convIntRequantFast); multipliers must be < 1/2 (requant.ts rqInRegisters) and the output
 * range within uint8.
 */
import type { FastEngine } from './engine.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { accFitsInt32, type PreparedConvInt } from './pack.js';
import { f64RecordsImage, registerImage, rqInRegisters, tableImage, type RegisterImage, type StaticImage } from './requant.js';
import { publishPlan, type FastPlan } from './node-plan.js';

/** Multiply-accumulates per job (~15 µs at ~35 GMAC/s); see FastEngine.jobCount. */
const JOB_MACS = 1 << 19;
/** Pixels per job below which a layer is split by output channels instead (when it has enough). */
const MIN_PIXELS_PER_JOB = 64;

/** How the last {@link conv1x1RequantFast} call split its work over the threads. */
export let lastConv1x1Split: 'pixels' | 'channels' | 'none' = 'none';

/** Whether {@link conv1x1RequantFast} takes this layer. */
export function conv1x1Eligible(p: ConvIntParams, q: RequantParams, prep: PreparedConvInt): boolean {
  return (
    prep.kind === 'pairs' &&
    prep.kh === 1 &&
    prep.kw === 1 &&
    prep.group === 1 &&
    p.x instanceof Uint8Array &&
    p.strides[0] === 1 &&
    p.strides[1] === 1 &&
    p.pads.every((v) => v === 0) &&
    rqInRegisters(q)
  );
}

/**
 * Output codes NCHW uint8 of a layer accepted by {@link conv1x1Eligible}; `lut` (256 entries) is
 * applied to every output code. The output is kept in the engine's memory during a run. The call
 * is published as a replayable plan (node-plan.ts).
 */
export function conv1x1RequantFast(e: FastEngine, p: ConvIntParams, q: RequantParams, prep: PreparedConvInt, lut?: Uint8Array): Uint8Array {
  const plan = conv1x1Plan(e, p, q, prep, lut);
  const out = plan.run([p.x as Uint8Array]);
  // replayable only when exactness does not depend on the codes (the caller may have scanned them)
  if (accFitsInt32(prep, Math.max(p.zx, 255 - p.zx))) publishPlan(plan);
  return out;
}

/**
 * The layer's call on engine `e` for inputs of `p`'s shape and zero point: its static data, its
 * job split and the job arguments except the addresses of one run. Cached per prepared layer
 * (rebuilt when the engine, the requantization, the table, the shape or the zero point change).
 */
function conv1x1Plan(e: FastEngine, p: ConvIntParams, q: RequantParams, prep: PreparedConvInt, lut: Uint8Array | undefined): Conv1x1Plan {
  const img = layerImage(prep, q);
  const hit = plans.get(prep);
  const [n, c, h, w] = p.xShape;
  if (hit && hit.e === e && hit.img === img && hit.lut === (lut ?? null) && hit.zx === p.zx && hit.n === n && hit.c === c && hit.h === h && hit.w === w) return hit;
  const plan = new Conv1x1Plan(e, img, lut ?? null, p.xShape, p.zx, prep);
  plans.set(prep, plan);
  return plan;
}

const plans = new WeakMap<PreparedConvInt, Conv1x1Plan>();

/** One layer's replayable call (see {@link conv1x1Plan}). */
class Conv1x1Plan implements FastPlan {
  readonly inputs = [0];
  readonly inputLengths: number[];
  readonly lutApplied: boolean;
  last: Uint8Array | null = null;
  readonly n: number;
  readonly c: number;
  readonly h: number;
  readonly w: number;
  private readonly lutImg: StaticImage | null;
  /** The float64 requantization records for this zero point (requant.ts f64RecordsImage). */
  private readonly rfImg: StaticImage;
  /** Output codes per image / in all. */
  private readonly count: number;
  private readonly ncp: number;
  /** Job arguments per image (addresses filled in by `run`). */
  private readonly jobs: number[][][];

  constructor(
    readonly e: FastEngine,
    readonly img: RegisterImage,
    readonly lut: Uint8Array | null,
    xShape: readonly [number, number, number, number],
    readonly zx: number,
    prep: PreparedConvInt,
  ) {
    const [n, c, h, w] = xShape;
    [this.n, this.c, this.h, this.w] = [n, c, h, w];
    const m = prep.m;
    const plane = h * w;
    const p8 = Math.ceil(plane / 8) * 8;
    this.ncp = prep.cp / 2;
    this.count = n * m * plane;
    this.inputLengths = [n * c * plane];
    this.lutImg = lut ? tableImage(lut, 256) : null;
    this.rfImg = f64RecordsImage(img, prep, zx);
    this.lutApplied = lut !== null;
    // jobs of ~JOB_MACS over pixel ranges of whole 64-pixel units, spread evenly (with the kept
    // output 64-byte aligned and a plane that is a multiple of 64, as at 104², no output cache line
    // is written by two jobs); a plane too small for that with enough output channels is split by
    // output-channel blocks instead (each job packs the whole plane for its channels). Jobs run on
    // any thread: the tile buffer and the bounce vector are per thread (FastEngine.allocPerThread).
    const nhb = Math.ceil(m / 4);
    const want = e.jobCount(p8 * c * m, JOB_MACS);
    const byChannels = want > 1 && p8 < MIN_PIXELS_PER_JOB * want && nhb >= 2 * want;
    const pjobs = byChannels ? 1 : Math.max(1, Math.min(want, Math.floor(p8 / MIN_PIXELS_PER_JOB)));
    const units = Math.ceil(p8 / 64);
    const hbChunk = byChannels ? Math.ceil(nhb / want) : nhb;
    this.split = byChannels ? 'channels' : pjobs > 1 ? 'pixels' : 'none';
    // (src, xp: the tile buffer of thread 0, w, bias, out, rq, lut, bounce of thread 0, c, ncp, plane, m, zx, k16, p0, p1, hb0, hb1, rf); 0s: addresses
    const at = (p0: number, p1: number, hb0: number, hb1: number): number[] => [0, 0, 0, 0, 0, 0, 0, 0, c, this.ncp, plane, m, zx, 0, p0, p1, hb0, hb1, 0];
    this.jobs = [];
    for (let b = 0; b < n; b++) {
      const jobs: number[][] = [];
      if (byChannels) for (let hb = 0; hb < nhb; hb += hbChunk) jobs.push(at(0, p8, hb, Math.min(nhb, hb + hbChunk)));
      // job k: units [⌊k·units/pjobs⌋, ⌊(k+1)·units/pjobs⌋) (pjobs ≤ p8 / 64, so none is empty)
      else for (let k = 0; k < pjobs; k++) jobs.push(at(Math.floor((k * units) / pjobs) * 64, Math.min(p8, Math.floor(((k + 1) * units) / pjobs) * 64), 0, nhb));
      this.jobs.push(jobs);
    }
  }

  /** How the call splits its work over the threads. */
  readonly split: 'pixels' | 'channels' | 'none';

  get outputLength(): number {
    return this.count;
  }

  run(xs: readonly Uint8Array[], outAt = 0): Uint8Array {
    const e = this.e;
    const { count, img } = this;
    const x = xs[0]!;
    if (x.length !== this.inputLengths[0]) throw new RangeError(`conv1x1: ${x.length} input codes for a plan of ${this.inputLengths[0]}`);
    lastConv1x1Split = this.split;
    e.reset();
    const outA = e.arena ? outAt || e.allocKeep(count) : 0;
    const inAt = e.addressOf(x);
    const srcA = inAt ?? e.alloc(x.length);
    // weights, bias and requantization data: one block, resident after the first run (the table too)
    const sA = img.addressIn(e);
    const [wA, bA, rqA, k16A] = [sA + img.at[0]!, sA + img.at[1]!, sA + img.at[2]!, sA + img.at[3]!];
    const lutA = this.lutImg ? this.lutImg.addressIn(e) : 0;
    const rfA = this.rfImg.addressIn(e);
    const bounce = e.allocPerThread(16);
    const xp = e.allocPerThread(this.ncp * 32);
    const oA = outA || e.alloc(count);
    if (inAt === null) new Uint8Array(e.buffer, srcA, x.length).set(x);
    const inPer = this.c * this.h * this.w;
    const outPer = count / this.n;
    for (let b = 0; b < this.n; b++) {
      const jobs = this.jobs[b]!;
      for (const j of jobs) {
        j[0] = srcA + b * inPer;
        j[1] = xp.at;
        j[2] = wA;
        j[3] = bA;
        j[4] = oA + b * outPer;
        j[5] = rqA;
        j[6] = lutA;
        j[7] = bounce.at;
        j[13] = k16A;
        j[18] = rfA;
      }
      e.parallel('conv1x1_job', jobs, [[1, xp.stride], [7, bounce.stride]]);
    }
    const view = new Uint8Array(e.buffer, oA, count);
    if (outA) return (this.last = view);
    const out = new Uint8Array(count);
    out.set(view);
    return (this.last = out);
  }
}

/** Per-layer static data ([packed weights | bias | rq | k16]), per prepared layer. */
const images = new WeakMap<PreparedConvInt, RegisterImage>();

function layerImage(prep: PreparedConvInt, q: RequantParams): RegisterImage {
  return registerImage(images, prep, q, (pr) => pr.w);
}
