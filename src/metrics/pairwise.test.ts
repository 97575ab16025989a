import { describe, expect, it } from 'vitest';
import { cosineFromSums, eucSimilarityFromSums, relEuclideanFromSums, sqnrDbFromRel } from './finalize.js';
import { cosine, dequantize, euclidean, eucSimilarity, maxAbs, meanAbs, relEuclidean, rmse, rmseInSteps, sqnrDb } from './pairwise.js';

const R = [1, 2, 3];
const T = [4, 5, 6];

describe('cosine', () => {
  it('is sum(r*t)/(norm r * norm t), hand-computed', () => {
    expect(cosine(R, T)).toEqual({ value: 32 / Math.sqrt(14 * 77) });
    expect(cosine(R, T).value).toBeCloseTo(0.9746318461970762, 15);
  });
  it('is 1 for parallel and -1 for opposite vectors', () => {
    expect(cosine([1, 2], [2, 4]).value).toBeCloseTo(1, 15);
    expect(cosine([1, 2], [-3, -6]).value).toBeCloseTo(-1, 15);
    expect(cosine([1, 0], [0, 1]).value).toBe(0);
  });
  it('both norms 0 -> 1 without a flag; one norm 0 -> 0 with a flag naming the zero side', () => {
    expect(cosine([0, 0, 0], [0, -0, 0])).toEqual({ value: 1 });
    expect(cosine([0, 0], [1, 2])).toEqual({ value: 0, flag: 'referenceZero' });
    expect(cosine([1, 2], [0, 0])).toEqual({ value: 0, flag: 'targetZero' });
    expect(cosine([], [])).toEqual({ value: 1 });
  });
  it('clamps to [-1, 1]', () => {
    expect(cosineFromSums(2, 1, 1).value).toBe(1);
    expect(cosineFromSums(-3, 1, 1).value).toBe(-1);
    for (const v of [[0.1, 0.2, 0.3], [1e-3, 7.7, 3.3333], [0.7, 0.7, 0.7, 0.7, 0.7]]) {
      const c = cosine(v, v).value;
      expect(c).toBeLessThanOrEqual(1);
      expect(c).toBeCloseTo(1, 15);
    }
  });
  it('does not under/overflow on tiny or huge values', () => {
    expect(cosine([1e-200, 2e-200], [1e-200, 2e-200]).value).toBeCloseTo(1, 14);
    expect(cosine([1e150, 0], [1e150, 1e150]).value).toBeCloseTo(Math.SQRT1_2, 14);
  });
  it('uses finite pairs only', () => {
    expect(cosine([1, NaN, 2, Infinity], [2, 5, 4, 1])).toEqual(cosine([1, 2], [2, 4]));
    expect(cosine([NaN], [NaN])).toEqual({ value: 1 });
  });
  it('throws RangeError on different lengths', () => {
    expect(() => cosine([1], [1, 2])).toThrow(RangeError);
  });
});

describe('euclidean, relEuclidean, sqnrDb', () => {
  it('hand-computed on [1,2,3] vs [4,5,6]', () => {
    expect(euclidean(R, T)).toBe(Math.sqrt(27));
    expect(relEuclidean(R, T)).toBe(Math.sqrt(27) / Math.sqrt(14));
    expect(sqnrDb(R, T)).toBeCloseTo(20 * Math.log10(Math.sqrt(14) / Math.sqrt(27)), 12);
    expect(sqnrDb(R, T)).toBeCloseTo(10 * Math.log10(14 / 27), 12); // = -2.85236 dB
  });
  it('sqnrDb equals -20*log10(relEuclidean) exactly', () => {
    for (const [r, t] of [[R, T], [[1, 1, 1], [1.01, 0.99, 1]], [[5, -3], [4, -2]]] as const) {
      expect(sqnrDb(r, t)).toBe(-20 * Math.log10(relEuclidean(r, t)));
    }
  });
  it('SQNR of 1% relative error is 40 dB', () => {
    expect(sqnrDb([100, 0], [101, 0])).toBeCloseTo(40, 12);
  });
  it('edge cases: identical -> 0 / +Infinity; norm(r) = 0 -> Infinity / -Infinity', () => {
    expect(euclidean(R, R)).toBe(0);
    expect(relEuclidean(R, R)).toBe(0);
    expect(sqnrDb(R, R)).toBe(Infinity);
    expect(relEuclidean([0, 0], [0, 0])).toBe(0);
    expect(sqnrDb([0, 0], [0, 0])).toBe(Infinity);
    expect(relEuclidean([0, 0], [3, 4])).toBe(Infinity);
    expect(sqnrDb([0, 0], [3, 4])).toBe(-Infinity);
    expect(euclidean([0, 0], [3, 4])).toBe(5);
    expect(relEuclideanFromSums(0, 0)).toBe(0);
    expect(sqnrDbFromRel(0)).toBe(Infinity);
  });
});

