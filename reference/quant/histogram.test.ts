import { describe, expect, it } from 'vitest';
import { TensorHistogram } from './histogram.js';
import { gaussian } from './test-random.js';

describe('TensorHistogram', () => {
  it('counts every finite value once, tracks min/max and non-finite values', () => {
    const h = new TensorHistogram();
    h.add(Float32Array.of(0, 1, -1, 0.5, NaN, Infinity, 2));
    expect(h.count).toBe(5);
    expect(h.nonFinite).toBe(2);
    expect([h.min, h.max, h.range]).toEqual([-1, 2, 2]);
    const sum = (a: Float64Array) => a.reduce((x, y) => x + y, 0);
    expect(sum(h.pos) + sum(h.neg)).toBe(5);
    expect(h.pos[h.bins - 1]).toBe(1); // x = range goes into the last bin
    expect(h.neg[1024]).toBe(1); // |−1| / (2/2048) = 1024
  });

  it('grows by powers of two and re-bins exactly (same counts as one pass over the final range)', () => {
    const a = gaussian(20000, 1, 1);
    const b = gaussian(20000, 5, 2); // wider: forces growth
    const c = gaussian(20000, 0.5, 3);
    const h = new TensorHistogram();
    h.add(a);
    const r0 = h.range;
    h.add(b);
    h.add(c);
    const f = h.range / r0;
    expect(Math.log2(f) % 1).toBe(0);
    expect(f).toBeGreaterThan(1);
    // Reference: one histogram over the same final range built directly.
    const ref = new TensorHistogram();
    ref.add(Float32Array.of(h.range)); // set the range
    ref.pos[ref.bins - 1]!--;
    ref.count--;
    for (const x of [a, b, c]) ref.add(x);
    let diff = 0;
    for (let k = 0; k < h.bins; k++) diff += Math.abs(h.pos[k]! - ref.pos[k]!) + Math.abs(h.neg[k]! - ref.neg[k]!);
    // Bin edges are identical up to floating rounding of k·w: allow a handful of edge values.
    expect(diff).toBeLessThanOrEqual(10);
    expect(h.count).toBe(60000);
    expect(h.min).toBe(Math.min(...a, ...b, ...c));
  });

  it('a first batch of zeros keeps them in bin 0 when the range is set later; exact zeros (±0) are counted apart too', () => {
    const h = new TensorHistogram();
    h.add(new Float32Array(10));
    expect(h.range).toBe(0);
    h.add(Float32Array.of(4, -0, 1e-30, -1e-30));
    expect(h.zeros).toBe(11);
    expect(h.pos[0]).toBe(12);
    expect(h.neg[0]).toBe(1);
    expect(h.pos[h.bins - 1]).toBe(1);
  });
});
