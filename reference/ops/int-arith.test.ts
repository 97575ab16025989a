/**
 * Integer arithmetic kernels (Add/Sub/Mul/Max/Min/Sum of features, AveragePool,
 * GlobalAveragePool, BatchNormalization, Softmax, Div) against the oracle (float kernel on the
 * dequantized inputs, quantized): within 1 LSB on ≥ 99.9% of elements (fixed-point rounding vs
 * float rounding), exactly where the path is float in the middle. Exact-match shares are printed.
 */
import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../../src/onnx/types.js';
import { featureParamsFromRange, type FeatureQParams } from '../quant/feature-params.js';
import { quantizeMultiplier, requantize } from '../quant/fixed-point.js';
import { rng } from '../quant/test-random.js';
import { floatTensor, type Tensor } from '../tensor.js';
import { requantizeWide } from './int-support.js';
import { diffCodes, randomFeature, runInt, type CodeDiff, type IntIn } from '../testing/run-int-op.js';

const fp = featureParamsFromRange;
const shares: string[] = [];

function check(label: string, d: CodeDiff, minExact = 0.5): void {
  shares.push(`${label}: exact ${(100 * d.exactShare).toFixed(3)}% within 1 LSB ${(100 * d.within1Share).toFixed(3)}% of ${d.n}`);
  expect(d.n).toBeGreaterThan(0);
  expect(d.within1Share).toBeGreaterThanOrEqual(0.999);
  expect(d.maxDiff).toBeLessThanOrEqual(2);
  expect(d.exactShare).toBeGreaterThanOrEqual(minExact);
}

const PAIRS: [string, FeatureQParams, FeatureQParams, FeatureQParams][] = [
  ['8-bit', fp(-3, 5, 8), fp(-1, 2.2, 8), fp(-4, 7, 8)],
  ['8-bit zp 0 / zp 255, saturating output', { scale: Math.fround(0.02), zeroPoint: 0, bits: 8 }, { scale: Math.fround(0.015), zeroPoint: 255, bits: 8 }, fp(-1, 1, 8)],
  ['16-bit', fp(-3, 5, 16), fp(-1, 2.2, 16), fp(-4, 7, 16)],
  ['12-bit + 8-bit -> 16-bit', fp(-6, 2, 12), fp(0, 3, 8), fp(-6, 5, 16)],
];

const SHAPES: [string, number[], number[]][] = [
  ['same shape, odd sizes', [2, 16, 37, 41], [2, 16, 37, 41]],
  ['per-channel broadcast', [2, 5, 9, 7], [1, 5, 1, 1]],
  ['rank broadcast, both sides', [3, 1, 7], [2, 1, 4, 7]],
];

describe('two-feature element-wise ops', () => {
  for (const op of ['Add', 'Sub', 'Mul', 'Max', 'Min']) {
    for (const [pname, pa, pb, po] of PAIRS) {
      for (const [sname, da, db] of SHAPES) {
        it(`${op}, ${pname}, ${sname}`, () => {
          const r = runInt(op, [randomFeature(da, pa, 1), randomFeature(db, pb, 2)], [op === 'Mul' ? fp(-6, 9, po.bits) : po]);
          expect(r.int[0]!.dims).toEqual(r.oracle[0]!.dims);
          check(`${op} ${pname} ${sname}`, diffCodes(r.int[0]!, r.oracle[0]!), 0.9);
        });
      }
    }
  }

  it('Add output saturates at 0 and qmax like the oracle (8 and 16 bits)', () => {
    for (const bits of [8, 16]) {
      const r = runInt('Add', [randomFeature([4, 64], fp(-8, 8, bits), 3), randomFeature([4, 64], fp(-8, 8, bits), 4)], [fp(-1, 1, bits)]);
      const q = r.int[0]!.data;
      expect(q.includes(0) && q.includes(2 ** bits - 1)).toBe(true);
      check(`Add saturating ${bits}-bit`, diffCodes(r.int[0]!, r.oracle[0]!), 0.9);
    }
  });

  it('Sum of three features (n-input left shift) and Max of three', () => {
    const ins: IntIn[] = [randomFeature([2, 3, 5], fp(-1, 1, 8), 5), randomFeature([3, 5], fp(-2, 3, 8), 6), randomFeature([2, 1, 5], fp(0, 4, 8), 7)];
    check('Sum x3', diffCodes(...(() => { const r = runInt('Sum', ins, [fp(-3, 8, 8)]); return [r.int[0]!, r.oracle[0]!] as const; })()), 0.9);
    check('Max x3', diffCodes(...(() => { const r = runInt('Max', ins, [fp(-1, 4, 8)]); return [r.int[0]!, r.oracle[0]!] as const; })()), 0.9);
  });

  it('a large constant operand (no table: 32 channels x 2^16 codes) is quantized with its own parameters', () => {
    const r0 = rng(8);
    const c = floatTensor([32, 1, 1], Array.from({ length: 32 }, () => r0() * 4 - 1));
    const r = runInt('Add', [randomFeature([1, 32, 6, 5], fp(-2, 2, 16), 9), { t: c }], [fp(-3, 5, 16)]);
    // the constant's own 16-bit rounding (≤ 1/4 output step here) lowers the exact share
    check('Add 16-bit + quantized per-channel constant', diffCodes(r.int[0]!, r.oracle[0]!), 0.8);
  });

  it('Div / Pow / PRelu of two features: code-pair table (8+8 bits) or float in the middle (wider), equal to the oracle', () => {
    for (const bits of [8, 12]) {
      const a = randomFeature([3, 1, 11], fp(-3, 5, bits), 10);
      const b = randomFeature([4, 11], fp(0.5, 4, bits), 11);
      for (const op of ['Div', 'Pow', 'PRelu']) {
        const r = runInt(op, [a, b], [fp(-4, 6, bits)]);
        expect(r.int[0]!.dims).toEqual([3, 4, 11]);
        expect(diffCodes(r.int[0]!, r.oracle[0]!).exactShare).toBe(1);
      }
    }
  });
});

