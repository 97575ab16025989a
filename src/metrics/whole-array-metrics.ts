/** Specification of the streaming accumulators' output, from the whole-array functions. */
import type { PairAccumulatorOptions } from './accumulator-setup.js';
import { coordOf } from './coords.js';
import { deadChannels, firstMismatch, mismatches, mismatchesPerChannel, mismatchesPerRow, nonFinite, saturation } from './counts.js';
import { cosine, dequantize, euclidean, eucSimilarity, maxAbs, meanAbs, relEuclidean, rmse, sqnrDb } from './pairwise.js';
import type { LayerMetrics } from './types.js';

/**
 * The LayerMetrics block assembled from the whole-array functions only (pairwise.ts, counts.ts):
 * the specification the streaming accumulators (JS and WebAssembly) are tested against. Raw values
 * in, dequantized here like the accumulators do. Slow (several passes, plain arrays): tests only.
 */
export function metricsFromWholeArrays(a: readonly number[], b: readonly number[], o: Omit<PairAccumulatorOptions, 'n'>): LayerMetrics {
  const fa = o.fit?.side === 'a' ? o.fit : undefined;
  const fb = o.fit?.side === 'b' ? o.fit : undefined;
  const sa = fa?.scale ?? o.sideA.scale;
  const sb = fb?.scale ?? o.sideB.scale;
  const x = sa === undefined ? a : Array.from(dequantize(a, sa, fa?.zeroPoint ?? o.sideA.zeroPoint ?? 0));
  const y = sb === undefined ? b : Array.from(dequantize(b, sb, fb?.zeroPoint ?? o.sideB.zeroPoint ?? 0));
  const cos = cosine(x, y);
  const mx = maxAbs(x, y);
  const m: LayerMetrics = {
    count: a.length,
    finiteCount: x.filter((v, i) => Number.isFinite(v) && Number.isFinite(y[i])).length,
    cosine: cos.value,
    euclidean: euclidean(x, y),
    relEuclidean: relEuclidean(x, y),
    sqnrDb: sqnrDb(x, y),
    eucSimilarity: eucSimilarity(x, y),
    maxAbs: mx.value,
    maxAbsIndex: mx.index,
    maxAbsCoord: mx.index < 0 ? null : coordOf(mx.index, o.shape),
    meanAbs: meanAbs(x, y),
    rmse: rmse(x, y),
    nonFinite: { a: nonFinite(x), b: nonFinite(y) },
    saturation: {},
    deadChannels: deadChannels(a, b, o.shape),
  };
  if (cos.flag) m.cosineFlag = cos.flag;
  const step = o.fit?.scale ?? o.sideB.scale ?? o.sideA.scale;
  if (step !== undefined) m.rmseInSteps = rmse(x, y) / step;
  const satA = saturation(a, o.sideA.dtype);
  const satB = saturation(b, o.sideB.dtype);
  if (satA) m.saturation.a = satA;
  if (satB) m.saturation.b = satB;
  if (o.integerCompare) {
    m.mismatches = mismatches(a, b);
    m.firstMismatch = firstMismatch(a, b, o.shape);
    m.mismatchesPerChannel = mismatchesPerChannel(a, b, o.shape);
    const rows = mismatchesPerRow(a, b, o.shape);
    if (rows) m.mismatchesPerRow = rows;
  }
  if (o.fit) {
    m.fitted = true;
    m.fit = { ...o.fit };
  }
  return m;
}

