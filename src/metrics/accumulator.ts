/**
 * Streaming per-layer metrics: the measure engine decodes each side's dump chunk by chunk (raw
 * values, as `decodeInto` produces) and pushes aligned chunks here; result() returns the
 * LayerMetrics block. The numbers are bit-identical to the whole-array functions of pairwise.ts /
 * counts.ts on the whole (dequantized) arrays, whatever the chunking: every running sum is
 * accumulated in index order, in float64, with the same expressions, and finalized by finalize.ts.
 *
 * Hot path (accumulator-kernels.ts): tight loops over typed-array state (no closures, no
 * allocation), called per block of 4096 elements; one of three equivalent sum kernels is chosen
 * per layer (float/float, float/quantized, general), saturation is counted inside them; dead
 * channels and the exact compare run as separate loops only when they apply, and dead-channel
 * tracking stops as soon as every target channel has varied.
 *
 * Usage (engine, per layer and image):
 *   const acc = new PairAccumulator({ n, shape, sideA: { dtype: 'float32' },
 *     sideB: { dtype: 'uint8', scale, zeroPoint }, integerCompare: false });
 *   for each chunk: decodeInto(dtA, bytesA, bufA, k); decodeInto(dtB, bytesB, bufB, k); acc.push(bufA, bufB, k);
 *   const metrics = acc.result();   // LayerMetrics; store via layerMetricsToJson
 * Without known parameters for an integer side vs a float side, run a FitAccumulator pass first
 * and pass `fit: fitInfo('b', fit)` (only when fit.plausible).
 */
