/**
 * Counting metrics over whole arrays (METRICS.md): non-finite elements, integer saturation, dead
 * channels, and the exact (raw integer) compare used on the PC-reference vs board edge with its
 * clustering helpers. `shape` is the row-major (NHWC) shape of both sides.
 */
import { DTYPES, elementCount, type DType } from '../tensor/dtype.js';
import { channelCount, locate, rowLayout, rowOf } from './coords.js';
import { checkSameLength } from './pairwise.js';
import type { ElementLocation, NonFiniteCounts, SaturationStats } from './types.js';

/** Throws RangeError when `shape` does not hold exactly `length` elements (a caller bug). */
export function checkShape(length: number, shape: readonly number[]): void {
  const n = elementCount(shape);
  if (n !== length) throw new RangeError(`shape [${shape.join(',')}] holds ${n} elements, got ${length}`);
}

/** Counts NaN, +Infinity and -Infinity elements of one side. */
export function nonFinite(x: ArrayLike<number>): NonFiniteCounts {
  const c: NonFiniteCounts = { nan: 0, posInf: 0, negInf: 0 };
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v !== v) c.nan++;
    else if (v === Infinity) c.posInf++;
    else if (v === -Infinity) c.negInf++;
  }
  return c;
}

/** True when any count is non-zero. */
export function hasNonFinite(c: NonFiniteCounts): boolean {
  return c.nan + c.posInf + c.negInf > 0;
}

/**
 * Share of RAW integer values at `dtype`'s min or max (DTYPES; u8: 0/255, i8: -128/127, u4: 0/15...).
 * Returns undefined for float dtypes (saturation is an integer notion). Empty input -> share 0.
 */
export function saturation(q: ArrayLike<number>, dtype: DType): SaturationStats | undefined {
  const info = DTYPES[dtype];
  if (!info.integer) return undefined;
  let atMin = 0;
  let atMax = 0;
  for (let i = 0; i < q.length; i++) {
    const v = q[i]!;
    if (v === info.min) atMin++;
    else if (v === info.max) atMax++;
  }
  return saturationStats(atMin, atMax, q.length);
}

/** Builds SaturationStats from counts (share 0 when count is 0). */
export function saturationStats(atMin: number, atMax: number, count: number): SaturationStats {
  return { atMin, atMax, share: count === 0 ? 0 : (atMin + atMax) / count };
}

/**
 * Channels (last axis of `shape`) that are constant on the target `t` but not on the reference `r`,
 * ascending. "Constant" means every element of the channel equals (===) the channel's first element;
 * a channel holding a NaN is never constant. Raw or dequantized values give the same answer for any
 * non-zero scale. A channel with a single element is constant on both sides, so never dead.
 */
export function deadChannels(r: ArrayLike<number>, t: ArrayLike<number>, shape: readonly number[]): number[] {
  checkSameLength(r, t);
  checkShape(r.length, shape);
  const C = channelCount(shape);
  const out: number[] = [];
  if (C === 0 || r.length === 0) return out;
  for (let c = 0; c < C; c++) {
    const r0 = r[c]!;
    const t0 = t[c]!;
    let rVaries = false;
    let tVaries = false;
    for (let i = c; i < r.length; i += C) {
      if (r[i]! !== r0) rVaries = true;
      if (t[i]! !== t0) tVaries = true;
    }
    if (!tVaries && rVaries) out.push(c);
  }
  return out;
}

/** Count of i with raw(r_i) !== raw(t_i) (integer exact compare; NaN never equals). */
export function mismatches(r: ArrayLike<number>, t: ArrayLike<number>): number {
  checkSameLength(r, t);
  let n = 0;
  for (let i = 0; i < r.length; i++) if (r[i] !== t[i]) n++;
  return n;
}

/** First i with raw(r_i) !== raw(t_i), with its coordinate (n,h,w,c for 4-D); null when none. */
export function firstMismatch(r: ArrayLike<number>, t: ArrayLike<number>, shape: readonly number[]): ElementLocation | null {
  checkSameLength(r, t);
  checkShape(r.length, shape);
  for (let i = 0; i < r.length; i++) if (r[i] !== t[i]) return locate(i, shape);
  return null;
}

/** Mismatch counts per channel (last axis); length = channel count (0 for an empty last axis). */
export function mismatchesPerChannel(r: ArrayLike<number>, t: ArrayLike<number>, shape: readonly number[]): number[] {
  checkSameLength(r, t);
  checkShape(r.length, shape);
  const C = channelCount(shape);
  const out = new Array<number>(C).fill(0);
  for (let i = 0; i < r.length; i++) if (r[i] !== t[i]) out[i % C]!++;
  return out;
}

/**
 * Mismatch counts per row: the H axis of a 4-D NHWC shape (summed over N), axis 0 for rank 2/3.
 * Returns undefined for rank < 2 or > 4 (no row notion).
 */
export function mismatchesPerRow(r: ArrayLike<number>, t: ArrayLike<number>, shape: readonly number[]): number[] | undefined {
  checkSameLength(r, t);
  checkShape(r.length, shape);
  const layout = rowLayout(shape);
  if (!layout) return undefined;
  const out = new Array<number>(layout.rows).fill(0);
  for (let i = 0; i < r.length; i++) if (r[i] !== t[i]) out[rowOf(i, layout)]!++;
  return out;
}