describe('Add / Mul equal the documented fixed-point formulas exactly (table path for 8+8 bits, element path otherwise)', () => {
  /** SEMANTICS.md: x_i = rq((q_i − zp_i)·2^L, s_i/S), q = clamp(rq(Σ±x_i, S/(2^L s_out)) + zp_out). */
  function addFormula(a: { q: Tensor; p: FeatureQParams }, b: { q: Tensor; p: FeatureQParams }, po: FeatureQParams, sign: number): number[] {
    const L = Math.min(20, 32 - Math.max(a.p.bits, b.p.bits) - 1);
    const S = 2 * Math.max(a.p.scale, b.p.scale);
    const ma = quantizeMultiplier(a.p.scale / S);
    const mb = quantizeMultiplier(b.p.scale / S);
    const mo = quantizeMultiplier(S / (2 ** L * po.scale));
    return Array.from(a.q.data as Uint16Array, (qa, i) => {
      const qb = (b.q.data as Uint16Array)[i]!;
      const acc = requantize((qa - a.p.zeroPoint) * 2 ** L, ma.m, ma.shift) + sign * requantize((qb - b.p.zeroPoint) * 2 ** L, mb.m, mb.shift);
      return Math.min(2 ** po.bits - 1, Math.max(0, requantize(acc, mo.m, mo.shift) + po.zeroPoint));
    });
  }
  function mulFormula(a: { q: Tensor; p: FeatureQParams }, b: { q: Tensor; p: FeatureQParams }, po: FeatureQParams): number[] {
    const mo = quantizeMultiplier((a.p.scale * b.p.scale) / po.scale);
    return Array.from(a.q.data as Uint16Array, (qa, i) => {
      const acc = (qa - a.p.zeroPoint) * ((b.q.data as Uint16Array)[i]! - b.p.zeroPoint);
      return Math.min(2 ** po.bits - 1, Math.max(0, requantizeWide(acc, mo.m, mo.shift) + po.zeroPoint));
    });
  }
  for (const [name, pa, pb, po] of [['8+8 bits', fp(-3, 5, 8), fp(-1, 2.2, 8), fp(-4, 7, 8)], ['16+16 bits', fp(-3, 5, 16), fp(-1, 2.2, 16), fp(-4, 7, 16)], ['12+8 bits', fp(-6, 2, 12), fp(0, 3, 8), fp(-6, 5, 12)]] as const) {
    it(name, () => {
      const a = randomFeature([5, 7, 11], pa, 21);
      const b = randomFeature([5, 7, 11], pb, 22);
      expect(Array.from(runInt('Add', [a, b], [po]).int[0]!.data)).toEqual(addFormula(a, b, po, 1));
      expect(Array.from(runInt('Sub', [a, b], [po]).int[0]!.data)).toEqual(addFormula(a, b, po, -1));
      expect(Array.from(runInt('Mul', [a, b], [po]).int[0]!.data)).toEqual(mulFormula(a, b, po));
    });
  }
});

