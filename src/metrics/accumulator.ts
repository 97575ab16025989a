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
import { accumulateSums, accumulateSumsFloatVsQuant, accumulateSumsRaw, compareRaw, countNonFinite, KERNEL_BLOCK, newSumState, trackChannels } from './accumulator-kernels.js';
import { pairSetup, type PairAccumulatorOptions, type PairSetup } from './accumulator-setup.js';
import { layerMetricsOf } from './accumulator-result.js';
import type { LayerMetrics } from './types.js';

export type { PairAccumulatorOptions } from './accumulator-setup.js';

/** Streaming accumulator of one layer's metrics over a pair of aligned element streams. */
export class PairAccumulator {
  private readonly setup: PairSetup;
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

  /** Dead channels: first raw value per channel and "varies" flags per side. */
  private readonly firstA: Float64Array;
  private readonly firstB: Float64Array;
  private readonly variesA: Uint8Array;
  private readonly variesB: Uint8Array;
  private targetConstLeft: number;

  /** Exact compare: [mismatches, first index], per-channel and per-row counts; null without integerCompare. */
  private readonly mm: Float64Array | null;
  private readonly perChannel: Float64Array;
  private readonly perRow: Float64Array;

  constructor(opts: PairAccumulatorOptions) {
    const s = (this.setup = pairSetup(opts));
    this.kernel = s.plainA && s.plainB ? 0 : s.plainA ? 1 : 2;
    this.firstA = new Float64Array(s.trackLen);
    this.firstB = new Float64Array(s.trackLen);
    this.variesA = new Uint8Array(s.trackLen);
    this.variesB = new Uint8Array(s.trackLen);
    this.targetConstLeft = s.trackLen;
    this.mm = opts.integerCompare ? new Float64Array([0, -1]) : null;
    this.perChannel = new Float64Array(opts.integerCompare ? s.C : 0);
    this.perRow = new Float64Array(s.rows);
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
    const s = this.setup;
    if (this.pushed + count > s.n) throw new RangeError(`push: ${this.pushed + count} elements pushed, layer has ${s.n}`);
    const off = this.pushed;
    for (let i = 0; i < count; i += KERNEL_BLOCK) {
      const e = i + KERNEL_BLOCK < count ? i + KERNEL_BLOCK : count;
      if (this.targetConstLeft > 0) {
        this.targetConstLeft = trackChannels(this.firstA, this.firstB, this.variesA, this.variesB, a, b, i, e, off, s.C, this.targetConstLeft);
      }
      if (this.mm) compareRaw(this.mm, this.perChannel, this.perRow, a, b, i, e, off, s.C, s.rowLen, s.rows);
      const skipped =
        this.kernel === 0
          ? accumulateSumsRaw(this.st, a, b, i, e, off)
          : this.kernel === 1
            ? accumulateSumsFloatVsQuant(this.st, this.sat, a, b, i, e, off, s.sB, s.zB, s.loB, s.hiB)
            : accumulateSums(this.st, this.sat, a, b, i, e, off, s.sA, s.zA, s.sB, s.zB, s.loA, s.hiA, s.loB, s.hiB);
      if (skipped > 0) countNonFinite(this.st, a, b, i, e, s.sA, s.zA, s.sB, s.zB);
    }
    this.pushed += count;
  }

  /** The metrics block; throws RangeError when fewer than n elements were pushed. */
  result(): LayerMetrics {
    if (this.pushed !== this.setup.n) throw new RangeError(`result: ${this.pushed} of ${this.setup.n} elements pushed`);
    return layerMetricsOf(this.setup, {
      st: this.st,
      sat: this.sat,
      variesA: this.variesA,
      variesB: this.variesB,
      targetConstLeft: this.targetConstLeft,
      mm: this.mm,
      perChannel: this.perChannel,
      perRow: this.perRow,
    });
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
