import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { featureParamsFromRange, representableRange } from './feature-params.js';
import { dequantizeTensor, quantizeTensor, quantizeValue } from './quantize-tensor.js';

describe('quantizeTensor (property)', () => {
  it('matches quantizeValue; in-range values round-trip within half a step; out-of-range values clamp', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1000, max: 0, noNaN: true }),
        fc.double({ min: 0, max: 1000, noNaN: true }),
        fc.integer({ min: 4, max: 16 }),
        fc.array(fc.float({ min: -2000, max: 2000, noNaN: true }), { minLength: 1, maxLength: 50 }),
        (lo, hi, bits, xs) => {
          const p = featureParamsFromRange(lo, hi, bits);
          const x = Float32Array.from(xs);
          const q = quantizeTensor(x, p);
          const y = dequantizeTensor(q, p);
          const r = representableRange(p);
          const qmax = 2 ** bits - 1;
          for (let i = 0; i < x.length; i++) {
            expect(q[i]).toBe(quantizeValue(x[i]!, p));
            expect(q[i]).toBeGreaterThanOrEqual(0);
            expect(q[i]).toBeLessThanOrEqual(qmax);
            if (x[i]! >= r.min && x[i]! <= r.max) expect(Math.abs(y[i]! - x[i]!)).toBeLessThanOrEqual(p.scale * 0.5 * (1 + 2 ** -20) + Math.abs(x[i]!) * 2 ** -22);
            else if (x[i]! > r.max) expect(q[i]).toBe(qmax);
            else expect(q[i]).toBe(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
