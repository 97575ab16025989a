/**
 * Requantization of int32 accumulators on the fast engine (requant.wat): per-row multipliers and
 * shifts, the output range check the kernels rely on, the row-split parallel call, and
 * {@link requantizeFast} (accumulators given from JavaScript). Equal to requantizeOracle
 * (conv-int-oracle.ts).
 */
import type { FastEngine } from './engine.js';
import type { RequantParams } from './conv-int-types.js';

/** Checks the output range the requantization kernels rely on (see conv-int.wat requant). */
export function checkRequant(q: RequantParams): void {
  const top = q.bits === 8 ? 255 : 65535;
  if (!(q.bits === 8 || q.bits === 16) || !(0 <= q.qmin && q.qmin <= q.qmax && q.qmax <= top) || !(q.zpOut >= 0 && q.zpOut <= 65535) || q.multipliers.length !== q.shifts.length) {
    throw new RangeError(`requantize: need 0 <= qmin <= qmax <= ${top} and 0 <= zpOut <= 65535 (got ${q.qmin}..${q.qmax}, zp ${q.zpOut})`);
  }
}

/** Addresses of the per-row multipliers/shifts and of the quantized output. */
export interface RequantSpace {
  mA: number;
  sA: number;
  qA: number;
  bytes: number;
  /** Address of the output table (0: none). */
  lutA: number;
  /** Copy of the first `count` quantized values. */
  view(count: number): Uint8Array | Uint16Array;
}

/** Allocates per-row multipliers (row → channel via `chOf`, −1 = padding row) and `outCount` outputs. */
export function allocRequant(e: FastEngine, rows: number, outCount: number, q: RequantParams, chOf: (r: number) => number, lut?: Uint8Array): RequantSpace {
  const bytes = q.bits === 8 ? 1 : 2;
  const mA = e.alloc(rows * 4);
  const sA = e.alloc(rows * 4);
  const qA = e.alloc(outCount * bytes);
  const lutA = lut && bytes === 1 ? e.alloc(256) : 0;
  const buf = e.buffer;
  if (lutA) new Uint8Array(buf, lutA, 256).set(lut!.subarray(0, 256));
  const mv = new Int32Array(buf, mA, rows);
  const sv = new Int32Array(buf, sA, rows);
  for (let r = 0; r < rows; r++) {
    const ch = chOf(r);
    mv[r] = ch < 0 ? 0 : q.multipliers[ch]!;
    sv[r] = ch < 0 ? 0 : q.shifts[ch]!;
  }
  return {
    mA,
    sA,
    qA,
    bytes,
    lutA,
    view: (count) => (bytes === 1 ? new Uint8Array(e.buffer, qA, count) : new Uint16Array(e.buffer, qA, count)),
  };
}

/**
 * Requantizes `rows` rows (the first `len` values of each; accumulator rows `inStride` apart, output
 * rows `outStride` apart) with per-row multipliers at mA/sA, split over the threads by rows.
 */
export function requantRows(e: FastEngine, oA: number, mA: number, sA: number, qA: number, rows: number, len: number, inStride: number, outStride: number, q: RequantParams, lutA = 0): void {
  const bytes = q.bits === 8 ? 1 : 2;
  const chunk = Math.ceil(rows / e.threads);
  const jobs: number[][] = [];
  for (let r = 0; r < rows; r += chunk) jobs.push([oA, mA, sA, qA, bytes, len, r, Math.min(rows, r + chunk), q.zpOut, q.qmin, q.qmax, inStride, outStride, lutA]);
  e.parallel('requant', jobs);
}

/**
 * Requantizes accumulators [..][C][plane] (channel c = floor(i / plane) mod C, C = multipliers.length)
 * to uint8/uint16 on the fast engine; equal to {@link requantizeOracle}.
 */
export function requantizeFast(engine: FastEngine, acc: Int32Array, plane: number, q: RequantParams): Uint8Array | Uint16Array {
  checkRequant(q);
  const ch = q.multipliers.length;
  if (plane < 1 || acc.length % (ch * plane) !== 0) throw new RangeError(`requantizeFast: ${acc.length} accumulators are not [..][${ch}][${plane}]`);
  const rows = acc.length / plane;
  const bytes = q.bits === 8 ? 1 : 2;
  engine.reset();
  const aA = engine.alloc(acc.byteLength);
  const mA = engine.alloc(rows * 4);
  const sA = engine.alloc(rows * 4);
  const oA = engine.alloc(acc.length * bytes);
  const buf = engine.buffer;
  new Int32Array(buf, aA, acc.length).set(acc);
  const mv = new Int32Array(buf, mA, rows);
  const sv = new Int32Array(buf, sA, rows);
  for (let r = 0; r < rows; r++) {
    mv[r] = q.multipliers[r % ch]!;
    sv[r] = q.shifts[r % ch]!;
  }
  const chunk = Math.ceil(rows / engine.threads);
  const jobs: number[][] = [];
  for (let r = 0; r < rows; r += chunk) jobs.push([aA, mA, sA, oA, bytes, plane, r, Math.min(rows, r + chunk), q.zpOut, q.qmin, q.qmax, plane, plane, 0]);
  engine.parallel('requant', jobs);
  // allocate + set: TypedArray.prototype.slice on shared memory is several times slower than set
  const out = bytes === 1 ? new Uint8Array(acc.length) : new Uint16Array(acc.length);
  out.set(bytes === 1 ? new Uint8Array(engine.buffer, oA, acc.length) : new Uint16Array(engine.buffer, oA, acc.length));
  return out;
}
