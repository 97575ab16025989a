import { describe, expect, it } from 'vitest';
import { dequantizeWeights, quantizeBias, quantizeWeights, weightQmax } from './weights.js';
import { gaussian } from './test-random.js';

function sqErr(a: Float32Array, b: Float32Array): number {
  let e = 0;
  for (let i = 0; i < a.length; i++) e += (a[i]! - b[i]!) ** 2;
  return e;
}

describe('quantizeWeights', () => {
  it('MAX_ABS: per output channel, symmetric, the channel max maps to ±qmax', () => {
    // Conv weights [M=2, C=1, 1, 3]
    const w = Float32Array.of(0.5, -1.0, 0.25, 2, 1, -0.6);
    const r = quantizeWeights(w, [2, 1, 1, 3], 8, 'MAX_ABS');
    expect([...r.scales]).toEqual([Math.fround(1 / 127), Math.fround(2 / 127)]);
    expect([...r.q]).toEqual([64, -127, 32, 127, 64, -38]); // 63.5 → 64 (even), 31.75 → 32, −38.1 → −38
    expect(weightQmax(4)).toBe(7);
    expect(weightQmax(16)).toBe(32767);
  });

  it('output-channel axis 1 (ConvTranspose / MatMul [K, N]) gathers the right elements', () => {
    // [K=2, N=3]: column n is channel n
    const w = Float32Array.of(1, 10, -100, -2, 5, 50);
    const r = quantizeWeights(w, [2, 3], 8, 'MAX_ABS', 1);
    expect([...r.scales]).toEqual([2, 10, 100].map((m) => Math.fround(m / 127)));
    expect([...r.q]).toEqual([64, 127, -127, -127, 64, 64]);
    const back = dequantizeWeights(r, [2, 3]);
    for (let i = 0; i < w.length; i++) expect(Math.abs(back[i]! - w[i]!)).toBeLessThanOrEqual(r.scales[[0, 1, 2, 0, 1, 2][i]!]! / 2 + 1e-7);
  });

  it('codes stay in [−(2^(b−1)−1), 2^(b−1)−1]; zero channels get scale 1', () => {
    const w = gaussian(64 * 27, 0.1, 3);
    w.fill(0, 0, 27);
    for (const bits of [4, 8, 12, 16]) {
      for (const method of ['MAX_ABS', 'ADMM'] as const) {
        const r = quantizeWeights(w, [64, 3, 3, 3], bits, method);
        const qm = 2 ** (bits - 1) - 1;
        expect(Math.max(...r.q)).toBeLessThanOrEqual(qm);
        expect(Math.min(...r.q)).toBeGreaterThanOrEqual(-qm);
        expect(r.scales[0]).toBe(1);
        expect(r.q.subarray(0, 27).every((v) => v === 0)).toBe(true);
      }
    }
    expect(() => quantizeWeights(w, [64, 3, 3, 3], 3, 'MAX_ABS')).toThrow('outside 4..16');
    expect(() => quantizeWeights(w, [64, 3, 3], 8, 'MAX_ABS')).toThrow('needs 576');
  });

  it('ADMM gives a smaller squared error than MAX_ABS, channel by channel, at low bit widths', () => {
    const w = gaussian(32 * 144, 0.05, 9);
    for (let c = 0; c < 32; c++) w[c * 144] = 0.4; // one outlier per channel
    for (const bits of [4, 6, 8]) {
      const mx = quantizeWeights(w, [32, 16, 3, 3], bits, 'MAX_ABS');
      const ad = quantizeWeights(w, [32, 16, 3, 3], bits, 'ADMM');
      const dm = dequantizeWeights(mx, [32, 16, 3, 3]);
      const da = dequantizeWeights(ad, [32, 16, 3, 3]);
      for (let c = 0; c < 32; c++) {
        const sl = (a: Float32Array) => a.subarray(c * 144, (c + 1) * 144);
        expect(sqErr(sl(w), sl(da))).toBeLessThanOrEqual(sqErr(sl(w), sl(dm)));
      }
      // measured: 4 bits 0.786, 6 bits 0.977, 8 bits 0.984 of MAX_ABS's error
      expect(sqErr(w, da)).toBeLessThan(sqErr(w, dm) * (bits === 4 ? 0.85 : 0.995));
    }
  });
});

describe('quantizeBias', () => {
  it('int32 with scale fround(s_in · s_w[c]), round half to even, saturating', () => {
    const r = quantizeBias(Float32Array.of(1, -0.375, 1e10, 0.125), 0.5, Float64Array.of(0.25, 0.25, 1e-3, 0.5));
    expect([...r.scales]).toEqual([0.125, 0.125, Math.fround(0.5e-3), 0.25]);
    expect([...r.q]).toEqual([8, -3, 2147483647, 0]); // −0.375/0.125 = −3; 0.125/0.25 = 0.5 → 0 (even)
    expect(r.saturated).toBe(1);
    expect(() => quantizeBias(Float32Array.of(1), 1, Float64Array.of(1, 2))).toThrow('bias has 1 values');
  });
});
