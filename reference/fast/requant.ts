/**
 * Requantization of int32 accumulators on the fast engine (requant.wat): per-row multipliers and
 * shifts, the output range check the kernels rely on, the row-split parallel call, and
 * {@link requantizeFast} (accumulators given from JavaScript). Equal to requantizeOracle
 * (conv-int-oracle.ts).
 */
import type { FastEngine } from './engine.js';
import type { RequantParams } from './conv-int-types.js';

/** Accumulators per requantization job (~10 µs); see FastEngine.jobCount. */
const REQUANT_JOB_VALUES = 1 << 15;

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
  const chunk = Math.ceil(rows / e.jobCount(rows * len, REQUANT_JOB_VALUES));
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
  const chunk = Math.ceil(rows / engine.jobCount(acc.length, REQUANT_JOB_VALUES));
  const jobs: number[][] = [];
  for (let r = 0; r < rows; r += chunk) jobs.push([aA, mA, sA, oA, bytes, plane, r, Math.min(rows, r + chunk), q.zpOut, q.qmin, q.qmax, plane, plane, 0]);
  engine.parallel('requant', jobs);
  // allocate + set: TypedArray.prototype.slice on shared memory is several times slower than set
  const out = bytes === 1 ? new Uint8Array(acc.length) : new Uint16Array(acc.length);
  out.set(bytes === 1 ? new Uint8Array(engine.buffer, oA, acc.length) : new Uint16Array(engine.buffer, oA, acc.length));
  return out;
}

/**
 * Whether the kernels that requantize on the registers (conv1x1.wat, dw.wat) take `q`: 8-bit
 * output within uint8 and every multiplier < 1/4 (r = 31 + shift in [33, 62]).
 */
export function rqInRegisters(q: RequantParams): boolean {
  // the shift scan is cached per parameter object and shift array (a layer's on every inference)
  let shiftsOk = shiftsCache.get(q);
  if (shiftsOk?.shifts !== q.shifts) shiftsCache.set(q, (shiftsOk = { shifts: q.shifts, ok: Array.prototype.every.call(q.shifts, (s: number) => s >= 2 && s <= 31) }));
  return q.bits === 8 && q.qmin >= 0 && q.qmax <= 255 && q.zpOut >= 0 && q.zpOut <= 255 && shiftsOk.ok;
}

const shiftsCache = new WeakMap<RequantParams, { shifts: RequantParams['shifts']; ok: boolean }>();

/** Engine addresses of the per-layer data of the register requantization (see {@link allocRegisterRequant}). */
export interface RegisterRequant {
  /** Per channel 16 bytes [m, 2^(r − 33), r − 32, 0], r = 31 + shift, channels rounded up to 4. */
  rqA: number;
  /** Three i16x8: [zp], [qmin], [qmax]. */
  k16A: number;
  /** 256-entry output table, or 0. */
  lutA: number;
  /** `outCount` output bytes (0 bytes when the output is kept elsewhere). */
  qA: number;
  /** 16 bytes per thread (partial vectors). */
  bounceA: number;
}

/** Allocates and fills the data of {@link RegisterRequant} for `channels` output channels. */
export function allocRegisterRequant(e: FastEngine, channels: number, outCount: number, q: RequantParams, lut?: Uint8Array): RegisterRequant {
  const c4 = Math.ceil(channels / 4) * 4;
  const rqA = e.alloc(c4 * 16);
  const k16A = e.alloc(48);
  const lutA = lut ? e.alloc(256) : 0;
  const qA = e.alloc(outCount);
  const bounceA = e.alloc(16 * e.threads);
  const buf = e.buffer;
  const d = registerData(q, channels, c4);
  new Int32Array(buf, rqA, c4 * 4).set(d.rq);
  new Int16Array(buf, k16A, 24).set(d.k16);
  if (lut) new Uint8Array(buf, lutA, 256).set(lut.subarray(0, 256));
  return { rqA, k16A, lutA, qA, bounceA };
}

interface RegisterData {
  multipliers: RequantParams['multipliers'];
  shifts: RequantParams['shifts'];
  zp: number;
  qmin: number;
  qmax: number;
  rq: Int32Array;
  k16: Int16Array;
}

/** Per-layer register requantization data, cached per parameter object (rebuilt if its fields change). */
const registerCache = new WeakMap<RequantParams, RegisterData>();

function registerData(q: RequantParams, channels: number, c4: number): RegisterData {
  const hit = registerCache.get(q);
  if (hit && hit.multipliers === q.multipliers && hit.shifts === q.shifts && hit.zp === q.zpOut && hit.qmin === q.qmin && hit.qmax === q.qmax && hit.rq.length === c4 * 4) return hit;
  const rq = new Int32Array(c4 * 4);
  for (let o = 0; o < channels; o++) {
    const s = q.shifts[o]!;
    rq[4 * o] = q.multipliers[o]!;
    rq[4 * o + 1] = 2 ** (s - 2);
    rq[4 * o + 2] = s - 1;
  }
  const k16 = new Int16Array(24);
  k16.fill(q.zpOut, 0, 8);
  k16.fill(q.qmin, 8, 16);
  k16.fill(q.qmax, 16, 24);
  const d = { multipliers: q.multipliers, shifts: q.shifts, zp: q.zpOut, qmin: q.qmin, qmax: q.qmax, rq, k16 };
  registerCache.set(q, d);
  return d;
}
