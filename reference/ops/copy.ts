/**
 * Dtype-agnostic element copies for data-movement kernels (the source and destination always
 * share a dtype, so a bigint array only ever meets a bigint array).
 */
import type { TensorData } from '../tensor.js';

/** Copies `n` contiguous elements. */
export function copyRange(dst: TensorData, dstOff: number, src: TensorData, srcOff: number, n: number): void {
  (dst as Float32Array).set((src as Float32Array).subarray(srcOff, srcOff + n), dstOff);
}

/** Index-wise access for gathers over any dtype. */
export type AnyArray = { [i: number]: number | bigint; readonly length: number };

/** Fills `dst` with the scalar `v` (a number, or a bigint for int64 arrays). */
export function fillAll(dst: TensorData, v: number): void {
  if (dst instanceof BigInt64Array) dst.fill(BigInt(Math.trunc(v)));
  else dst.fill(v);
}
