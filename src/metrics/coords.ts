/**
 * Index <-> coordinate helpers for row-major (NHWC) tensors, and the axis layouts the metrics use
 * for clustering (channels = last axis, rows = H axis).
 */
import type { ElementLocation } from './types.js';

/** Row-major coordinate of flat `index` in `shape` (one entry per axis; [] for a scalar). */
export function coordOf(index: number, shape: readonly number[]): number[] {
  const coord = new Array<number>(shape.length);
  let rest = index;
  for (let ax = shape.length - 1; ax >= 0; ax--) {
    const d = shape[ax]!;
    coord[ax] = d > 0 ? rest % d : 0;
    rest = d > 0 ? Math.floor(rest / d) : 0;
  }
  return coord;
}

/** Flat index, row-major coordinate, and n,h,w,c names when `shape` is 4-D. */
export function locate(index: number, shape: readonly number[]): ElementLocation {
  const coord = coordOf(index, shape);
  const loc: ElementLocation = { index, coord };
  if (shape.length === 4) loc.nhwc = { n: coord[0]!, h: coord[1]!, w: coord[2]!, c: coord[3]! };
  return loc;
}

/** Number of channels: the last axis of `shape` (1 for a scalar shape []). */
export function channelCount(shape: readonly number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1]!;
}

/**
 * Row layout used by `mismatchesPerRow`: the H axis of a 4-D NHWC shape (axis 1), axis 0 for
 * rank 2 ([rows, cols]) and rank 3 ([H, W, C]); null for rank < 2 or > 4 (no row notion).
 * `rowLen` is the number of consecutive elements in one row (product of the later axes).
 */
export function rowLayout(shape: readonly number[]): { axis: number; rows: number; rowLen: number } | null {
  let axis: number;
  if (shape.length === 4) axis = 1;
  else if (shape.length === 2 || shape.length === 3) axis = 0;
  else return null;
  let rowLen = 1;
  for (let i = axis + 1; i < shape.length; i++) rowLen *= shape[i]!;
  return { axis, rows: shape[axis]!, rowLen };
}

/** Row of flat `index` under `layout` (see {@link rowLayout}). */
export function rowOf(index: number, layout: { rows: number; rowLen: number }): number {
  if (layout.rowLen === 0 || layout.rows === 0) return 0;
  return Math.floor(index / layout.rowLen) % layout.rows;
}
