/**
 * Requantization of int32 accumulators on the fast engine (requant.wat): per-row multipliers and
 * shifts, the output range check the kernels rely on, the row-split parallel call, and
 * {@link requantizeFast} (accumulators given from JavaScript). Equal to requantizeOracle
 * (conv-int-oracle.ts).
 */
import type { FastEngine } from './engine.js';
import type { RequantParams } from './conv-int-types.js';
import type { PreparedConvInt } from './pack.js';

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
 * Whether the kernels that requantize on the registers (conv1x1.wat, dw.wat, conv-pairs-rq.wat)
 * take `q`: 8-bit output within uint8 and every multiplier m · 2^-(31 + shift) with 0 ≤ m < 2^31 and
 * shift in [1, 31], i.e. < 1/2 (r = 31 + shift in [33, 62]; r = 32 runs as 2m with r = 33, see
 * {@link registerData}).
 */
export function rqInRegisters(q: RequantParams): boolean {
  if (!(q.bits === 8 && q.qmin >= 0 && q.qmax <= 255 && q.zpOut >= 0 && q.zpOut <= 255)) return false;
  // a plain loop: Array.prototype.every with a callback cost ~1.5 µs per layer call
  const sh = q.shifts;
  const mu = q.multipliers;
  for (let i = 0; i < sh.length; i++) {
    const s = sh[i]!;
    const m = mu[i]!;
    if (!(s >= 1 && s <= 31 && m >= 0 && m <= 2147483647)) return false;
  }
  return true;
}

