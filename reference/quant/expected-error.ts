/**
 * Expected squared quantization error of a feature quantizer over a calibration histogram
 * (SEMANTICS.md "MSE"). Values are assumed uniform inside each bin (clipped to the observed
 * min/max); the error of the uniform quantizer with clamping is integrated exactly per bin:
 * inside the representable range the rounding error is a sawtooth whose squared integral has a
 * closed form, outside it the clipping error is (x − edge)².
 */
import type { FeatureQParams } from './feature-params.js';
import type { TensorHistogram } from './histogram.js';

/** ∫_{-1/2}^{u} (t − round(t))² dt: whole periods contribute 1/12 each. */
function sawtoothSq(u: number): number {
  const k = Math.floor(u + 0.5);
  const v = u - k;
  return k / 12 + (v * v * v + 0.125) / 3;
}

/** ∫_a^b (x − Q(x))² dx for the quantizer `p` (a ≤ b, reals). */
export function integratedSquaredError(a: number, b: number, p: FeatureQParams): number {
  const s = p.scale;
  const lq = -p.zeroPoint * s;
  const hq = (2 ** p.bits - 1 - p.zeroPoint) * s;
  let e = 0;
  if (a < lq) {
    const top = Math.min(b, lq);
    e += ((lq - a) ** 3 - (lq - top) ** 3) / 3;
  }
  if (b > hq) {
    const bot = Math.max(a, hq);
    e += ((b - hq) ** 3 - (bot - hq) ** 3) / 3;
  }
  const ma = Math.max(a, lq);
  const mb = Math.min(b, hq);
  if (mb > ma) e += s * s * s * (sawtoothSq(mb / s) - sawtoothSq(ma / s));
  return e;
}

/** Squared error of quantizing the single value x. */
export function pointSquaredError(x: number, p: FeatureQParams): number {
  const s = p.scale;
  const qmax = 2 ** p.bits - 1;
  let q = Math.round(x / s) + p.zeroPoint;
  q = q < 0 ? 0 : q > qmax ? qmax : q;
  const d = x - (q - p.zeroPoint) * s;
  return d * d;
}

/** The occupied bins of a histogram as (support [a, b], count), clipped to the observed min/max. */
export interface BinMass {
  a: Float64Array;
  b: Float64Array;
  count: Float64Array;
  total: number;
}

export function binMasses(h: TensorHistogram): BinMass {
  const c = h.signed();
  const n = h.bins;
  const w = h.binWidth;
  const a: number[] = [];
  const b: number[] = [];
  const cnt: number[] = [];
  let total = 0;
  for (let j = 0; j < c.length; j++) {
    if (c[j] === 0) continue;
    let lo = (j - n) * w;
    let hi = lo + w;
    if (lo < h.min) lo = h.min;
    if (hi > h.max) hi = h.max;
    if (hi < lo) hi = lo;
    a.push(lo);
    b.push(hi);
    cnt.push(c[j]!);
    total += c[j]!;
  }
  return { a: Float64Array.from(a), b: Float64Array.from(b), count: Float64Array.from(cnt), total };
}

/** Mean squared quantization error of `p` over the histogram's values (uniform within bins). */
export function expectedMse(m: BinMass, p: FeatureQParams): number {
  if (m.total === 0) return 0;
  let e = 0;
  for (let j = 0; j < m.count.length; j++) {
    const a = m.a[j]!;
    const b = m.b[j]!;
    e += m.count[j]! * (b > a ? integratedSquaredError(a, b, p) / (b - a) : pointSquaredError(a, p));
  }
  return e / m.total;
}
