/**
 * Replayable calls (node-plan.ts) of the fast element-wise and Concat ops of fast-ops.ts: the
 * tables they look codes up in are static data (resident in the engine's memory after the first
 * run, like the layers' weights), and the job split is computed once per node and shape. `run`
 * is what fast-ops.ts itself calls, so a replay makes exactly the same kernel calls.
 */
import type { FastEngine, FnName } from './engine.js';
import type { FastPlan } from './node-plan.js';
import { tableImage, type StaticImage } from './requant.js';

/** Elements per job of a table lookup (~10 µs); see FastEngine.jobCount. */
const JOB_ELEMENTS = 1 << 15;

/** [i0, i1) ranges (multiples of 16) splitting n elements into jobs of about JOB_ELEMENTS. */
function ranges(e: FastEngine, n: number): Array<[number, number]> {
  const parts = e.jobCount(n, JOB_ELEMENTS);
  const chunk = Math.ceil(n / parts / 16) * 16;
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i += chunk) out.push([i, Math.min(n, i + chunk)]);
  return out;
}

/** The byte address of `x` in the engine's memory: in place when it is there, else a scratch copy. */
function placeInput(e: FastEngine, x: Uint8Array): number {
  const at = e.addressOf(x);
  if (at !== null) return at;
  const a = e.alloc(x.length);
  new Uint8Array(e.buffer, a, x.length).set(x);
  return a;
}

/** The output: a view kept in the engine's memory during a run, else a copy. */
function result(e: FastEngine, kept: number, outA: number, n: number): Uint8Array {
  const view = new Uint8Array(e.buffer, outA, n);
  if (kept) return view;
  const out = new Uint8Array(n);
  out.set(view);
  return out;
}

/**
 * out[i] = table[x[i]] (lut_u8, 256 entries) or table[(a[i] << 8) | b[i]] (pair_lut_u8, 65536
 * entries) over `n` codes; `inputs`: the node's input indices of x, or of a and b.
 */
export class LutPlan implements FastPlan {
  readonly lutApplied = false;
  readonly inputLengths: number[];
  last: Uint8Array | null = null;
  private readonly img: StaticImage;
  private readonly fn: FnName;
  private readonly jobs: number[][];

  constructor(
    readonly e: FastEngine,
    readonly table: Uint8Array,
    readonly n: number,
    readonly inputs: readonly number[],
  ) {
    const pair = inputs.length === 2;
    this.fn = pair ? 'pair_lut_u8' : 'lut_u8';
    this.img = tableImage(table, pair ? 65536 : 256);
    this.inputLengths = inputs.map(() => n);
    // (x, out, table, i0, i1) or (a, b, out, table, i0, i1); 0s: addresses
    this.jobs = ranges(e, n).map(([i0, i1]) => (pair ? [0, 0, 0, 0, i0, i1] : [0, 0, 0, i0, i1]));
  }

  get outputLength(): number {
    return this.n;
  }

  run(xs: readonly Uint8Array[], outAt = 0): Uint8Array {
    const { e, n } = this;
    for (const x of xs) if (x.length !== n) throw new RangeError(`table lookup: ${x.length} codes for a plan of ${n}`);
    e.reset();
    const kept = e.arena ? outAt || e.allocKeep(n) : 0;
    const a = placeInput(e, xs[0]!);
    const b = xs.length === 2 ? placeInput(e, xs[1]!) : 0;
    const tA = this.img.addressIn(e);
    const outA = kept || e.alloc(n + 16);
    const pair = xs.length === 2;
    for (const j of this.jobs) {
      if (pair) [j[0], j[1], j[2], j[3]] = [a, b, outA, tA];
      else [j[0], j[1], j[2]] = [a, outA, tA];
    }
    if (this.jobs.length === 1) e.call(this.fn, this.jobs[0]!);
    else e.parallel(this.fn, this.jobs);
    return (this.last = result(e, kept, outA, n));
  }
}

/** One input of a Concat: its codes per outer index (`inner` bytes), and its requantization table (or null: copied). */
export interface ConcatPart {
  inner: number;
  table: Uint8Array | null;
}

/**
 * Concat of uint8 codes along an axis: `outer` blocks, each the inputs' blocks side by side
 * (copies, or lut_u8 through the input's requantization table); `inputs`: the node's input indices.
 */
export class ConcatPlan implements FastPlan {
  readonly lutApplied = false;
  readonly inputLengths: number[];
  last: Uint8Array | null = null;
  private readonly imgs: (StaticImage | null)[];
  private readonly outInner: number;

  constructor(
    readonly e: FastEngine,
    readonly parts: readonly ConcatPart[],
    readonly outer: number,
    readonly inputs: readonly number[],
  ) {
    this.inputLengths = parts.map((p) => p.inner * outer);
    this.imgs = parts.map((p) => (p.table ? tableImage(p.table, 256) : null));
    this.outInner = parts.reduce((s, p) => s + p.inner, 0);
  }

  get outputLength(): number {
    return this.outer * this.outInner;
  }

  placeable(): ({ offset: number; bytes: number } | null)[] {
    let off = 0;
    return this.parts.map((p) => {
      const b = this.outer === 1 && !p.table ? { offset: off, bytes: p.inner } : null;
      off += p.inner;
      return b;
    });
  }

  run(xs: readonly Uint8Array[], outAt = 0): Uint8Array {
    const { e, parts, outer, outInner } = this;
    const n = outer * outInner;
    xs.forEach((x, i) => {
      if (x.length !== this.inputLengths[i]) throw new RangeError(`concat: ${x.length} codes for input ${i} of a plan of ${this.inputLengths[i]}`);
    });
    e.reset();
    const kept = e.arena ? outAt || e.allocKeep(n) : 0;
    const srcs = xs.map((x) => placeInput(e, x));
    const tables = this.imgs.map((img) => (img ? img.addressIn(e) : 0));
    const outA = kept || e.alloc(n + 16);
    const mem = new Uint8Array(e.buffer);
    let off = 0;
    for (let i = 0; i < parts.length; i++) {
      const inner = parts[i]!.inner;
      const tA = tables[i]!;
      for (let o = 0; o < outer; o++) {
        const src = srcs[i]! + o * inner;
        const dst = outA + o * outInner + off;
        // an input its producer wrote in place (reference/quantize/replay.ts placement) is not copied
        if (!tA) {
          if (src !== dst) mem.copyWithin(dst, src, src + inner);
        }
        else if (inner >= 1 << 16) {
          const jobs = ranges(e, inner).map(([i0, i1]) => [src, dst, tA, i0, i1]);
          if (jobs.length === 1) e.call('lut_u8', jobs[0]!);
          else e.parallel('lut_u8', jobs);
        } else e.call('lut_u8', [src, dst, tA, 0, inner]);
      }
      off += inner;
    }
    return (this.last = result(e, kept, outA, n));
  }
}
