/**
 * Least-squares line f ≈ scale * q + offset between an integer side q (raw values, unknown
 * quantization parameters) and a float side f: ordinary least squares of f on q over the finite
 * pairs, zeroPoint = -offset / scale, so f ≈ (q - zeroPoint) * scale.
 *
 * Sums are taken about the first finite pair (K, L) ("shifted data" variance algorithm, Chan,
 * Golub & LeVeque 1983, "Algorithms for computing the sample variance"), which avoids the
 * cancellation of the textbook n*Σq² - (Σq)² form; they are accumulated in index order so the
 * streaming {@link FitAccumulator} and {@link fitLinear} give identical results.
 *
 * Use: pass 1 feeds a FitAccumulator (or calls fitLinear), pass 2 builds a PairAccumulator with
 * `fit: { side, ...fit }` so the integer side is dequantized by the fit and the metrics are marked
 * `fitted: true`.
 */
import { checkSameLength } from './pairwise.js';
import type { FitInfo, LinearFit } from './types.js';

/** Running shifted sums of a least-squares fit (see module doc). */
interface FitSums {
  k: number;
  l: number;
  n: number;
  su: number;
  sv: number;
  suu: number;
  suv: number;
  svv: number;
}

/** Fit from shifted sums. Fewer than 2 pairs or constant q -> scale NaN, plausible false. */
export function fitFromSums(s: FitSums): LinearFit {
  const { n } = s;
  if (n < 2) return { scale: NaN, zeroPoint: NaN, offset: NaN, plausible: false, r2: NaN, pairs: n };
  const varU = s.suu - (s.su * s.su) / n;
  const varV = s.svv - (s.sv * s.sv) / n;
  const cov = s.suv - (s.su * s.sv) / n;
  const scale = varU > 0 ? cov / varU : NaN;
  // offset = mean(f) - scale*mean(q) = (L - scale*K) + (Σv - scale*Σu)/n
  const offset = scale === scale ? s.l - scale * s.k + (s.sv - scale * s.su) / n : NaN;
  const zeroPoint = scale === scale && scale !== 0 ? (0 - offset) / scale : NaN; // 0 - x: never -0
  const r2raw = varU > 0 && varV > 0 ? (cov * cov) / (varU * varV) : NaN;
  return {
    scale,
    zeroPoint,
    offset,
    plausible: Number.isFinite(scale) && scale > 0 && Number.isFinite(zeroPoint),
    r2: r2raw > 1 ? 1 : r2raw,
    pairs: n,
  };
}

function emptySums(): FitSums {
  return { k: 0, l: 0, n: 0, su: 0, sv: 0, suu: 0, suv: 0, svv: 0 };
}

/** Adds pairs [0, count) of (q, f) to `s` in order; skips pairs with a non-finite value. */
function addPairs(s: FitSums, q: ArrayLike<number>, f: ArrayLike<number>, count: number): void {
  let { k, l, n, su, sv, suu, suv, svv } = s;
  for (let i = 0; i < count; i++) {
    const x = q[i]!;
    const y = f[i]!;
    if (x - x === 0 && y - y === 0) {
      if (n === 0) {
        k = x;
        l = y;
      }
      const u = x - k;
      const v = y - l;
      su += u;
      sv += v;
      suu += u * u;
      suv += u * v;
      svv += v * v;
      n++;
    }
  }
  Object.assign(s, { k, l, n, su, sv, suu, suv, svv });
}

/**
 * Least-squares fit of float values `f` on raw integer values `q` (same length, same order),
 * finite pairs only. Returns scale (float units per step), offset, zeroPoint = -offset/scale, r2.
 */
export function fitLinear(q: ArrayLike<number>, f: ArrayLike<number>): LinearFit {
  checkSameLength(q, f);
  const s = emptySums();
  addPairs(s, q, f, q.length);
  return fitFromSums(s);
}

/** Streaming {@link fitLinear}: push chunks in order, then read result(); same numbers exactly. */
export class FitAccumulator {
  private readonly sums = emptySums();

  /** Adds elements [0, count) of raw integers `q` and float values `f`. */
  push(q: ArrayLike<number>, f: ArrayLike<number>, count: number): void {
    if (count > q.length || count > f.length) throw new RangeError(`push: count ${count} exceeds chunk length`);
    addPairs(this.sums, q, f, count);
  }

  result(): LinearFit {
    return fitFromSums(this.sums);
  }
}

/** The FitInfo a PairAccumulator needs (`fit` option) from a fit of side `side`'s integers. */
export function fitInfo(side: 'a' | 'b', fit: LinearFit): FitInfo {
  return { side, scale: fit.scale, zeroPoint: fit.zeroPoint, plausible: fit.plausible, r2: fit.r2 };
}
