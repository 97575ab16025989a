import { describe, expect, it } from 'vitest';
import { fromJsonNumber, layerMetricsFromJson, layerMetricsToJson, toJsonNumber } from './json.js';
import type { LayerMetrics } from './types.js';

describe('JSON numbers', () => {
  it('maps non-finite numbers to strings and back', () => {
    expect(toJsonNumber(Infinity)).toBe('Infinity');
    expect(toJsonNumber(-Infinity)).toBe('-Infinity');
    expect(toJsonNumber(NaN)).toBe('NaN');
    expect(toJsonNumber(0.25)).toBe(0.25);
    for (const x of [Infinity, -Infinity, NaN, 0, 1.5e-300, -7]) expect(fromJsonNumber(toJsonNumber(x))).toBe(x);
    expect(() => fromJsonNumber('inf')).toThrow(RangeError);
    expect(() => fromJsonNumber(null)).toThrow(RangeError);
  });
  it('round-trips a LayerMetrics block through JSON.stringify/parse', () => {
    const m: LayerMetrics = {
      count: 4,
      finiteCount: 3,
      cosine: 0,
      cosineFlag: 'referenceZero',
      euclidean: 0.1 + 0.2,
      relEuclidean: Infinity,
      sqnrDb: -Infinity,
      eucSimilarity: -Infinity,
      maxAbs: 0.3,
      maxAbsIndex: 2,
      maxAbsCoord: [0, 0, 1, 0],
      meanAbs: 0.1,
      rmse: 0.2,
      rmseInSteps: NaN,
      nonFinite: { a: { nan: 1, posInf: 0, negInf: 0 }, b: { nan: 0, posInf: 0, negInf: 0 } },
      saturation: { b: { atMin: 1, atMax: 0, share: 0.25 } },
      deadChannels: [1],
      mismatches: 2,
      firstMismatch: { index: 1, coord: [0, 0, 0, 1], nhwc: { n: 0, h: 0, w: 0, c: 1 } },
      mismatchesPerChannel: [0, 2],
      mismatchesPerRow: [2],
      fitted: true,
      fit: { side: 'b', scale: NaN, zeroPoint: NaN, plausible: false, r2: NaN },
    };
    const text = JSON.stringify(layerMetricsToJson(m));
    expect(text).toContain('"relEuclidean":"Infinity"');
    expect(text).toContain('"sqnrDb":"-Infinity"');
    expect(text).not.toContain('null');
    expect(layerMetricsFromJson(JSON.parse(text))).toEqual(m);
    expect(m.relEuclidean).toBe(Infinity); // the input is not modified
  });
});
