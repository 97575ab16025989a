import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FitAccumulator, fitInfo, fitLinear } from './fit.js';

/** Deterministic pseudo-random integers in [0, 256) (mulberry32). */
function u8s(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push(((t ^ (t >>> 14)) >>> 0) % 256);
  }
  return out;
}

describe('fitLinear', () => {
  it('recovers a known scale and zero point exactly (dyadic scale)', () => {
    const q = u8s(10_007, 1);
    const f = q.map((v) => (v - 3) * 0.5);
    const fit = fitLinear(q, f);
    expect(fit.scale).toBe(0.5);
    expect(fit.offset).toBe(-1.5);
    expect(fit.zeroPoint).toBe(3);
    expect(fit.r2).toBe(1);
    expect(fit.plausible).toBe(true);
    expect(fit.pairs).toBe(10_007);
  });
  it('recovers u8 with zero point 128 and scale 2^-7 exactly', () => {
    const q = u8s(4099, 2);
    const f = q.map((v) => (v - 128) / 128);
    const fit = fitLinear(q, f);
    expect(fit.scale).toBe(1 / 128);
    expect(fit.zeroPoint).toBe(128);
  });
  it('recovers a non-dyadic scale to rounding accuracy', () => {
    const q = u8s(5000, 3);
    const f = q.map((v) => (v - 17) * 0.023529411);
    const fit = fitLinear(q, f);
    expect(fit.scale).toBeCloseTo(0.023529411, 14);
    expect(fit.zeroPoint).toBeCloseTo(17, 9);
    expect(fit.r2).toBeCloseTo(1, 12);
  });
  it('with rounding noise (f float, q its quantization) the fit stays within a fraction of a step', () => {
    const s = 0.04;
    const zp = 20;
    const f = Array.from({ length: 20_000 }, (_, i) => ((i * 7919) % 20_000) / 20_000 * 9 - 0.8);
    const q = f.map((v) => Math.min(255, Math.max(0, Math.round(v / s) + zp)));
    const fit = fitLinear(q, f);
    expect(Math.abs(fit.scale - s) / s).toBeLessThan(1e-3);
    expect(Math.abs(fit.zeroPoint - zp)).toBeLessThan(0.05);
    expect(fit.r2).toBeGreaterThan(0.999);
  });
  it('skips non-finite pairs', () => {
    const q = [0, 1, 2, 3, 4];
    const f = [-1, NaN, 0, Infinity, 1];
    const fit = fitLinear(q, f);
    expect(fit.scale).toBe(0.5);
    expect(fit.zeroPoint).toBe(2);
    expect(fit.pairs).toBe(3);
  });
  it('degenerate inputs: constant q or < 2 pairs -> NaN, not plausible; negative slope not plausible', () => {
    for (const fit of [fitLinear([5, 5, 5], [1, 2, 3]), fitLinear([1], [2]), fitLinear([], [])]) {
      expect(fit.scale).toBeNaN();
      expect(fit.zeroPoint).toBeNaN();
      expect(fit.plausible).toBe(false);
    }
    const neg = fitLinear([0, 1, 2], [2, 1, 0]);
    expect(neg.scale).toBe(-1);
    expect(neg.plausible).toBe(false);
    const flat = fitLinear([0, 1, 2], [3, 3, 3]);
    expect(flat.scale).toBe(0);
    expect(flat.zeroPoint).toBeNaN();
    expect(flat.plausible).toBe(false);
  });
  it('fitInfo carries the parameters for the second pass', () => {
    const fit = fitLinear([0, 2], [0, 1]);
    expect(fitInfo('b', fit)).toEqual({ side: 'b', scale: 0.5, zeroPoint: 0, plausible: true, r2: 1 });
  });
});

describe('FitAccumulator', () => {
  it('gives exactly fitLinear for any chunking', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 255 }), fc.oneof(fc.double({ min: -50, max: 50 }), fc.constantFrom(NaN, Infinity))), { maxLength: 120 }),
        fc.array(fc.nat(120), { maxLength: 6 }),
        (pairs, cuts) => {
          const q = pairs.map((p) => p[0]);
          const f = pairs.map((p) => p[1]);
          const acc = new FitAccumulator();
          const bounds = [...new Set([0, ...cuts.filter((c) => c < q.length), q.length])].sort((x, y) => x - y);
          for (let k = 0; k + 1 < bounds.length; k++) {
            acc.push(Float64Array.from(q.slice(bounds[k], bounds[k + 1])), Float64Array.from(f.slice(bounds[k], bounds[k + 1])), bounds[k + 1]! - bounds[k]!);
          }
          expect(acc.result()).toEqual(fitLinear(q, f));
        },
      ),
      { numRuns: 300 },
    );
  });
});