import { DTYPES, elementCount } from '../tensor/dtype.js';
import { accumulateSums, accumulateSumsFloatVsQuant, accumulateSumsRaw, compareRaw, countNonFinite, KERNEL_BLOCK, newSumState, trackChannels } from './accumulator-kernels.js';
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
import type { FitInfo, LayerMetrics, SideSpec } from './types.js';

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
   * Use only a plausible fit: a NaN scale (degenerate data) makes every float metric NaN.
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
  private readonly sA: number;
  private readonly zA: number;
  private readonly sB: number;
  private readonly zB: number;
  /**
   * Sum kernel: 0 = raw (both sides float, no dequantization), 1 = float vs quantized (side a float
   * and not dequantized), 2 = general. All three give identical numbers; 0 and 1 are faster.
   */
  private readonly kernel: 0 | 1 | 2;
  private pushed = 0;

  /** Running sums and non-finite counts (layout: accumulator-kernels.ts STATE_SIZE). */
  private readonly st = newSumState();

  /** Saturation counts [a at min, a at max, b at min, b at max] on raw values. */
  private readonly sat = new Float64Array(4);
  /** Saturation limits per side; NaN for float sides (nothing equals NaN). */
  private readonly loA: number;
  private readonly hiA: number;
  private readonly loB: number;
  private readonly hiB: number;
  private readonly intA: boolean;
  private readonly intB: boolean;

  /** Dead channels: channel count, first raw value per channel and "varies" flags per side. */
  private readonly C: number;
  private readonly firstA: Float64Array;
  private readonly firstB: Float64Array;
  private readonly variesA: Uint8Array;
  private readonly variesB: Uint8Array;
  private targetConstLeft: number;

  /** Exact compare: [mismatches, first index], per-channel and per-row counts; null without integerCompare. */
  private readonly mm: Float64Array | null;
  private readonly perChannel: Float64Array;
  private readonly perRow: Float64Array;
  private readonly rowLen: number;
  private readonly rows: number;
  private readonly hasRows: boolean;

  constructor(opts: PairAccumulatorOptions) {
    const count = elementCount(opts.shape);
    if (count !== opts.n) throw new RangeError(`PairAccumulator: shape [${opts.shape.join(',')}] holds ${count} elements, n is ${opts.n}`);
    this.n = opts.n;
    this.shape = [...opts.shape];
    this.opts = { ...opts, sideA: { ...opts.sideA }, sideB: { ...opts.sideB }, ...(opts.fit ? { fit: { ...opts.fit } } : {}) };
    const dqA = dequantOf(opts.sideA, 'a', opts.fit);
    const dqB = dequantOf(opts.sideB, 'b', opts.fit);
    this.sA = dqA.scale;
    this.zA = dqA.zeroPoint;
    this.sB = dqB.scale;
    this.zB = dqB.zeroPoint;
    const tA = DTYPES[opts.sideA.dtype];
    const tB = DTYPES[opts.sideB.dtype];
    this.intA = tA.integer;
    this.intB = tB.integer;
    this.loA = tA.integer ? tA.min : NaN;
    this.hiA = tA.integer ? tA.max : NaN;
    this.loB = tB.integer ? tB.min : NaN;
    this.hiB = tB.integer ? tB.max : NaN;
    const plainA = !this.intA && dqA.scale === 1 && dqA.zeroPoint === 0;
    const plainB = !this.intB && dqB.scale === 1 && dqB.zeroPoint === 0;
    this.kernel = plainA && plainB ? 0 : plainA ? 1 : 2;
    this.C = channelCount(this.shape);
    const C = this.n === 0 ? 0 : this.C;
    this.firstA = new Float64Array(C);
    this.firstB = new Float64Array(C);
    this.variesA = new Uint8Array(C);
    this.variesB = new Uint8Array(C);
    this.targetConstLeft = C;
    const layout = rowLayout(this.shape);
    this.mm = opts.integerCompare ? new Float64Array([0, -1]) : null;
    this.perChannel = new Float64Array(opts.integerCompare ? this.C : 0);
    this.hasRows = opts.integerCompare && layout !== null;
    this.perRow = new Float64Array(this.hasRows ? layout!.rows : 0);
    this.rowLen = this.hasRows ? layout!.rowLen : 0;
    this.rows = this.hasRows ? layout!.rows : 0;
  }

  /** Elements pushed so far. */
  get pushedCount(): number {
    return this.pushed;
  }

  /**
   * Adds elements [0, count) of the raw decoded chunks `a` (reference) and `b` (target); chunks
   * must arrive in order and together cover exactly n elements. Dequantizes inside when the side
   * has a scale (or a fit): x = (q - zeroPoint) * scale. Throws RangeError on a count that does
   * not fit the chunks or would pass n.
   */
  push(a: Float64Array, b: Float64Array, count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > a.length || count > b.length) {
      throw new RangeError(`push: count ${count} outside the chunks (${a.length}, ${b.length})`);
    }
    if (this.pushed + count > this.n) throw new RangeError(`push: ${this.pushed + count} elements pushed, layer has ${this.n}`);
    const off = this.pushed;
    for (let s = 0; s < count; s += KERNEL_BLOCK) {
      const e = s + KERNEL_BLOCK < count ? s + KERNEL_BLOCK : count;
      if (this.targetConstLeft > 0) {
        this.targetConstLeft = trackChannels(this.firstA, this.firstB, this.variesA, this.variesB, a, b, s, e, off, this.C, this.targetConstLeft);
      }
      if (this.mm) compareRaw(this.mm, this.perChannel, this.perRow, a, b, s, e, off, this.C, this.rowLen, this.rows);
      const skipped =
        this.kernel === 0
          ? accumulateSumsRaw(this.st, a, b, s, e, off)
          : this.kernel === 1
            ? accumulateSumsFloatVsQuant(this.st, this.sat, a, b, s, e, off, this.sB, this.zB, this.loB, this.hiB)
            : accumulateSums(this.st, this.sat, a, b, s, e, off, this.sA, this.zA, this.sB, this.zB, this.loA, this.hiA, this.loB, this.hiB);
      if (skipped > 0) countNonFinite(this.st, a, b, s, e, this.sA, this.zA, this.sB, this.zB);
    }
    this.pushed += count;
  }

  /** The metrics block; throws RangeError when fewer than n elements were pushed. */
  result(): LayerMetrics {
    if (this.pushed !== this.n) throw new RangeError(`result: ${this.pushed} of ${this.n} elements pushed`);
    const st = this.st;
    const sdd = st[3]!;
    const finite = st[8]!;
    const mi = st[7]!;
    const cos = cosineFromSums(st[0]!, st[1]!, st[2]!);
    const rel = relEuclideanFromSums(sdd, st[1]!);
    const rmse = rmseFromSum(sdd, finite);
    const m: LayerMetrics = {
      count: this.n,
      finiteCount: finite,
      cosine: cos.value,
      euclidean: euclideanFromSums(sdd),
      relEuclidean: rel,
      sqnrDb: sqnrDbFromRel(rel),
      eucSimilarity: eucSimilarityFromSums(sdd, st[5]!),
      maxAbs: mi < 0 ? 0 : st[6]!,
      maxAbsIndex: mi,
      maxAbsCoord: mi < 0 ? null : coordOf(mi, this.shape),
      meanAbs: meanFromSum(st[4]!, finite),
      rmse,
      nonFinite: {
        a: { nan: st[9]!, posInf: st[10]!, negInf: st[11]! },
        b: { nan: st[12]!, posInf: st[13]!, negInf: st[14]! },
      },
      saturation: {},
      deadChannels: this.deadChannelList(),
    };
    if (cos.flag) m.cosineFlag = cos.flag;
    const step = this.stepScale();
    if (step !== undefined) m.rmseInSteps = rmseInStepsFrom(rmse, step);
    if (this.intA) m.saturation.a = saturationStats(this.sat[0]!, this.sat[1]!, this.n);
    if (this.intB) m.saturation.b = saturationStats(this.sat[2]!, this.sat[3]!, this.n);
    if (this.mm) {
      m.mismatches = this.mm[0]!;
      m.firstMismatch = this.mm[1]! < 0 ? null : locate(this.mm[1]!, this.shape);
      m.mismatchesPerChannel = Array.from(this.perChannel);
      if (this.hasRows) m.mismatchesPerRow = Array.from(this.perRow);
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

/**
 * Whole-array convenience: the LayerMetrics block of two in-memory tensors (raw values, same
 * semantics as pushing them through a {@link PairAccumulator} in one go). For callers that already
 * hold both tensors (the reference runner, golden tests); the engine streams instead.
 */
export function measurePair(a: ArrayLike<number>, b: ArrayLike<number>, opts: Omit<PairAccumulatorOptions, 'n'>): LayerMetrics {
  if (a.length !== b.length) throw new RangeError(`measurePair: sides differ in length: ${a.length} vs ${b.length}`);
  const acc = new PairAccumulator({ ...opts, n: a.length });
  acc.push(a instanceof Float64Array ? a : Float64Array.from(a), b instanceof Float64Array ? b : Float64Array.from(b), a.length);
  return acc.result();
}
