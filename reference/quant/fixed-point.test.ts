import { describe, expect, it } from 'vitest';
import { multiplierValue, quantizeMultiplier, requantize, requantizeInto } from './fixed-point.js';
import { clamp, roundClamp, roundHalfEven } from './rounding.js';

/** Oracle: acc·m / 2^(31+shift), round half away from zero, saturate — in BigInt. */
function oracle(acc: number, m: number, shift: number): number {
  const r = BigInt(31 + shift);
  const p = BigInt(acc) * BigInt(m);
  const mag = p < 0n ? -p : p;
  let q = r === 0n ? mag : (mag + (1n << (r - 1n))) >> r;
  if (p < 0n) q = -q;
  if (q > 2147483647n) return 2147483647;
  if (q < -2147483648n) return -2147483648;
  return Number(q);
}

/** Deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('roundHalfEven', () => {
  it('ties go to the even neighbour, like ONNX QuantizeLinear', () => {
    const cases: [number, number][] = [
      [0.5, 0], [1.5, 2], [2.5, 2], [3.5, 4], [-0.5, 0], [-1.5, -2], [-2.5, -2], [2.4999999999999996, 2],
      [2.5000000000000004, 3], [-2.5000000000000004, -3], [1e20, 1e20], [4503599627370495.5, 4503599627370496], [0.49999999999999994, 0],
    ];
    for (const [x, want] of cases) expect(roundHalfEven(x)).toBe(want);
    expect(clamp(5, 0, 3)).toBe(3);
    expect(roundClamp(NaN, 0, 255)).toBe(0);
    expect(roundClamp(255.5, 0, 255)).toBe(255);
    expect(roundClamp(-0.5, 0, 255)).toBe(0);
  });
});

describe('quantizeMultiplier', () => {
  it('m in [2^30, 2^31) and the value round-trips within 2^-31 relative', () => {
    const r = rng(1);
    let worst = 0;
    for (let i = 0; i < 20000; i++) {
      const real = Math.pow(2, r() * 60 - 40) * (0.5 + r());
      const qm = quantizeMultiplier(real);
      expect(qm.m).toBeGreaterThanOrEqual(2 ** 30);
      expect(qm.m).toBeLessThan(2 ** 31);
      expect(Number.isInteger(qm.m)).toBe(true);
      worst = Math.max(worst, Math.abs(multiplierValue(qm) - real) / real);
    }
    expect(worst).toBeLessThanOrEqual(2 ** -31);
    expect(quantizeMultiplier(0.5)).toEqual({ m: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ m: 2 ** 30, shift: -1 });
    expect(quantizeMultiplier(0.75)).toEqual({ m: 3 * 2 ** 29, shift: 0 });
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ m: 2 ** 30, shift: -1 }); // m rounds up to 2^31 → renormalised
    expect(quantizeMultiplier(0)).toEqual({ m: 0, shift: 0 });
    expect(() => quantizeMultiplier(-1)).toThrow(RangeError);
    expect(() => quantizeMultiplier(2 ** 31)).toThrow(RangeError);
  });
});

describe('requantize', () => {
  it('equals the BigInt oracle on 100k random (acc, multiplier) pairs incl. negative and extreme values', () => {
    const r = rng(42);
    const extremesAcc = [0, 1, -1, 2147483647, -2147483648, -2147483647, 1073741824, -1073741824, 65535, -65536];
    const extremesM = [2 ** 30, 2 ** 31 - 1, 2 ** 30 + 1, 1518500250];
    const extremesShift = [-31, -1, 0, 1, 7, 20, 31, 32, 33, 40, 62, 63];
    let n = 0;
    for (const acc of extremesAcc)
      for (const m of extremesM)
        for (const shift of extremesShift) {
          expect(requantize(acc, m, shift)).toBe(oracle(acc, m, shift));
          n++;
        }
    for (let i = 0; i < 100000; i++) {
      const kind = i % 4;
      const acc =
        kind === 0 ? Math.floor(r() * 4294967296) - 2147483648 : kind === 1 ? Math.floor(r() * 2001) - 1000 : Math.floor((r() - 0.5) * Math.pow(2, 1 + r() * 31));
      const m = 1073741824 + Math.floor(r() * 1073741824);
      const shift = kind === 3 ? Math.floor(r() * 95) - 31 : Math.floor(r() * 24) - 2;
      const got = requantize(acc, m, shift);
      const want = oracle(acc, m, shift);
      if (got !== want) throw new Error(`requantize(${acc}, ${m}, ${shift}) = ${got}, oracle ${want}`);
      n++;
    }
    expect(n).toBeGreaterThan(100000);
  });
  it('ties round away from zero', () => {
    // m = 2^30, shift = 0: acc·2^30 / 2^31 = acc/2.
    expect([3, 5, -3, -5, 1, -1].map((a) => requantize(a, 2 ** 30, 0))).toEqual([2, 3, -2, -3, 1, -1]);
    // exact-tie in the split (large product) path: acc = 2^31-1 odd, m = 2^30, shift 0 → (2^31-1)/2
    expect(requantize(2147483647, 2 ** 30, 0)).toBe(1073741824);
    expect(requantize(-2147483647, 2 ** 30, 0)).toBe(-1073741824);
  });
  it('saturates to int32 for multipliers ≥ 1', () => {
    const qm = quantizeMultiplier(4);
    expect(requantize(2147483647, qm.m, qm.shift)).toBe(2147483647);
    expect(requantize(-2147483648, qm.m, qm.shift)).toBe(-2147483648);
    expect(requantize(1000, qm.m, qm.shift)).toBe(4000);
  });
  it('requantizeInto adds the zero point and clamps', () => {
    const out = new Uint8Array(4);
    requantizeInto(Int32Array.from([-1000, 0, 101, 100000]), quantizeMultiplier(0.5), 10, 0, 255, out);
    expect([...out]).toEqual([0, 10, 61, 255]);
  });
});