describe('eucSimilarity (TPU-MLIR)', () => {
  it('is 1 - norm(r-t)/norm((r+t)/2), hand-computed', () => {
    // (r+t)/2 = [2.5, 3.5, 4.5], squares sum 38.75
    expect(eucSimilarity(R, T)).toBe(1 - Math.sqrt(27) / Math.sqrt(38.75));
  });
  it('identical or both zero -> 1; r = -t -> -Infinity', () => {
    expect(eucSimilarity(R, R)).toBe(1);
    expect(eucSimilarity([0, 0], [0, 0])).toBe(1);
    expect(eucSimilarity([1, -2], [-1, 2])).toBe(-Infinity);
    expect(eucSimilarityFromSums(0, 0)).toBe(1);
  });
});

describe('maxAbs, meanAbs, rmse', () => {
  it('hand-computed: diffs 1,4,4', () => {
    expect(maxAbs([1, 5, 3], [2, 1, 7])).toEqual({ value: 4, index: 1 });
    expect(meanAbs([1, 5, 3], [2, 1, 7])).toBe(3);
    expect(rmse([1, 5, 3], [2, 1, 7])).toBe(Math.sqrt(11));
    expect(rmseInSteps([1, 5, 3], [2, 1, 7], 0.5)).toBe(Math.sqrt(11) / 0.5);
  });
  it('identical -> 0 at the first finite index; no finite pair -> 0 at -1', () => {
    expect(maxAbs([NaN, 2, 2], [1, 2, 2])).toEqual({ value: 0, index: 1 });
    expect(maxAbs([NaN], [1])).toEqual({ value: 0, index: -1 });
    expect(maxAbs([], [])).toEqual({ value: 0, index: -1 });
    expect(meanAbs([], [])).toBe(0);
    expect(rmse([NaN], [Infinity])).toBe(0);
  });
  it('skips non-finite pairs instead of returning Infinity/NaN', () => {
    expect(maxAbs([NaN, 1, -Infinity], [0, 3, 0])).toEqual({ value: 2, index: 1 });
    expect(meanAbs([1, NaN, 3, Infinity], [2, 2, -Infinity, 4])).toBe(1);
    expect(rmse([1, NaN, 4], [3, 0, 4])).toBe(Math.sqrt(2));
  });
  it('rmseInSteps of ideal rounding noise is about 0.29', () => {
    // f uniform on a fine grid, q = round(f / s) * s: error uniform in [-s/2, s/2]
    const s = 0.1;
    const f: number[] = [];
    const q: number[] = [];
    for (let i = 0; i < 100_000; i++) {
      const v = (i / 100_000) * 25.5;
      f.push(v);
      q.push(Math.round(v / s) * s);
    }
    expect(rmseInSteps(f, q, s)).toBeCloseTo(1 / Math.sqrt(12), 3);
  });
});

describe('dequantize', () => {
  it('x = (q - zeroPoint) * scale', () => {
    expect(Array.from(dequantize([0, 3, 255], 0.5, 3))).toEqual([-1.5, 0, 126]);
    expect(Array.from(dequantize([-128, 127], 0.25))).toEqual([-32, 31.75]);
  });
});
