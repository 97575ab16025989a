/**
 * Entropy (KL-divergence) calibration of a feature range (SEMANTICS.md "KL").
 * Source: Szymon Migacz, "8-bit Inference with TensorRT", NVIDIA GTC 2017 — choose the clipping
 * threshold whose quantized distribution Q diverges least (KL(P‖Q)) from the clipped reference P;
 * details (outliers folded into the edge bins, Q spread over P's non-empty bins, ε-smoothing of
 * zero bins) as in MXNet's `_get_optimal_threshold`, a published port of the TensorRT procedure.
 *
 * Our adaptation to asymmetric unsigned ranges: candidates are clip magnitudes T = i·w
 * (i = 1..bins) applied to both signs, range [max(min, −T), min(max, T)]; the reference window is
 * the occupied part of the signed histogram inside that range, merged into 2^bits levels (not 128
 * as for symmetric int8) — so a one-sided tensor (ReLU) gets all levels on its one side, and a
 * SiLU output keeps its small negative tail unclipped while the positive tail is searched.
 * When even the full window holds fewer than 2^bits bins (≥ 12 bits, or few distinct values)
 * the histogram cannot resolve any clipping and the observed range is returned.
 *
 * Exact zeros are left out of the reference distribution (Sophgo TPU-MLIR's KLD calibrator,
 * `python/calibration/kld_calibrator.py`, histograms `t[t != 0]`): every range includes 0 and the
 * zero point makes real 0 exact, so zeros — half of a ReLU output, padding — carry no quantization
 * error at any clip; left in, their spike in the first bin shares a merged level with its
 * neighbours as soon as the clip exceeds 2^bits bins and makes the smallest clip win.
 */
import type { TensorHistogram } from './histogram.js';

const EPS = 1e-4;

/** MXNet-style smoothing: zero entries get ε, taken evenly from the non-zero ones. In place. */
function smooth(d: Float64Array, len: number): boolean {
  let zeros = 0;
  for (let k = 0; k < len; k++) if (d[k] === 0) zeros++;
  const nonZeros = len - zeros;
  if (nonZeros === 0) return false;
  const eps1 = (EPS * zeros) / nonZeros;
  for (let k = 0; k < len; k++) d[k] = d[k] === 0 ? EPS : d[k]! - eps1;
  return true;
}

function klDivergence(p: Float64Array, q: Float64Array, len: number): number {
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < len; k++) {
    sp += p[k]!;
    sq += q[k]!;
  }
  let kl = 0;
  for (let k = 0; k < len; k++) {
    const pk = p[k]! / sp;
    if (pk > 0) kl += pk * Math.log(pk / (q[k]! / sq));
  }
  return kl;
}

/** The KL-optimal clipped range {min, max} of the histogram for `bits`-bit features. */
export function klRange(h: TensorHistogram, bits: number): { min: number; max: number } {
  if (h.count === 0) return { min: 0, max: 0 };
  const observed = { min: Math.min(h.min, 0), max: Math.max(h.max, 0) };
  const c = h.signed();
  const n = h.bins;
  c[n]! -= h.zeros; // bin [0, w) of x ≥ 0 holds the exact zeros
  if (h.count === h.zeros) return observed;
  let jlo = 0;
  while (jlo < c.length && c[jlo] === 0) jlo++;
  let jhi = c.length - 1;
  while (jhi > 0 && c[jhi] === 0) jhi--;
  const levels = 2 ** bits;
  if (jhi - jlo + 1 < levels || h.range === 0) return observed;
  const prefix = new Float64Array(c.length + 1);
  for (let j = 0; j < c.length; j++) prefix[j + 1] = prefix[j]! + c[j]!;
  const total = prefix[c.length]!;
  const p = new Float64Array(c.length);
  const q = new Float64Array(c.length);
  let best = Infinity;
  let bestI = n;
  let prevWindow = '';
  for (let i = 1; i <= n; i++) {
    const ws = Math.max(n - i, jlo);
    const we = Math.min(n + i - 1, jhi);
    const len = we - ws + 1;
    if (len < levels) continue;
    const key = `${ws},${we}`;
    if (key === prevWindow) continue; // same window as a smaller clip: same divergence
    prevWindow = key;
    for (let k = 0; k < len; k++) p[k] = c[ws + k]!;
    p[0]! += prefix[ws]!;
    p[len - 1]! += total - prefix[we + 1]!;
    // Q: the window merged into `levels` chunks, each chunk's mass spread over P's non-empty bins.
    for (let g = 0; g < levels; g++) {
      const s = Math.floor((g * len) / levels);
      const e = Math.floor(((g + 1) * len) / levels);
      let mass = 0;
      let nonEmpty = 0;
      for (let k = s; k < e; k++) {
        mass += c[ws + k]!;
        if (p[k] !== 0) nonEmpty++;
      }
      const v = nonEmpty > 0 ? mass / nonEmpty : 0;
      for (let k = s; k < e; k++) q[k] = p[k] !== 0 ? v : 0;
    }
    if (!smooth(p, len) || !smooth(q, len)) continue;
    const kl = klDivergence(p, q, len);
    if (kl < best) {
      best = kl;
      bestI = i;
    }
    if (ws === jlo && we === jhi) break; // larger clips no longer change the window
  }
  const t = bestI * h.binWidth;
  return { min: Math.max(observed.min, -t), max: Math.min(observed.max, t) };
}
