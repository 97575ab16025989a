import { describe, expect, it } from 'vitest';
import { aggregateImages, errorFromCosine, errorGain } from './aggregate.js';

describe('errorGain', () => {
  it('e_k / max_j e_j', () => {
    expect(errorGain(0.02, [0.01, 0.005])).toBe(2);
    expect(errorGain(0.005, [0.01, 0.002])).toBe(0.5);
    expect(errorGain(errorFromCosine(0.9), [errorFromCosine(0.99)])).toBeCloseTo(10, 10);
  });
  it('all inputs exact (or no inputs): Infinity when the layer has error, 1 when it has none', () => {
    expect(errorGain(0.01, [0, 0])).toBe(Infinity);
    expect(errorGain(0.01, [])).toBe(Infinity);
    expect(errorGain(0, [0])).toBe(1);
    expect(errorGain(0, [])).toBe(1);
    expect(errorGain(0, [0.5])).toBe(0);
  });
  it('NaN anywhere -> NaN', () => {
    expect(errorGain(NaN, [0.1])).toBeNaN();
    expect(errorGain(0.1, [0.2, NaN])).toBeNaN();
  });
});

describe('aggregateImages', () => {
  it('mean, min and argmin of cosine; max and argmax of maxAbs (first on ties)', () => {
    const a = aggregateImages([
      { cosine: 0.99, maxAbs: 1 },
      { cosine: 0.95, maxAbs: 3 },
      { cosine: 0.97, maxAbs: 3 },
      { cosine: 0.95, maxAbs: 2 },
    ]);
    expect(a).toEqual({
      images: 4,
      cosineMean: (0.99 + 0.95 + 0.97 + 0.95) / 4,
      cosineMin: 0.95,
      cosineMinImage: 1,
      maxAbsMax: 3,
      maxAbsMaxImage: 1,
    });
  });
  it('a single image is its own aggregate', () => {
    expect(aggregateImages([{ cosine: 0.5, maxAbs: 0 }])).toEqual({
      images: 1, cosineMean: 0.5, cosineMin: 0.5, cosineMinImage: 0, maxAbsMax: 0, maxAbsMaxImage: 0,
    });
  });
  it('NaN is never hidden: it becomes the min/max and points at its image', () => {
    const a = aggregateImages([
      { cosine: 0.9, maxAbs: 1 },
      { cosine: NaN, maxAbs: NaN },
      { cosine: 0.1, maxAbs: 9 },
    ]);
    expect(a.cosineMean).toBeNaN();
    expect(a.cosineMin).toBeNaN();
    expect(a.cosineMinImage).toBe(1);
    expect(a.maxAbsMax).toBeNaN();
    expect(a.maxAbsMaxImage).toBe(1);
  });
  it('throws on an empty list', () => {
    expect(() => aggregateImages([])).toThrow(RangeError);
  });
});