describe('pooling, BatchNormalization, Softmax', () => {
  const pools: [string, number[], Record<string, AttrValue>][] = [
    ['3x3 s1 p1', [1, 4, 11, 9], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
    ['3x3 s1 p1 count_include_pad', [1, 4, 11, 9], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }],
    ['3x3 s2 ceil', [2, 3, 10, 7], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }],
    ['2x2 s2', [1, 5, 8, 8], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['1-D 5 s3 p2', [1, 3, 29], { kernel_shape: [5], strides: [3], pads: [2, 2], count_include_pad: 1 }],
  ];
  for (const bits of [8, 16]) {
    for (const [name, dims, attrs] of pools) {
      it(`AveragePool ${name}, ${bits} bits`, () => {
        const r = runInt('AveragePool', [randomFeature(dims, fp(-2, 6, bits), 12)], [fp(-1, 4, bits)], attrs);
        check(`AveragePool ${name} ${bits}-bit`, diffCodes(r.int[0]!, r.oracle[0]!), 0.9);
      });
    }
    it(`GlobalAveragePool, ${bits} bits (same and other output parameters)`, () => {
      const pin = fp(-2, 6, bits);
      for (const po of [pin, fp(-0.5, 3, bits)]) {
        const r = runInt('GlobalAveragePool', [randomFeature([2, 64, 13, 11], pin, 13)], [po]);
        check(`GlobalAveragePool ${bits}-bit`, diffCodes(r.int[0]!, r.oracle[0]!), 0.9);
      }
    });
    it(`BatchNormalization (negative and zero scales), ${bits} bits`, () => {
      const c = 6;
      const t = (v: number[]): IntIn => ({ t: floatTensor([c], v) });
      const ins: IntIn[] = [randomFeature([2, c, 7, 9], fp(-3, 3, bits), 14), t([1.5, -0.7, 0, 2.2, 0.01, -3]), t([0.1, -0.4, 0.3, 1, -2, 0]), t([0.2, -0.1, 0, 0.5, 0, 1]), t([1, 0.5, 2, 4, 0.25, 9])];
      const r = runInt('BatchNormalization', ins, [fp(-6, 6, bits)]);
      check(`BatchNormalization ${bits}-bit`, diffCodes(r.int[0]!, r.oracle[0]!), 0.9);
    });
    it(`Softmax (exp table, integer sum, fixed-point reciprocal), ${bits} bits, opset 13 axis and opset 11 2-D coercion`, () => {
      const r = runInt('Softmax', [randomFeature([3, 85, 7], fp(-8, 8, bits), 15)], [fp(0, 1, bits)], { axis: 1 });
      check(`Softmax axis 1 ${bits}-bit`, diffCodes(r.int[0]!, r.oracle[0]!), 0.9);
      const r11 = runInt('Softmax', [randomFeature([2, 40, 1, 3], fp(-3, 5, bits), 16)], [fp(0, 0.6, bits)], { axis: 2 }, 11);
      check(`Softmax opset 11 axis 2 ${bits}-bit (saturating)`, diffCodes(r11.int[0]!, r11.oracle[0]!), 0.9);
      const q = r11.int[0]!.data;
      expect(q.includes(2 ** bits - 1)).toBe(true);
    });
  }

  it('prints the exact-match shares', () => {
    console.log(shares.join('\n'));
    expect(shares.length).toBeGreaterThan(60);
  });
});

describe('requantizeWide is exact beyond int32 accumulators (Mul of 16-bit offsets, 16-bit global pools)', () => {
  it('matches a BigInt oracle for |acc| up to 2^36 and multipliers down to 2^-40', () => {
    const r = rng(99);
    for (let i = 0; i < 20000; i++) {
      const acc = Math.floor((r() * 2 - 1) * 2 ** (31 + Math.floor(r() * 6)));
      const { m, shift } = quantizeMultiplier(r() * 2 ** (Math.floor(r() * 40) - 30));
      const d = 2n ** BigInt(31 + shift);
      const p = BigInt(acc) * BigInt(m);
      const mag = ((p < 0n ? -p : p) + d / 2n) / d;
      let want = Number(p < 0n ? -mag : mag);
      want = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, want));
      expect(requantizeWide(acc, m, shift)).toBe(want);
      if (Math.abs(acc) <= 2 ** 31) expect(requantize(acc, m, shift)).toBe(want);
    }
  });
});

export type { Tensor };
