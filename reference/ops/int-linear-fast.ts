/**
 * The WebAssembly SIMD fast path (reference/fast) of the integer linear kernels (Conv,
 * ConvTranspose, Gemm, MatMul with constant weights), used by their `int` hooks when the driver
 * passes an engine (`IntContext.fast`). Every function here returns the SAME codes as the plain-TS
 * kernel (the oracle: exact double accumulation, wide bias, requantizeWide) or `null`, and the
 * caller then runs the TS kernel. The fast kernels compute with int32 wrap-around arithmetic, so
 * they are used only when exactness is proven:
 *
 * - weights within int16 (PreparedConvInt.fitsInt16);
 * - |bias| + max|x − zx| · Σ|w| ≤ 2^31 − 1 per output channel (reference/fast/pack.ts
 *   accFitsInt32; uint8 inputs bounded by their dtype first, else by a scan of the actual codes),
 *   so the int32 sum equals the exact sum and requantize(acc) = requantizeWide(acc);
 * - a bias outside int32 (the 64-bit bias of > 8-bit layers) is not put into the kernel: the
 *   kernel then returns bias-free int32 accumulators and the TS requantization adds the exact bias.
 *
 * Weights are packed once per layer and cached in a WeakMap keyed by the QuantizedWeights object of
 * the prepared model (so once per model/params), together with the int32 bias they were packed with
 * (re-packed only if the bias values change).
 */
import type { FastEngine } from '../fast/engine.js';
import { convIntFast, convIntRequantFast, lastLutApplied, matMulIntFast, prepareMatMulInt } from '../fast/conv-int.js';
import { convTransposeIntFast, convTransposeIntRequantFast, prepareConvTransposeInt } from '../fast/conv-transpose-int.js';
import { INT32_MAX, INT32_MIN, type RequantParams } from '../fast/conv-int-types.js';
import { accFitsInt32, minMax, prepareConvInt, type PreparedConvInt } from '../fast/pack.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { featureQmax, type FeatureQParams } from '../quant/feature-params.js';
import type { QuantizedWeights } from '../quant/weights.js';
import { requantizeChannels } from './int-linear.js';
import type { Conv2dGeom } from './conv2d.js';

/** Geometry of a 2-D convolution as the TS kernels resolve it (1-D as H = 1): the same type. */
export type FastConvGeom = Conv2dGeom;

interface CacheEntry {
  prep: PreparedConvInt;
  bias: Int32Array | null;
}

const cache = new WeakMap<QuantizedWeights, Map<string, CacheEntry>>();

/**
 * How many layer calls ran on the fast kernels / fell back to TS, and how many fast calls had a
 * bias outside int32 (added exactly in the TS requantization). For tests and the bench.
 */
export const fastStats = { fast: 0, ts: 0, wideBias: 0 };

function sameBias(a: Int32Array | null, b: Int32Array | null): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The cached packed weights of `qw` in form `key` with `bias`, packing them on first use. */
function prepared(qw: QuantizedWeights, key: string, bias: Int32Array | null, make: () => PreparedConvInt): PreparedConvInt {
  let m = cache.get(qw);
  if (!m) cache.set(qw, (m = new Map()));
  const e = m.get(key);
  if (e && sameBias(e.bias, bias)) return e.prep;
  const prep = make();
  m.set(key, { prep, bias });
  return prep;
}

/** The bias as int32 when every value fits, else null (it then stays out of the kernel). */
function int32Bias(qb: Float64Array | null): Int32Array | null {
  if (!qb) return null;
  const hit = int32Biases.get(qb);
  if (hit !== undefined && sameValues(hit, qb)) return hit; // (qb may be a caller's reused array)
  for (let i = 0; i < qb.length; i++) if (!(qb[i]! >= INT32_MIN && qb[i]! <= INT32_MAX)) return null;
  const b = Int32Array.from(qb);
  int32Biases.set(qb, b);
  return b;
}

