/**
 * Streaming per-layer metrics: the measure engine decodes each side's dump chunk by chunk (raw
 * values, as `decodeInto` produces) and pushes aligned chunks here; result() returns the
 * LayerMetrics block. The numbers are bit-identical to the whole-array functions of pairwise.ts /
 * counts.ts on the whole (dequantized) arrays, whatever the chunking: every running sum is
 * accumulated in index order, in float64, with the same expressions, and finalized by finalize.ts.
 *
 * Hot path: one tight loop per push over locals (no closures, no allocation); side work (dead
 * channels, saturation, exact compare) runs as separate loops only when it applies, and dead-channel
 * tracking stops as soon as every target channel has varied.
 */
import { DTYPES, elementCount } from '../tensor/dtype.js';
import { channelCount, coordOf, locate, rowLayout } from './coords.js';
import { saturationStats } from './counts.js';
import {
  cosineFromSums,
  euclideanFromSums,
  eucSimilarityFromSums,
  meanFromSum,
  relEuclideanFromSums,
  rmseFromSum,
  rmseInStepsFrom,
  sqnrDbFromRel,
} from './finalize.js';
import type { FitInfo, LayerMetrics, NonFiniteCounts, SideSpec } from './types.js';

/** Construction options of a {@link PairAccumulator}. */
export interface PairAccumulatorOptions {
  /** Element count of each side (must equal the product of `shape`). */
  n: number;
  /** Row-major (NHWC) shape, for coordinates, channels (last axis) and rows (H axis). */
  shape: readonly number[];
  /** Reference side r. */
  sideA: SideSpec;
  /** Target side t. */
  sideB: SideSpec;
  /** Also compare RAW values exactly (integer edges: PC reference vs board): mismatches & clustering. */
  integerCompare: boolean;
  /**
   * Dequantize side `fit.side` by a least-squares fit (pass 1: FitAccumulator / fitLinear) instead
   * of known parameters; that side's SideSpec must then have no scale. Marks the result `fitted`.
   */
  fit?: FitInfo;
}

interface Dequant {
  scale: number;
  zeroPoint: number;
}

function dequantOf(side: SideSpec, which: 'a' | 'b', fit: FitInfo | undefined): Dequant {
  if (fit && fit.side === which) {
    if (side.scale !== undefined || side.zeroPoint !== undefined) {
      throw new RangeError(`side ${which}: both known quantization parameters and a fit were given`);
    }
    return { scale: fit.scale, zeroPoint: fit.zeroPoint };
  }
  if (side.scale === undefined) {
    if (side.zeroPoint !== undefined) throw new RangeError(`side ${which}: zeroPoint given without scale`);
    return { scale: 1, zeroPoint: 0 }; // (v - 0) * 1 === v for every float64, NaN and ±Infinity included
  }
  return { scale: side.scale, zeroPoint: side.zeroPoint ?? 0 };
}

/** Streaming accumulator of one layer's metrics over a pair of aligned element streams. */
export class PairAccumulator {
  private readonly n: number;
  private readonly shape: readonly number[];
  private readonly opts: PairAccumulatorOptions;
  private readonly dqA: Dequant;
  private readonly dqB: Dequant;
  private pushed = 0;

  // running sums over finite pairs (see finalize.ts for notation)
  private sab = 0;
  private saa = 0;
  private sbb = 0;
  private sdd = 0;
  private sad = 0;
  private shh = 0;
  private mx = -1;
  private mi = -1;
  private finite = 0;
  private readonly nfA: NonFiniteCounts = { nan: 0, posInf: 0, negInf: 0 };
  private readonly nfB: NonFiniteCounts = { nan: 0, posInf: 0, negInf: 0 };

  // saturation (raw values), only for integer dtypes
  private readonly satA: boolean;
  private readonly satB: boolean;
  private satAMin = 0;
  private satAMax = 0;
  private satBMin = 0;
  private satBMax = 0;

  // dead channels: first raw value per channel and "varies" flags per side
  private readonly C: number;
  private readonly firstA: Float64Array;
  private readonly firstB: Float64Array;
  private readonly variesA: Uint8Array;
  private readonly variesB: Uint8Array;
  private targetConstLeft: number;

  // exact compare
  private mismatchCount = 0;
  private firstMismatchAt = -1;
  private readonly perChannel: Float64Array | null;
  private readonly perRow: Float64Array | null;
  private readonly rows: { rows: number; rowLen: number } | null;

