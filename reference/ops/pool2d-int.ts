/**
 * Integer pooling math over NCHW feature codes (SEMANTICS.md "Element-wise, lookup-table and
 * data-movement operators", AveragePool). Windows and counts are those of `pool2d.ts` (so of
 * onnxruntime): the sum of (q − zp_in) over the window is exact, then
 *   q_out = clamp(requantize(sum, M(count)) + zp_out, 0, qmax_out),  M(count) = s_in / (s_out · count)
 * as a fixed-point multiplier (one per distinct count, computed once per call), rounding half
 * away from zero (reference/quant/fixed-point.ts; a sum wider than int32 — 16-bit codes over a
 * large plane — is requantized exactly by `requantizeWide`). An empty window gives zp_out (real 0).
 */
import type { FeatureQParams } from '../quant/feature-params.js';
import { quantizeMultiplier, type QuantizedMultiplier } from '../quant/fixed-point.js';
import { requantizeWide, type QArray } from './int-support.js';
import { poolWindowSums, type Pool2dGeom } from './pool2d.js';

/** Multipliers s_in / (s_out · count), built on first use of each count. */
class CountMultipliers {
  private readonly byCount = new Map<number, QuantizedMultiplier>();
  constructor(private readonly ratio: number) {}
  get(count: number): QuantizedMultiplier {
    let m = this.byCount.get(count);
    if (!m) {
      m = quantizeMultiplier(this.ratio / count);
      this.byCount.set(count, m);
    }
    return m;
  }
}

function store(sum: number, count: number, mults: CountMultipliers, zpOut: number, qmax: number): number {
  if (count <= 0) return zpOut;
  const { m, shift } = mults.get(count);
  const v = requantizeWide(sum, m, shift) + zpOut;
  return v < 0 ? 0 : v > qmax ? qmax : v;
}

/** Average pooling of codes `x` (parameters `pin`) into codes of `pout`. */
export function averagePool2dIntImpl(x: QArray, g: Pool2dGeom, countIncludePad: boolean, pin: FeatureQParams, pout: FeatureQParams, out: QArray): QArray {
  const { sums, inside, counts } = poolWindowSums(x, g, countIncludePad);
  const zp = pin.zeroPoint;
  const zpOut = pout.zeroPoint;
  const qmax = 2 ** pout.bits - 1;
  const mults = new CountMultipliers(pin.scale / pout.scale);
  for (let o = 0; o < sums.length; o++) out[o] = store(sums[o]! - inside[o]! * zp, counts[o]!, mults, zpOut, qmax);
  return out;
}

/** Mean (requantized as above, count = plane size) or max of each plane of `size` codes. */
export function globalPoolIntImpl(x: QArray, planes: number, size: number, kind: 'avg' | 'max', pin: FeatureQParams, pout: FeatureQParams, out: QArray): QArray {
  const mults = new CountMultipliers(pin.scale / pout.scale);
  const qmax = 2 ** pout.bits - 1;
  for (let p = 0; p < planes; p++) {
    const o = p * size;
    if (kind === 'avg') {
      let s = 0;
      for (let i = 0; i < size; i++) s += x[o + i]!;
      out[p] = store(s - size * pin.zeroPoint, size, mults, pout.zeroPoint, qmax);
    } else {
      let mx = 0;
      for (let i = 0; i < size; i++) if (x[o + i]! > mx) mx = x[o + i]!;
      out[p] = mx;
    }
  }
  return out;
}

/**
 * Max pooling of feature codes, separably: the max over a 2-D window is the max over its rows of
 * each row's max (max is associative and commutative), so each output costs kh + kw comparisons
 * instead of kh · kw (YOLOX's SPP 13×13 windows: 26 instead of 169). Equal to
 * `maxPool2dImpl(x, g, out)` element for element: the same valid taps (padding never wins), and a
 * window with no valid tap stores what −Infinity stores in an unsigned array (0).
 */
export function maxPool2dCodes(x: QArray, g: Pool2dGeom, out: QArray): QArray {
  const { planes, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = g;
  const rows = new Int32Array(h * ow); // row maxima of one plane, −1 = no valid tap
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const xp = p * h * w;
    for (let iy = 0; iy < h; iy++) {
      const row = xp + iy * w;
      for (let ox = 0; ox < ow; ox++) {
        const x0 = ox * sw - pl;
        let best = -1;
        for (let kx = 0; kx < kw; kx++) {
          const ix = x0 + kx * dw;
          if (ix < 0 || ix >= w) continue;
          const v = x[row + ix]!;
          if (v > best) best = v;
        }
        rows[iy * ow + ox] = best;
      }
    }
    for (let oy = 0; oy < oh; oy++) {
      const y0 = oy * sh - pt;
      for (let ox = 0; ox < ow; ox++) {
        let best = -1;
        for (let ky = 0; ky < kh; ky++) {
          const iy = y0 + ky * dh;
          if (iy < 0 || iy >= h) continue;
          const v = rows[iy * ow + ox]!;
          if (v > best) best = v;
        }
        out[o++] = best < 0 ? 0 : best;
      }
    }
  }
  return out;
}
