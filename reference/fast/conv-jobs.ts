/**
 * What the convolution drivers (conv-int.ts general kernel, conv-dw-run.ts depthwise) share: how a
 * layer's work is cut into jobs for the engine's threads, and the target of a fused requantization.
 */
import type { RequantParams } from './conv-int-types.js';

export interface Ranges {
  /** [lo, hi) per job along pixels or blocks. */
  jobs: Array<[number, number, number, number]>;
}

/** Input bytes per packing job (pack_u8, pack_dw_u8; ~10 µs); see FastEngine.jobCount. */
export const PACK_JOB_BYTES = 1 << 16;

/** Multiply-accumulates per job of the general kernel (conv_pairs, ~15 µs); see FastEngine.jobCount. */
export const PAIRS_JOB_MACS = 1 << 19;

/**
 * Splits (blocks × pixels) into about `jobs` jobs [b0, b1, p0, p1]: pixel ranges (multiples of
 * `quantum`) when the plane has ≥ 32 pixels per job or there are fewer blocks than jobs, else block ranges.
 */
export function split(jobs: number, blocks: number, plane: number, quantum: number): Ranges {
  if (jobs <= 1) return { jobs: [[0, blocks, 0, plane]] };
  const out: Ranges['jobs'] = [];
  if (plane >= 32 * jobs || blocks < jobs) {
    const chunk = Math.ceil(plane / jobs / quantum) * quantum;
    for (let p = 0; p < plane; p += chunk) out.push([0, blocks, p, Math.min(plane, p + chunk)]);
    return { jobs: out };
  }
  const chunk = Math.ceil(blocks / jobs);
  for (let b = 0; b < blocks; b += chunk) out.push([b, Math.min(blocks, b + chunk), 0, plane]);
  return { jobs: out };
}

/** Fused requantization target: the kernels requantize their accumulator region in place. */
export interface Fused {
  q: RequantParams;
  out: Uint8Array | Uint16Array;
  /** 256-entry table applied to the uint8 output codes (8-bit output only). */
  lut?: Uint8Array;
  /** Address of `out` when it is kept in the engine's memory (the kernels write it in place), else 0. */
  outA: number;
}