  constructor(opts: PairAccumulatorOptions) {
    const count = elementCount(opts.shape);
    if (count !== opts.n) throw new RangeError(`PairAccumulator: shape [${opts.shape.join(',')}] holds ${count} elements, n is ${opts.n}`);
    this.n = opts.n;
    this.shape = [...opts.shape];
    this.opts = opts;
    this.dqA = dequantOf(opts.sideA, 'a', opts.fit);
    this.dqB = dequantOf(opts.sideB, 'b', opts.fit);
    this.satA = DTYPES[opts.sideA.dtype].integer;
    this.satB = DTYPES[opts.sideB.dtype].integer;
    this.C = channelCount(this.shape);
    const C = this.n === 0 ? 0 : this.C;
    this.firstA = new Float64Array(C);
    this.firstB = new Float64Array(C);
    this.variesA = new Uint8Array(C);
    this.variesB = new Uint8Array(C);
    this.targetConstLeft = C;
    const layout = rowLayout(this.shape);
    this.rows = opts.integerCompare ? layout : null;
    this.perChannel = opts.integerCompare ? new Float64Array(this.C) : null;
    this.perRow = opts.integerCompare && layout ? new Float64Array(layout.rows) : null;
  }

  /** Elements pushed so far. */
  get pushedCount(): number {
    return this.pushed;
  }

  /**
   * Adds elements [0, count) of the raw decoded chunks `a` (reference) and `b` (target); chunks
   * must arrive in order and together cover exactly n elements. Dequantizes inside when the side
   * has a scale (or a fit): x = (q - zeroPoint) * scale.
   */
  push(a: Float64Array, b: Float64Array, count: number): void {
    if (!(count >= 0) || count > a.length || count > b.length) {
      throw new RangeError(`push: count ${count} outside the chunks (${a.length}, ${b.length})`);
    }
    if (this.pushed + count > this.n) throw new RangeError(`push: ${this.pushed + count} elements pushed, layer has ${this.n}`);
    if (count === 0) return;
    const off = this.pushed;
    if (this.targetConstLeft > 0) this.trackChannels(a, b, count, off);
    if (this.satA) this.countSaturation(a, count, 'a');
    if (this.satB) this.countSaturation(b, count, 'b');
    if (this.perChannel) this.compareRaw(a, b, count, off);
    this.accumulate(a, b, count, off);
    this.pushed += count;
  }

  /** The hot loop: running sums over finite pairs of dequantized values. */
  private accumulate(a: Float64Array, b: Float64Array, count: number, off: number): void {
    const sA = this.dqA.scale;
    const zA = this.dqA.zeroPoint;
    const sB = this.dqB.scale;
    const zB = this.dqB.zeroPoint;
    let sab = this.sab;
    let saa = this.saa;
    let sbb = this.sbb;
    let sdd = this.sdd;
    let sad = this.sad;
    let shh = this.shh;
    let mx = this.mx;
    let mi = this.mi;
    let finite = this.finite;
    for (let i = 0; i < count; i++) {
      const x = (a[i]! - zA) * sA;
      const y = (b[i]! - zB) * sB;
      if (x - x === 0 && y - y === 0) {
        sab += x * y;
        saa += x * x;
        sbb += y * y;
        const d = x - y;
        sdd += d * d;
        const ad = Math.abs(d);
        sad += ad;
        if (ad > mx) {
          mx = ad;
          mi = off + i;
        }
        const h = (x + y) * 0.5;
        shh += h * h;
        finite++;
      } else {
        this.countNonFinite(x, y);
      }
    }
    this.sab = sab;
    this.saa = saa;
    this.sbb = sbb;
    this.sdd = sdd;
    this.sad = sad;
    this.shh = shh;
    this.mx = mx;
    this.mi = mi;
    this.finite = finite;
  }

  private countNonFinite(x: number, y: number): void {
    bump(this.nfA, x);
    bump(this.nfB, y);
  }

  private countSaturation(q: Float64Array, count: number, side: 'a' | 'b'): void {
    const info = DTYPES[side === 'a' ? this.opts.sideA.dtype : this.opts.sideB.dtype];
    const lo = info.min;
    const hi = info.max;
    let atMin = 0;
    let atMax = 0;
    for (let i = 0; i < count; i++) {
      const v = q[i]!;
      if (v === lo) atMin++;
      else if (v === hi) atMax++;
    }
    if (side === 'a') {
      this.satAMin += atMin;
      this.satAMax += atMax;
    } else {
      this.satBMin += atMin;
      this.satBMax += atMax;
    }
  }

