import { describe, expect, it } from 'vitest';
import { calibrateFeature, featureRange } from './feature-range.js';
import { featureParamsFromRange, featureQmax, featureDumpDType, featureStorageDType, type FeatureQParams } from './feature-params.js';
import { TensorHistogram } from './histogram.js';
import { fakeQuantize, packUint4, quantizeTensor, unpackUint4 } from './quantize-tensor.js';
import { binMasses, expectedMse } from './expected-error.js';
import { gaussian, rng } from './test-random.js';

/** Gaussian bulk (σ = 1) over several "images" plus a few far outliers. */
function gaussianWithOutliers(): { batches: Float32Array[]; all: Float32Array } {
  const batches = [0, 1, 2, 3].map((k) => gaussian(50000, 1, 10 + k));
  batches[1]![5] = 30;
  batches[2]![7] = -22;
  batches[3]![9] = 25;
  const all = new Float32Array(batches.reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of batches) {
    all.set(b, o);
    o += b.length;
  }
  return { batches, all };
}

function sampleMse(x: Float32Array, p: FeatureQParams): number {
  const y = fakeQuantize(x, p);
  let e = 0;
  for (let i = 0; i < x.length; i++) e += (x[i]! - y[i]!) ** 2;
  return e / x.length;
}

function histOf(batches: Float32Array[]): TensorHistogram {
  const h = new TensorHistogram();
  for (const b of batches) h.add(b);
  return h;
}

describe('feature parameters', () => {
  it('range always includes 0; zero point is an integer in [0, qmax]; 0 is exact', () => {
    for (const [lo, hi, bits] of [[0.5, 3, 8], [-5, -1, 8], [-1, 1, 4], [-0.278, 6.1, 12], [0, 0, 8], [-100, 1e-3, 16]] as const) {
      const p = featureParamsFromRange(lo, hi, bits);
      expect(Number.isInteger(p.zeroPoint)).toBe(true);
      expect(p.zeroPoint).toBeGreaterThanOrEqual(0);
      expect(p.zeroPoint).toBeLessThanOrEqual(featureQmax(bits));
      expect(Math.fround(p.scale)).toBe(p.scale);
      expect(fakeQuantize(Float32Array.of(0), p)[0]).toBe(0);
    }
    expect(featureParamsFromRange(0.5, 3, 8)).toEqual({ scale: Math.fround(3 / 255), zeroPoint: 0, bits: 8 });
    expect(featureParamsFromRange(-5, -1, 8).zeroPoint).toBe(255);
    expect(featureParamsFromRange(0, 0, 8)).toEqual({ scale: 1, zeroPoint: 0, bits: 8 });
    expect(() => featureParamsFromRange(0, 1, 3)).toThrow('bit width 3 outside 4..16');
    expect(() => featureParamsFromRange(NaN, 1, 8)).toThrow(RangeError);
  });
  it('storage and dump types by bit width', () => {
    expect([4, 5, 8, 9, 16].map(featureStorageDType)).toEqual(['uint8', 'uint8', 'uint8', 'uint16', 'uint16']);
    expect([4, 8, 12].map(featureDumpDType)).toEqual(['uint4', 'uint8', 'uint16']);
    expect(quantizeTensor(Float32Array.of(1), featureParamsFromRange(0, 1, 12))).toBeInstanceOf(Uint16Array);
  });
  it('4-bit values pack two per byte, high nibble first', () => {
    const p = featureParamsFromRange(0, 15, 4);
    const q = quantizeTensor(Float32Array.of(1, 2, 15, 0, 7), p);
    expect([...q]).toEqual([1, 2, 15, 0, 7]);
    expect([...packUint4(q)]).toEqual([0x12, 0xf0, 0x70]);
    expect([...unpackUint4(packUint4(q), 5)]).toEqual([1, 2, 15, 0, 7]);
    expect(() => packUint4([16])).toThrow('not in 0..15');
  });
});

