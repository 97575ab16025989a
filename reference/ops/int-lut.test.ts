/**
 * Lookup-table integer kernels: every code of the input is tried (exhaustive, 8/12/16 bits) and
 * the result must equal the oracle (float kernel on the dequantized input, then quantized) exactly,
 * including saturation at both ends of the output range.
 */
import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../../src/onnx/types.js';
import { featureParamsFromRange, type FeatureQParams } from '../quant/feature-params.js';
import { floatTensor, type Tensor } from '../tensor.js';
import { allCodes, diffCodes, randomFeature, runInt, type IntIn } from '../testing/run-int-op.js';

interface Case {
  op: string;
  /** Input range [lo, hi] and output range (narrower than the true output somewhere, to saturate). */
  inRange: [number, number];
  outRange: [number, number];
  attrs?: Record<string, AttrValue>;
  /** Constant inputs after the feature (or before it with `featureAt: 1`). */
  consts?: (Tensor | null)[];
  featureAt?: 0 | 1;
  opset?: number;
}

const s = (v: number): Tensor => floatTensor([], [v]);

const CASES: Case[] = [
  { op: 'Relu', inRange: [-3, 5], outRange: [0, 4] },
  { op: 'Sigmoid', inRange: [-12, 7], outRange: [0, 1] },
  { op: 'HardSigmoid', inRange: [-6, 6], outRange: [0, 1], attrs: { alpha: 0.25, beta: 0.4 } },
  { op: 'HardSwish', inRange: [-5, 8], outRange: [-0.4, 6] },
  { op: 'Exp', inRange: [-6, 3], outRange: [0, 12] },
  { op: 'Tanh', inRange: [-3, 3], outRange: [-1, 0.9] },
  { op: 'LeakyRelu', inRange: [-10, 10], outRange: [-1, 8], attrs: { alpha: 0.1 } },
  { op: 'Clip', inRange: [-2, 9], outRange: [0, 6], consts: [s(0), s(6)] },
  { op: 'Clip', inRange: [-2, 9], outRange: [-0.4, 6], attrs: { min: -0.5, max: 6.5 }, opset: 6 },
  { op: 'Abs', inRange: [-4, 2], outRange: [0, 3.5] },
  { op: 'Neg', inRange: [-4, 2], outRange: [-2, 4] },
  { op: 'Sqrt', inRange: [-1, 9], outRange: [0, 3] },
  { op: 'Add', inRange: [-4, 2], outRange: [-3, 3], consts: [s(1.37)] },
  { op: 'Sub', inRange: [-4, 2], outRange: [-3, 6], consts: [s(2.5)], featureAt: 1 },
  { op: 'Mul', inRange: [-4, 2], outRange: [-0.5, 1], consts: [s(-0.3)] },
  { op: 'Div', inRange: [-4, 2], outRange: [-1, 2], consts: [s(3)] },
  { op: 'Div', inRange: [0.5, 4], outRange: [0, 3], consts: [s(2)], featureAt: 1 },
  { op: 'Pow', inRange: [-2, 3], outRange: [0, 8], consts: [s(2)] },
  { op: 'Max', inRange: [-2, 3], outRange: [0, 3], consts: [s(0.25)] },
  { op: 'Min', inRange: [-2, 3], outRange: [-2, 2], consts: [s(1)] },
];

function inputs(c: Case, x: IntIn): IntIn[] {
  const consts = (c.consts ?? []).map((t) => (t ? { t } : null));
  return c.featureAt === 1 ? [...consts, x] : [x, ...consts];
}

describe('lookup-table kernels equal the quantized float kernel exactly (all input codes, 4/8/12/16 bits)', () => {
  for (const bits of [4, 8, 12, 16]) {
    for (const c of CASES) {
      it(`${c.op} ${JSON.stringify(c.attrs ?? {})}${c.consts ? ' with a scalar constant' : ''}, ${bits} bits`, () => {
        const pin = featureParamsFromRange(c.inRange[0], c.inRange[1], bits);
        const pout = featureParamsFromRange(c.outRange[0], c.outRange[1], bits);
        const r = runInt(c.op, inputs(c, allCodes(pin)), [pout], c.attrs, c.opset);
        expect(r.preserves).toBe(false);
        const d = diffCodes(r.int[0]!, r.oracle[0]!);
        expect(d.n).toBe(2 ** bits);
        expect(d.exact).toBe(d.n);
        const q = r.int[0]!.data;
        expect(q.includes(2 ** bits - 1) || q.includes(0)).toBe(true); // the table reaches a saturated end
      });
    }
  }

  it('zero points 0 and 255 (one-sided input ranges)', () => {
    for (const pin of [{ scale: Math.fround(0.03), zeroPoint: 0, bits: 8 }, { scale: Math.fround(0.03), zeroPoint: 255, bits: 8 }] as FeatureQParams[]) {
      for (const op of ['Sigmoid', 'HardSwish', 'LeakyRelu', 'Exp']) {
        const r = runInt(op, [allCodes(pin)], [featureParamsFromRange(-1, 2, 8)]);
        expect(diffCodes(r.int[0]!, r.oracle[0]!).exactShare).toBe(1);
      }
    }
  });

  it('tables are cached per (node, parameters): a second call with other parameters rebuilds', () => {
    const x = randomFeature([1, 4, 9, 11], featureParamsFromRange(-5, 5, 8), 4);
    const a = runInt('Sigmoid', [x], [featureParamsFromRange(0, 1, 8)]);
    const b = runInt('Sigmoid', [x], [featureParamsFromRange(0, 0.5, 8)], {}, 13, a.node);
    const a2 = runInt('Sigmoid', [x], [featureParamsFromRange(0, 1, 8)], {}, 13, a.node);
    expect(diffCodes(b.int[0]!, b.oracle[0]!).exactShare).toBe(1);
    expect(diffCodes(a2.int[0]!, a.int[0]!).exactShare).toBe(1);
    expect(diffCodes(b.int[0]!, a.int[0]!).exactShare).toBeLessThan(0.9);
  });

  it('PRelu with a per-channel slope: one table per channel, broadcast over [N,C,H,W]', () => {
    for (const bits of [8, 16]) {
      const pin = featureParamsFromRange(-3, 4, bits);
      const x = randomFeature([2, 5, 3, 7], pin, 11);
      const slope = floatTensor([5, 1, 1], [0.1, -0.2, 0.25, 1.5, 0]);
      const r = runInt('PRelu', [x, { t: slope }], [featureParamsFromRange(-2, 4, bits)]);
      expect(r.int[0]!.dims).toEqual([2, 5, 3, 7]);
      expect(diffCodes(r.int[0]!, r.oracle[0]!).exactShare).toBe(1);
    }
  });

  it('Mul / Add by a per-channel constant with broadcasting (constant first or second)', () => {
    const pin = featureParamsFromRange(-1, 3, 8);
    const x = randomFeature([1, 3, 4, 5], pin, 12);
    const c = floatTensor([3, 1, 1], [0.5, -1.25, 2]);
    for (const [op, ins] of [['Mul', [x, { t: c }]], ['Add', [{ t: c }, x]], ['Sub', [{ t: c }, x]]] as const) {
      const r = runInt(op, [...ins], [featureParamsFromRange(-4, 6, 8)]);
      expect(diffCodes(r.int[0]!, r.oracle[0]!).exactShare).toBe(1);
    }
  });
});
