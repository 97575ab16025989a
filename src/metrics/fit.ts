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

/**
 * Running shifted sums of a least-squares fit, as a Float64Array (see accumulator-kernels.ts on why
 * typed-array state): [k, l, n, su, sv, suu, suv, svv] where (k, l) is the first finite pair,
 * u = q - k, v = f - l.
 */
function newFitState(): Float64Array {
  return new Float64Array(8);
}

/** Elements per kernel call (see accumulator-kernels.ts, KERNEL_BLOCK). */
const FIT_BLOCK = 4096;

/** Fit from the shifted-sum state. Fewer than 2 pairs or constant q -> scale NaN, plausible false. */
function fitFromState(st: Float64Array): LinearFit {
  const k = st[0]!;
  const l = st[1]!;
  const n = st[2]!;
  const su = st[3]!;
  const sv = st[4]!;
  const suu = st[5]!;
  const suv = st[6]!;
  const svv = st[7]!;
  if (n < 2) return { scale: NaN, zeroPoint: NaN, offset: NaN, plausible: false, r2: NaN, pairs: n };
  const varU = suu - (su * su) / n;
  const varV = svv - (sv * sv) / n;
  const cov = suv - (su * sv) / n;
  const scale = varU > 0 ? cov / varU : NaN;
  // offset = mean(f) - scale*mean(q) = (L - scale*K) + (Σv - scale*Σu)/n
  const offset = scale === scale ? l - scale * k + (sv - scale * su) / n : NaN;
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

/** Adds pairs [start, end) of (q, f) to the state in order; skips pairs with a non-finite value. */
function addPairs(st: Float64Array, q: ArrayLike<number>, f: ArrayLike<number>, start: number, end: number): void {
  let k = st[0]!;
  let l = st[1]!;
  let n = st[2]!;
  let su = st[3]!;
  let sv = st[4]!;
  let suu = st[5]!;
  let suv = st[6]!;
  let svv = st[7]!;
  for (let i = start; i < end; i++) {
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
  st[0] = k;
  st[1] = l;
  st[2] = n;
  st[3] = su;
  st[4] = sv;
  st[5] = suu;
  st[6] = suv;
  st[7] = svv;
}

function addAll(st: Float64Array, q: ArrayLike<number>, f: ArrayLike<number>, count: number): void {
  for (let s = 0; s < count; s += FIT_BLOCK) addPairs(st, q, f, s, s + FIT_BLOCK < count ? s + FIT_BLOCK : count);
}

/**
 * Least-squares fit of float values `f` on raw integer values `q` (same length, same order),
 * finite pairs only. Returns scale (float units per step), offset, zeroPoint = -offset/scale, r2.
 */
export function fitLinear(q: ArrayLike<number>, f: ArrayLike<number>): LinearFit {
  checkSameLength(q, f);
  const st = newFitState();
  addAll(st, q, f, q.length);
  return fitFromState(st);
}

/** Streaming {@link fitLinear}: push chunks in order, then read result(); same numbers exactly. */
export class FitAccumulator {
  private readonly st = newFitState();

  /** Adds elements [0, count) of raw integers `q` and float values `f` (chunks in order). */
  push(q: ArrayLike<number>, f: ArrayLike<number>, count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > q.length || count > f.length) {
      throw new RangeError(`push: count ${count} outside the chunks (${q.length}, ${f.length})`);
    }
    addAll(this.st, q, f, count);
  }

  /** The fit of everything pushed so far. */
  result(): LinearFit {
    return fitFromState(this.st);
  }
}

/** The FitInfo a PairAccumulator needs (`fit` option) from a fit of side `side`'s integers. */
export function fitInfo(side: 'a' | 'b', fit: LinearFit): FitInfo {
  return { side, scale: fit.scale, zeroPoint: fit.zeroPoint, plausible: fit.plausible, r2: fit.r2 };
}

/** Gives V8 feedback for addPairs before it optimizes it (see accumulator-kernels.ts). */
function primeFit(): void {
  const st = newFitState();
  const q = new Float64Array([3, 1, 4, 1, 5, 9, 2, 6]);
  const f = new Float64Array([0.3, 0.1, 0.4, 0.1, 0.5, 0.9, 0.2, 0.6]);
  for (let i = 0; i < 40; i++) addPairs(st, q, f, 0, 8);
}
primeFit();