describe('feature range methods', () => {
  const { batches, all } = gaussianWithOutliers();
  const h = histOf(batches);

  it('MAX_ABS is the observed min/max', () => {
    expect(featureRange(h, 'MAX_ABS', 8)).toEqual({ min: -22, max: 30 });
  });

  it('KL clips the outliers of a Gaussian (clip < max) and keeps the bulk', () => {
    const r = featureRange(h, 'KL', 8);
    expect(r.max).toBeLessThan(30);
    expect(r.min).toBeGreaterThan(-22);
    // The bulk (|x| ≤ 3.5σ) stays inside; the clip is far below the outliers.
    expect(r.max).toBeGreaterThan(3.5);
    expect(r.max).toBeLessThan(12);
    expect(r.min).toBeLessThan(-3.5);
    // KL ignores the 3 outliers (which dominate a squared-error measure) and resolves the bulk:
    // the error on |x| ≤ 3 is far below MAX_ABS's.
    const bulk = all.filter((v) => Math.abs(v) <= 3);
    const kl = sampleMse(bulk, calibrateFeature(h, 'KL', 8));
    const mx = sampleMse(bulk, calibrateFeature(h, 'MAX_ABS', 8));
    expect(kl).toBeLessThan(mx / 20);
  });

  it('KL keeps a one-sided (ReLU) tensor one-sided and falls back to the observed range at ≥ 12 bits', () => {
    const relu = batches.map((b) => b.map((v) => Math.max(v, 0)));
    const hr = histOf(relu);
    const r = featureRange(hr, 'KL', 8);
    expect(r.min).toBe(0);
    expect(r.max).toBeLessThan(30);
    expect(calibrateFeature(hr, 'KL', 8).zeroPoint).toBe(0);
    expect(featureRange(h, 'KL', 12)).toEqual({ min: -22, max: 30 });
  });

  it('KL leaves exact zeros out: a ReLU output clips like its non-zero values alone, whatever the share of zeros', () => {
    // ReLU of a unit Gaussian over 4 "images": half the values are exact zeros, max ≈ 4.84.
    const batches = [0, 1, 2, 3].map((k) => gaussian(50000, 1, 10 + k).map((v) => Math.max(v, 0)));
    const nonZero = batches.map((b) => b.filter((v) => v !== 0));
    const moreZeros = batches.map((b) => Float32Array.from([...b, ...new Float32Array(4 * b.length)]));
    const h = histOf(batches);
    expect(h.zeros).toBe(99980);
    const kl = featureRange(h, 'KL', 8);
    // Same histogram range in all three, so the divergences are identical.
    expect(featureRange(histOf(nonZero), 'KL', 8)).toEqual(kl);
    expect(featureRange(histOf(moreZeros), 'KL', 8)).toEqual(kl);
    expect(kl.min).toBe(0);
    // Measured 4.04 (keeps the bulk to ~4σ). With the zeros in the reference distribution their spike
    // shares a merged level with its neighbours once the clip exceeds 512 of the 2048 bins, and the
    // clip fell to 1.81 — below the Gaussian's 97th percentile.
    expect(kl.max).toBeGreaterThan(3.5);
    expect(kl.max).toBeLessThan(h.max);
  });

  it('MSE: the expected and the sample error at the chosen clip are ≤ those at max and at 0.5·max', () => {
    for (const bits of [4, 8, 12]) {
      const m = binMasses(h);
      const chosen = calibrateFeature(h, 'MSE', bits);
      const atMax = featureParamsFromRange(-22, 30, bits);
      const atHalf = featureParamsFromRange(-11, 15, bits);
      expect(expectedMse(m, chosen)).toBeLessThanOrEqual(expectedMse(m, atMax));
      expect(expectedMse(m, chosen)).toBeLessThanOrEqual(expectedMse(m, atHalf));
      expect(sampleMse(all, chosen)).toBeLessThanOrEqual(sampleMse(all, atMax));
      expect(sampleMse(all, chosen)).toBeLessThanOrEqual(sampleMse(all, atHalf));
    }
  });

  it('the histogram-expected MSE predicts the sample MSE', () => {
    const m = binMasses(h);
    for (const p of [featureParamsFromRange(-22, 30, 8), featureParamsFromRange(-4, 4, 8), featureParamsFromRange(-3, 5, 6)]) {
      const e = expectedMse(m, p);
      const s = sampleMse(all, p);
      expect(Math.abs(e - s) / s).toBeLessThan(0.05);
    }
  });

  it('ADMM is never worse than MAX_ABS and improves on it for a heavy-tailed tensor', () => {
    const m = binMasses(h);
    for (const bits of [4, 8]) {
      const admm = calibrateFeature(h, 'ADMM', bits);
      const mx = calibrateFeature(h, 'MAX_ABS', bits);
      expect(expectedMse(m, admm)).toBeLessThan(expectedMse(m, mx));
      expect(sampleMse(all, admm)).toBeLessThan(sampleMse(all, mx));
      expect(admm.min).toBeLessThanOrEqual(0);
      expect(admm.max).toBeGreaterThanOrEqual(0);
    }
  });

  it('uniform data: every method keeps (almost) the whole range', () => {
    const r = rng(5);
    const u = new Float32Array(100000).map(() => r() * 6 - 1);
    const hu = histOf([u]);
    for (const method of ['KL', 'MSE', 'ADMM'] as const) {
      const c = calibrateFeature(hu, method, 8);
      expect(c.max).toBeGreaterThan(4.8);
      expect(c.min).toBeLessThan(-0.8);
    }
  });

  it('empty or all-zero tensors get scale 1, zero point 0', () => {
    const e = new TensorHistogram();
    for (const method of ['MAX_ABS', 'KL', 'MSE', 'ADMM'] as const) expect(calibrateFeature(e, method, 8)).toMatchObject({ scale: 1, zeroPoint: 0 });
    const z = histOf([new Float32Array(100)]);
    for (const method of ['MAX_ABS', 'KL', 'MSE', 'ADMM'] as const) expect(calibrateFeature(z, method, 8)).toMatchObject({ scale: 1, zeroPoint: 0 });
  });
});
