/**
 * Per-layer constants of a streaming pair accumulation, shared by the JS PairAccumulator and the
 * WebAssembly one (pair-kernel.ts): dequantization of each side, saturation limits, channel count
 * and row layout. Validates the options the same way for both.
 */
import { DTYPES, elementCount } from '../tensor/dtype.js';
import { channelCount, rowLayout } from './coords.js';
import type { FitInfo, SideSpec } from './types.js';

/** Construction options of a streaming pair accumulator (PairAccumulator, WasmPairAccumulator). */
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

/** Resolved constants of one layer's accumulation. */
export interface PairSetup {
  n: number;
  shape: readonly number[];
  /** Defensive copy of the options. */
  opts: PairAccumulatorOptions;
  /** x = (a - zA) * sA, y = (b - zB) * sB (1 and 0 for a plain side). */
  sA: number;
  zA: number;
  sB: number;
  zB: number;
  intA: boolean;
  intB: boolean;
  /** Saturation limits per side; NaN for float sides (nothing equals NaN). */
  loA: number;
  hiA: number;
  loB: number;
  hiB: number;
  /** True when the side is a float side used as is (no dequantization). */
  plainA: boolean;
  plainB: boolean;
  /** Channels (last axis). */
  C: number;
  /** Length of the per-channel first-value / varies arrays (0 for an empty layer). */
  trackLen: number;
  /** Per-row mismatch counts apply (integerCompare and rank >= 2). */
  hasRows: boolean;
  rowLen: number;
  rows: number;
}

function dequantOf(side: SideSpec, which: 'a' | 'b', fit: FitInfo | undefined): { scale: number; zeroPoint: number } {
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

/** Validates `opts` and resolves the layer's constants; throws RangeError on inconsistent options. */
export function pairSetup(opts: PairAccumulatorOptions): PairSetup {
  const count = elementCount(opts.shape);
  if (count !== opts.n) throw new RangeError(`PairAccumulator: shape [${opts.shape.join(',')}] holds ${count} elements, n is ${opts.n}`);
  const shape = [...opts.shape];
  const copy: PairAccumulatorOptions = { ...opts, shape, sideA: { ...opts.sideA }, sideB: { ...opts.sideB }, ...(opts.fit ? { fit: { ...opts.fit } } : {}) };
  const dqA = dequantOf(opts.sideA, 'a', opts.fit);
  const dqB = dequantOf(opts.sideB, 'b', opts.fit);
  const tA = DTYPES[opts.sideA.dtype];
  const tB = DTYPES[opts.sideB.dtype];
  const C = channelCount(shape);
  const layout = rowLayout(shape);
  const hasRows = opts.integerCompare && layout !== null;
  return {
    n: opts.n,
    shape,
    opts: copy,
    sA: dqA.scale,
    zA: dqA.zeroPoint,
    sB: dqB.scale,
    zB: dqB.zeroPoint,
    intA: tA.integer,
    intB: tB.integer,
    loA: tA.integer ? tA.min : NaN,
    hiA: tA.integer ? tA.max : NaN,
    loB: tB.integer ? tB.min : NaN,
    hiB: tB.integer ? tB.max : NaN,
    plainA: !tA.integer && dqA.scale === 1 && dqA.zeroPoint === 0,
    plainB: !tB.integer && dqB.scale === 1 && dqB.zeroPoint === 0,
    C,
    trackLen: opts.n === 0 ? 0 : C,
    hasRows,
    rowLen: hasRows ? layout!.rowLen : 0,
    rows: hasRows ? layout!.rows : 0,
  };
}