/** Whether a and b hold the same numbers (a plain loop: `every` with a callback costs more per call). */
function sameValues(a: Int32Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** int32 copies of exact biases, per bias array (conv.ts reuses its bias array across runs). */
const int32Biases = new WeakMap<Float64Array, Int32Array>();

/** Whether the int32 sums of `prep` over codes `x` with zero point `zx` are exact (pack.ts accFitsInt32). */
function exact(prep: PreparedConvInt, x: Uint8Array | Uint16Array, zx: number): boolean {
  if (!prep.fitsInt16) return false;
  if (x instanceof Uint8Array && accFitsInt32(prep, Math.max(zx, 255 - zx))) return true;
  const [lo, hi] = minMax(x);
  return accFitsInt32(prep, Math.max(Math.abs(lo - zx), Math.abs(hi - zx)));
}

/** requantParams results per weights object, keyed by the accumulator scales and output parameters. */
const rqCache = new WeakMap<QuantizedWeights, Map<string, { sAcc: Float64Array; rq: RequantParams }>>();

/** {@link requantParams}, computed once per (weights, accumulator scales, output parameters). */
function requantParamsCached(qw: QuantizedWeights, sAcc: Float64Array, qy: FeatureQParams): RequantParams {
  // the same scales array as last time (conv.ts convScales reuses it): no key string
  const last = lastRq.get(qw);
  if (last && last.sAcc === sAcc && last.scale === qy.scale && last.zp === qy.zeroPoint && last.bits === qy.bits) return last.rq;
  const rq = requantParamsKeyed(qw, sAcc, qy);
  lastRq.set(qw, { sAcc, scale: qy.scale, zp: qy.zeroPoint, bits: qy.bits, rq });
  return rq;
}

const lastRq = new WeakMap<QuantizedWeights, { sAcc: Float64Array; scale: number; zp: number; bits: number; rq: RequantParams }>();

function requantParamsKeyed(qw: QuantizedWeights, sAcc: Float64Array, qy: FeatureQParams): RequantParams {
  let m = rqCache.get(qw);
  if (!m) rqCache.set(qw, (m = new Map()));
  const key = `${qy.scale}/${qy.zeroPoint}/${qy.bits}|${sAcc.length}|${sAcc[0]}`;
  const hit = m.get(key);
  if (hit && hit.sAcc.length === sAcc.length && hit.sAcc.every((v, i) => v === sAcc[i])) return hit.rq;
  const rq = requantParams(sAcc, qy);
  if (m.size >= 8) m.clear();
  m.set(key, { sAcc: Float64Array.from(sAcc), rq });
  return rq;
}

/** Per-channel requantization parameters, exactly as requantizeChannels derives them. */
function requantParams(sAcc: Float64Array, qy: FeatureQParams): RequantParams {
  const multipliers = new Int32Array(sAcc.length);
  const shifts = new Int32Array(sAcc.length);
  for (let c = 0; c < sAcc.length; c++) {
    const { m, shift } = quantizeMultiplier(sAcc[c]! / qy.scale);
    multipliers[c] = m;
    shifts[c] = shift;
  }
  return { multipliers, shifts, zpOut: qy.zeroPoint, qmin: 0, qmax: featureQmax(qy.bits), bits: qy.bits <= 8 ? 8 : 16 };
}

function codesOk(x: unknown, zx: number): x is Uint8Array | Uint16Array {
  return (x instanceof Uint8Array || x instanceof Uint16Array) && Number.isInteger(zx) && zx >= 0 && zx <= 65535;
}

function toF64(acc: Int32Array): Float64Array {
  const out = new Float64Array(acc.length);
  for (let i = 0; i < acc.length; i++) out[i] = acc[i]!;
  return out;
}

/**
 * Conv on the fast kernels: codes NCHW [n][m][oh][ow] equal to the TS kernel's, or null.
 * @param x input codes NCHW; qw weight codes [M][C/group][KH][KW]; qb exact bias per output channel
 *   (or null); sAcc accumulator scales per output channel.
 */
export function convFast(engine: FastEngine, x: unknown, qx: FeatureQParams, qw: QuantizedWeights, g: FastConvGeom, qb: Float64Array | null, sAcc: Float64Array, qy: FeatureQParams, lut?: { table: Uint8Array; applied: boolean } | null): Uint8Array | Uint16Array | null {
  if (!codesOk(x, qx.zeroPoint) || g.pt < 0 || g.pl < 0) return null;
  const cg = g.c / g.group;
  const wShape = [g.m, cg, g.kh, g.kw] as const;
  const pb = Math.max(0, (g.oh - 1) * g.sh + (g.kh - 1) * g.dh + 1 - g.h - g.pt);
  const pr = Math.max(0, (g.ow - 1) * g.sw + (g.kw - 1) * g.dw + 1 - g.w - g.pl);
  const bias = int32Bias(qb);
  const prep = prepared(qw, bias ? 'conv' : 'conv:nobias', bias, () => prepareConvInt(qw.q, wShape, bias, g.group));
  if (!exact(prep, x, qx.zeroPoint)) {
    fastStats.ts++;
    return null;
  }
  fastStats.fast++;
  const p = { x, xShape: [g.n, g.c, g.h, g.w] as const, zx: qx.zeroPoint, w: qw.q, wShape, bias, group: g.group, strides: [g.sh, g.sw] as const, dilations: [g.dh, g.dw] as const, pads: [g.pt, g.pl, pb, pr] as const };
  if (bias || !qb) {
    const rq = requantParamsCached(qw, sAcc, qy);
    const table = lut && rq.bits === 8 ? lut.table : undefined;
    const out = convIntRequantFast(engine, p, rq, prep, table);
    if (table && lastLutApplied) lut!.applied = true;
    return out;
  }
  fastStats.wideBias++;
  return requantizeChannels(toF64(convIntFast(engine, p, prep)), g.n, g.m, g.oh * g.ow, sAcc, qb, qy);
}

/** ConvTranspose on the fast kernels (weights [C][M/group][KH][KW]): codes NCHW, or null. */
export function convTransposeFast(engine: FastEngine, x: unknown, qx: FeatureQParams, qw: QuantizedWeights, g: FastConvGeom, qb: Float64Array | null, sAcc: Float64Array, qy: FeatureQParams): Uint8Array | Uint16Array | null {
  if (!codesOk(x, qx.zeroPoint) || g.pt < 0 || g.pl < 0) return null;
  const mg = g.m / g.group;
  const wShape = [g.c, mg, g.kh, g.kw] as const;
  const bias = int32Bias(qb);
  const prep = prepared(qw, bias ? 'convT' : 'convT:nobias', bias, () => prepareConvTransposeInt(qw.q, wShape, bias, g.group));
  if (!exact(prep, x, qx.zeroPoint)) {
    fastStats.ts++;
    return null;
  }
  fastStats.fast++;
  const p = { x, xShape: [g.n, g.c, g.h, g.w] as const, zx: qx.zeroPoint, w: qw.q, wShape, bias, group: g.group, strides: [g.sh, g.sw] as const, dilations: [g.dh, g.dw] as const, pads: [g.pt, g.pl, 0, 0] as const, out: [g.oh, g.ow] as const };
  if (bias || !qb) return convTransposeIntRequantFast(engine, p, requantParamsCached(qw, sAcc, qy), prep);
  fastStats.wideBias++;
  return requantizeChannels(toF64(convTransposeIntFast(engine, p, prep)), g.n, g.m, g.oh * g.ow, sAcc, qb, qy);
}

/**
 * A [rows][k] (codes, zero point qx) × constant weights B ([k][n], or [n][k] with bTransposed) on
 * the fast kernels, requantized per column like requantizeChannels(acc, rows, n, 1, sAcc, qb, qy);
 * null when not provably exact. The bias is added exactly in the TS requantization.
 */
export function matMulFast(engine: FastEngine, a: unknown, qx: FeatureQParams, qw: QuantizedWeights, rows: number, k: number, n: number, bTransposed: boolean, qb: Float64Array | null, sAcc: Float64Array, qy: FeatureQParams): Uint8Array | Uint16Array | null {
  if (!codesOk(a, qx.zeroPoint) || a.length !== rows * k || qw.q.length !== k * n) return null;
  const prep = prepared(qw, bTransposed ? 'mm:T' : 'mm', null, () => prepareMatMulInt({ b: qw.q, k, n, bTransposed, bias: null }));
  if (!exact(prep, a, qx.zeroPoint)) {
    fastStats.ts++;
    return null;
  }
  fastStats.fast++;
  const acc = matMulIntFast(engine, { a, za: qx.zeroPoint, b: qw.q, m: rows, k, n, bTransposed, bias: null }, prep);
  return requantizeChannels(toF64(acc), rows, n, 1, sAcc, qb, qy);
}

/** A [k][m] code matrix transposed to [m][k] (Gemm transA). */
export function transposeCodes(a: Uint8Array | Uint16Array, k: number, m: number): Uint8Array | Uint16Array {
  const out = a instanceof Uint8Array ? new Uint8Array(a.length) : new Uint16Array(a.length);
  for (let p = 0; p < k; p++) for (let i = 0; i < m; i++) out[i * k + p] = a[p * m + i]!;
  return out;
}