/** Per-layer register requantization data (see {@link registerData}). */
export interface RegisterData {
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

/**
 * The register requantization data of `q` for `channels` output channels (`c4` = channels rounded
 * up to 4): `rq` per channel [m, 2^(r − 33), r − 32, 0] (int32; r = 32: [2m, 1, 1, 0]), `k16` three i16x8 [zp], [qmin],
 * [qmax]. Cached per parameter object: the same object is returned while q's arrays and fields
 * are the same.
 */
export function registerData(q: RequantParams, channels: number, c4: number): RegisterData {
  const hit = registerCache.get(q);
  if (hit && hit.multipliers === q.multipliers && hit.shifts === q.shifts && hit.zp === q.zpOut && hit.qmin === q.qmin && hit.qmax === q.qmax && hit.rq.length === c4 * 4) return hit;
  const rq = new Int32Array(c4 * 4);
  for (let o = 0; o < channels; o++) {
    const s = q.shifts[o]!;
    if (s === 1) {
      // r = 32: numerator and denominator doubled, (|acc|·2m + 2^32) >> 33, so the r ≥ 33 rule
      // applies; 2m < 2^32 is read as unsigned by the kernels' i64x2.extmul_*_i32x4_u
      rq[4 * o] = 2 * q.multipliers[o]!;
      rq[4 * o + 1] = 1;
      rq[4 * o + 2] = 1;
      continue;
    }
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

/** Whether the last {@link StaticImage.addressIn} found the block resident (for tests). */
export let lastStaticResident = false;

/**
 * A layer's static kernel data laid out in one block (each part 16-byte aligned). After the first
 * run on an engine the block is resident in the engine's memory (FastEngine.allocResident, placed
 * at the end of that run), so later calls neither copy nor re-create views; until then (and outside
 * runs) each call copies it into scratch memory with one `set`. The bytes never change after
 * construction (a layer whose data changes gets a new image).
 */
export class StaticImage {
  /** The block's bytes. */
  readonly bytes: Uint8Array;
  /** Byte offset of each part in {@link bytes}. */
  readonly at: number[];
  /** Resident address per engine (0: asked for, not placed: the region is full). */
  private readonly resident = new WeakMap<FastEngine, number>();

  /** Lays out `parts` (views whose bytes are copied; a number reserves that many zero bytes). */
  constructor(parts: ReadonlyArray<ArrayBufferView | number>) {
    const at: number[] = [];
    let size = 0;
    for (const p of parts) {
      at.push(size);
      size += Math.ceil((typeof p === 'number' ? p : p.byteLength) / 16) * 16;
    }
    this.bytes = new Uint8Array(size);
    parts.forEach((p, i) => {
      if (typeof p !== 'number') this.bytes.set(new Uint8Array(p.buffer, p.byteOffset, p.byteLength), at[i]);
    });
    this.at = at;
  }

  /**
   * The block's address in `e`'s memory: resident, or a fresh scratch copy (then, in a run, asks to
   * be made resident at its end).
   */
  addressIn(e: FastEngine): number {
    const r = this.resident.get(e);
    lastStaticResident = r !== undefined && r !== 0;
    if (r) return r;
    if (r === undefined && e.arena) {
      this.resident.set(e, 0);
      e.whenIdle(() => {
        const a = e.allocResident(this.bytes.length);
        if (a) {
          new Uint8Array(e.buffer, a, this.bytes.length).set(this.bytes);
          this.resident.set(e, a);
        }
      });
    }
    const a = e.alloc(this.bytes.length);
    new Uint8Array(e.buffer, a, this.bytes.length).set(this.bytes);
    return a;
  }
}

/** Static data of a register-requantizing layer: [weights | bias | rq | k16], and the register data it holds. */
export interface RegisterImage extends StaticImage {
  rd: RegisterData;
}

/**
 * The static block of layer `prep` with requantization `q` for a kernel whose weight layout is
 * `weights(prep)`, cached in the kernel's own `cache` (rebuilt when q's register data change).
 */
export function registerImage(cache: WeakMap<PreparedConvInt, RegisterImage>, prep: PreparedConvInt, q: RequantParams, weights: (prep: PreparedConvInt) => ArrayBufferView): RegisterImage {
  const rd = registerData(q, prep.m, Math.ceil(prep.m / 4) * 4);
  const hit = cache.get(prep);
  if (hit && hit.rd === rd) return hit;
  const img = Object.assign(new StaticImage([weights(prep), prep.bias, rd.rq, rd.k16]), { rd });
  cache.set(prep, img);
  return img;
}

/** Static images of lookup tables, per table array (tables are cached by their makers and never change). */
const tableImages = new WeakMap<Uint8Array, { img: StaticImage; entries: number }>();

/** The static image of the first `size` entries of lookup table `table` (resident after the first run, like layer data). */
export function tableImage(table: Uint8Array, size: number): StaticImage {
  const entries = Math.min(size, table.length);
  let hit = tableImages.get(table);
  if (!hit || hit.entries < entries) tableImages.set(table, (hit = { img: new StaticImage([table.subarray(0, entries)]), entries }));
  return hit.img;
}

/**
 * Whether acc · m / 2^(31 + s) is never an exact tie (fraction 1/2) for |acc| ≤ 2^31 − 1 (the bound
 * the callers' int32 exactness check gives; −2^31 itself could be a tie): a tie is acc · m ≡
 * 2^(30+s) (mod 2^(31+s)), i.e. acc an odd multiple of 2^(30 + s − tz(m)), which is ≥ 2^31 in
 * magnitude when tz(m) ≤ s − 1 (tz = trailing zero bits).
 */
export function noExactTies(m: number, s: number): boolean {
  return m === 0 || 31 - Math.clz32(m & -m) <= s - 1;
}

/** Adding it to a float64 v with |v| < 2^51 rounds v to an integer (ties to even) held in the low word as int32. */
export const F64_ROUND_MAGIC = 1.5 * 2 ** 52;

/**
 * Whether round-half-away-from-zero(acc · m / 2^(31 + s)) (fixed-point.ts requantize) equals the
 * float64 form, int32 low word of acc · (m · 2^−(31+s)) + {@link F64_ROUND_MAGIC}, for every
 * |acc| ≤ `accBound` < 2^31 (dw-3x3.wat modes 2–3, conv1x1.wat): every product |acc| · m below
 * 2^53 is exact in a float64 (the power-of-two scale keeps it exact), and there are no exact ties
 * ({@link noExactTies}), where ties-to-even and half-away differ. The rounded value is then below
 * 2^21 in magnitude (2^53 / 2^32 at shift 1), so an added output zero point (≤ 255) never wraps
 * the low word.
 */
export function f64RequantExact(m: number, s: number, accBound: number): boolean {
  return noExactTies(m, s) && accBound * m < 2 ** 53;
}

/** Float64 requantization records per layer image and input zero point. */
const rfImages = new WeakMap<RegisterImage, Map<number, StaticImage>>();

/** How many output channels requantize in float64 / in the integer form, for the last layer whose records were built (first use of a layer with a zero point and parameters; for tests). */
export const lastF64Modes = { f64: 0, integer: 0 };

/**
 * Per output channel (rounded up to 4) 32 bytes: float64 M = m·2^−(31+shift), float64
 * {@link F64_ROUND_MAGIC} + output zero point, int32 1 when the float64 form is exact for every
 * accumulator of the layer with input zero point `zx` (|acc| ≤ |bias| + max|x − zx|·Σ|w|, see
 * {@link f64RequantExact}), else 0 (then the kernel uses the integer form of `img`'s rq). Read by
 * conv1x1.wat and conv-rows.wat, whose accumulators are bias + Σ w·(x − zx).
 */
export function f64RecordsImage(img: RegisterImage, prep: PreparedConvInt, zx: number): StaticImage {
  let byZx = rfImages.get(img);
  if (!byZx) rfImages.set(img, (byZx = new Map()));
  const hit = byZx.get(zx);
  if (hit) return hit;
  const { multipliers, shifts, zp } = img.rd;
  const c4 = Math.ceil(prep.m / 4) * 4;
  const rf = new Float64Array(c4 * 4);
  const flag = new Int32Array(rf.buffer);
  const maxAbsX = Math.max(zx, 255 - zx);
  lastF64Modes.f64 = lastF64Modes.integer = 0;
  for (let o = 0; o < prep.m; o++) {
    const m = multipliers[o]!;
    const s = shifts[o]!;
    rf[4 * o] = m * 2 ** -(31 + s);
    rf[4 * o + 1] = F64_ROUND_MAGIC + zp;
    const exact = f64RequantExact(m, s, prep.absBias[o]! + maxAbsX * prep.sumAbsW[o]!);
    flag[8 * o + 4] = exact ? 1 : 0;
    lastF64Modes[exact ? 'f64' : 'integer']++;
  }
  const made = new StaticImage([rf]);
  byZx.set(zx, made);
  return made;
}
