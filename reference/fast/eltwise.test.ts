/**
 * Element-wise fast kernels against the plain-TS oracle, bit for bit: the float32 quantizer on
 * random, boundary (x.5 ties, clamping, ±Inf, NaN, −0, huge) values at 8 and 16 bits and many scales
 * (also inside a run, the codes then kept in the engine's memory);
 * 256- and 65536-entry table lookups on random codes of odd lengths; 1 and 2 threads.
 */
import { describe, expect, it } from 'vitest';
import { useEngines } from './test-engines.js';
import { lutFast, pairLutFast, quantizeFast } from './eltwise.js';
import { quantizeTensor } from '../quant/quantize-tensor.js';
import { rng, firstDiff } from '../quant/test-random.js';

const engines = useEngines();

describe('quantizeFast', () => {
  it('equals quantizeTensor on random and boundary values (8 and 16 bits, 1 and 2 threads)', () => {
    const r = rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const bits = trial % 3 === 2 ? 16 : trial % 3 === 1 ? 4 : 8;
      // odd trials: float32 scales (the single float32 division path), even: float64 scales
      const s64 = trial === 0 ? 1 : trial === 2 ? 1 / 3 : Math.exp((r() - 0.5) * 12);
      const scale = trial % 2 === 1 ? Math.fround(s64) : s64;
      const zeroPoint = Math.floor(r() * 2 ** bits);
      const p = { scale, zeroPoint, bits };
      // every fourth: several chunks on 2 threads too (the copy of one overlaps the quantization of the last)
      const n = (trial % 4 === 3 ? 300000 : 70000) + Math.floor(r() * 37);
      const x = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const k = r();
        if (k < 0.3) x[i] = (r() - 0.5) * scale * 2 ** (bits + 1);
        else if (k < 0.6) x[i] = (Math.floor((r() - 0.5) * 2 ** (bits + 1)) + 0.5) * scale; // ties after the division
        else if (k < 0.7) x[i] = (r() - 0.5) * 1e30;
        else if (k < 0.8) x[i] = [NaN, Infinity, -Infinity, -0, 0, 3.4e38, -3.4e38, 1e-40][Math.floor(r() * 8)]!;
        else x[i] = Math.round((r() - 0.5) * 600) / 2;
      }
      const want = quantizeTensor(x, p);
      for (const e of engines) {
        const got = quantizeFast(e, x, p);
        expect(got.constructor).toBe(want.constructor);
        expect(firstDiff(got, want), `trial ${trial} scale ${scale} zp ${zeroPoint} bits ${bits}`).toBe(-1);
        expect(e.addressOf(got), 'a copy outside a run').toBeNull();
        if (trial % 4 === 0) {
          // in a run the codes stay in the engine's memory
          e.beginRun();
          try {
            const kept = quantizeFast(e, x, p);
            expect(e.addressOf(kept)).not.toBeNull();
            expect(firstDiff(kept, want), `trial ${trial} in a run`).toBe(-1);
          } finally {
            e.endRun();
          }
        }
      }
    }
  });
  it('covers the exact half-way ties of a scale of 1 (round half to even)', () => {
    const x = new Float32Array(600);
    for (let i = 0; i < x.length; i++) x[i] = (i - 300) / 2;
    const p = { scale: 1, zeroPoint: 128, bits: 8 };
    const got = quantizeFast(engines[0]!, x, p);
    expect(Array.from(got.subarray(300, 306))).toEqual([128, 128, 129, 130, 130, 130]); // 0, .5, 1, 1.5, 2, 2.5
    expect(firstDiff(got, quantizeTensor(x, p))).toBe(-1);
  });
});

describe('table lookups', () => {
  it('lutFast equals table[q] and pairLutFast equals table[(a << 8) | b] (odd lengths)', () => {
    const r = rng(5);
    const t1 = new Uint8Array(256).map(() => Math.floor(r() * 256));
    const t2 = new Uint8Array(65536).map(() => Math.floor(r() * 256));
    for (const n of [1, 3, 17, 1000, 65537, 200003]) {
      const a = new Uint8Array(n).map(() => Math.floor(r() * 256));
      const b = new Uint8Array(n).map(() => Math.floor(r() * 256));
      for (const e of engines) {
        expect(firstDiff(lutFast(e, a, t1), a.map((v) => t1[v]!))).toBe(-1);
        const want = new Uint8Array(n);
        for (let i = 0; i < n; i++) want[i] = t2[(a[i]! << 8) | b[i]!]!;
        expect(firstDiff(pairLutFast(e, a, b, t2), want)).toBe(-1);
      }
    }
  });
});
