/**
 * Per-tensor statistics collected over many calibration images (SEMANTICS.md "Calibration
 * histograms"): running min/max and a histogram of |x| in HISTOGRAM_BINS bins over [0, range],
 * kept separately for x ≥ 0 and x < 0 so that asymmetric ranges can be chosen (the TensorRT
 * entropy calibrator uses one 2048-bin histogram of |x|; Migacz, GTC 2017), and the number of
 * exact zeros.
 *
 * Growing range: `range` starts at the first batch's max|x| and, when a later batch exceeds it,
 * is multiplied by the smallest power of two that covers the new max; bins are merged in groups of
 * that power of two. New bin edges are old bin edges, so re-binning is exact (no interpolation,
 * no redistribution); the cost is that the final range can be up to 2× the true max|x|
 * (at least 1024 bins cover the data).
 */

/** Bins per sign, as in TensorRT's entropy calibrator. */
export const HISTOGRAM_BINS = 2048;

export class TensorHistogram {
  /** Counts of x ≥ 0: bin k holds x in [k·w, (k+1)·w), the last bin also holds x = range. */
  readonly pos: Float64Array;
  /** Counts of x < 0 by |x|, same bins. */
  readonly neg: Float64Array;
  /** Upper edge of the histogram (0 until a non-zero value is seen). */
  range = 0;
  /** Running minimum / maximum of finite values (+Infinity / −Infinity before any). */
  min = Infinity;
  max = -Infinity;
  /** Finite values counted. */
  count = 0;
  /** Values exactly 0 (±0) among them, also counted in `pos[0]` (KL leaves them out, see kl-range.ts). */
  zeros = 0;
  /** NaN / ±Infinity values seen (not counted in the histogram). */
  nonFinite = 0;
  /** Batches added. */
  batches = 0;

  constructor(readonly bins = HISTOGRAM_BINS) {
    if (!Number.isInteger(bins) || bins < 16) throw new RangeError(`histogram bins ${bins} must be an integer ≥ 16`);
    this.pos = new Float64Array(bins);
    this.neg = new Float64Array(bins);
  }

  /** Bin width w = range / bins (0 before any non-zero value). */
  get binWidth(): number {
    return this.range / this.bins;
  }

  /** Adds one tensor's values (one calibration image), any layout. */
  add(x: ArrayLike<number>): void {
    let lo = Infinity;
    let hi = -Infinity;
    let bad = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v - v !== 0) {
        bad++;
        continue;
      }
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.batches++;
    this.nonFinite += bad;
    if (lo === Infinity) return;
    if (lo < this.min) this.min = lo;
    if (hi > this.max) this.max = hi;
    const need = Math.max(-lo, hi);
    if (need > this.range) this.grow(need);
    const n = this.bins;
    const last = n - 1;
    const inv = this.range > 0 ? n / this.range : 0;
    const pos = this.pos;
    const neg = this.neg;
    let zeros = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v - v !== 0) continue;
      if (v === 0) zeros++;
      if (v >= 0) {
        const k = Math.floor(v * inv);
        pos[k > last ? last : k]!++;
      } else {
        const k = Math.floor(-v * inv);
        neg[k > last ? last : k]!++;
      }
    }
    this.count += x.length - bad;
    this.zeros += zeros;
  }

  /** Extends the range to cover `need`, merging bins by a power of two. */
  private grow(need: number): void {
    if (this.range === 0) {
      this.range = need; // all earlier values were 0: they stay in bin 0
      return;
    }
    let f = 1;
    while (this.range * f < need) f *= 2;
    for (const h of [this.pos, this.neg]) {
      const n = this.bins;
      for (let k = 0; k < n; k++) {
        let s = 0;
        const start = k * f;
        if (start < n) {
          const end = Math.min(start + f, n);
          for (let j = start; j < end; j++) s += h[j]!;
        }
        h[k] = s;
      }
    }
    this.range *= f;
  }

  /**
   * The histogram as one signed array of 2·bins counts over [−range, range]: index j covers
   * [(j − bins)·w, (j − bins + 1)·w) (negative bins mirrored). Used by the range methods.
   */
  signed(): Float64Array {
    const n = this.bins;
    const out = new Float64Array(2 * n);
    for (let k = 0; k < n; k++) {
      out[n - 1 - k] = this.neg[k]!;
      out[n + k] = this.pos[k]!;
    }
    return out;
  }

  /** A plain JSON-serializable snapshot. */
  toJSON(): { bins: number; range: number; min: number; max: number; count: number; zeros: number; nonFinite: number; batches: number; pos: number[]; neg: number[] } {
    return { bins: this.bins, range: this.range, min: this.min, max: this.max, count: this.count, zeros: this.zeros, nonFinite: this.nonFinite, batches: this.batches, pos: [...this.pos], neg: [...this.neg] };
  }
}