  /** Dead-channel tracking on raw values; stops for good once every target channel has varied. */
  private trackChannels(a: Float64Array, b: Float64Array, count: number, off: number): void {
    const C = this.C;
    const fA = this.firstA;
    const fB = this.firstB;
    const vA = this.variesA;
    const vB = this.variesB;
    for (let i = 0; i < count && off + i < C; i++) {
      fA[off + i] = a[i]!;
      fB[off + i] = b[i]!;
    }
    let left = this.targetConstLeft;
    let c = off % C;
    for (let i = 0; i < count; i++) {
      const va = a[i]!;
      const vb = b[i]!;
      if (va !== fA[c]) vA[c] = 1;
      if (vb !== fB[c] && vB[c] === 0) {
        vB[c] = 1;
        if (--left === 0) break; // no channel can be dead any more
      }
      if (++c === C) c = 0;
    }
    this.targetConstLeft = left;
  }

  private compareRaw(a: Float64Array, b: Float64Array, count: number, off: number): void {
    const perChannel = this.perChannel!;
    const perRow = this.perRow;
    const rows = this.rows;
    const C = this.C;
    let mm = 0;
    for (let i = 0; i < count; i++) {
      if (a[i] !== b[i]) {
        const idx = off + i;
        if (this.firstMismatchAt < 0) this.firstMismatchAt = idx;
        mm++;
        perChannel[idx % C]!++;
        if (perRow && rows && rows.rowLen > 0) perRow[Math.floor(idx / rows.rowLen) % rows.rows]!++;
      }
    }
    this.mismatchCount += mm;
  }

  /** The metrics block; throws RangeError when fewer than n elements were pushed. */
  result(): LayerMetrics {
    if (this.pushed !== this.n) throw new RangeError(`result: ${this.pushed} of ${this.n} elements pushed`);
    const cos = cosineFromSums(this.sab, this.saa, this.sbb);
    const rel = relEuclideanFromSums(this.sdd, this.saa);
    const rmse = rmseFromSum(this.sdd, this.finite);
    const m: LayerMetrics = {
      count: this.n,
      finiteCount: this.finite,
      cosine: cos.value,
      euclidean: euclideanFromSums(this.sdd),
      relEuclidean: rel,
      sqnrDb: sqnrDbFromRel(rel),
      eucSimilarity: eucSimilarityFromSums(this.sdd, this.shh),
      maxAbs: this.mi < 0 ? 0 : this.mx,
      maxAbsIndex: this.mi,
      maxAbsCoord: this.mi < 0 ? null : coordOf(this.mi, this.shape),
      meanAbs: meanFromSum(this.sad, this.finite),
      rmse,
      nonFinite: { a: { ...this.nfA }, b: { ...this.nfB } },
      saturation: {},
      deadChannels: this.deadChannelList(),
    };
    if (cos.flag) m.cosineFlag = cos.flag;
    const step = this.stepScale();
    if (step !== undefined) m.rmseInSteps = rmseInStepsFrom(rmse, step);
    if (this.satA) m.saturation.a = saturationStats(this.satAMin, this.satAMax, this.n);
    if (this.satB) m.saturation.b = saturationStats(this.satBMin, this.satBMax, this.n);
    if (this.perChannel) {
      m.mismatches = this.mismatchCount;
      m.firstMismatch = this.firstMismatchAt < 0 ? null : locate(this.firstMismatchAt, this.shape);
      m.mismatchesPerChannel = Array.from(this.perChannel);
      if (this.perRow) m.mismatchesPerRow = Array.from(this.perRow);
    }
    if (this.opts.fit) {
      m.fitted = true;
      m.fit = { ...this.opts.fit };
    }
    return m;
  }

  /** Scale of the quantized side for rmseInSteps: the fit's, else the target's, else the reference's. */
  private stepScale(): number | undefined {
    return this.opts.fit?.scale ?? this.opts.sideB.scale ?? this.opts.sideA.scale;
  }

  private deadChannelList(): number[] {
    const out: number[] = [];
    if (this.targetConstLeft === 0) return out;
    for (let c = 0; c < this.firstB.length; c++) if (this.variesB[c] === 0 && this.variesA[c] === 1) out.push(c);
    return out;
  }
}

function bump(c: NonFiniteCounts, v: number): void {
  if (v !== v) c.nan++;
  else if (v === Infinity) c.posInf++;
  else if (v === -Infinity) c.negInf++;
}
