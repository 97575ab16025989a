/**
 * Integer data-movement kernels against their oracle (float kernel on the dequantized input,
 * quantized with the output parameters): bit-exact when the output has the input's parameters
 * (what `preservesScale` asks the driver for), within 1 LSB when the driver gives other ones.
 */
import { describe, expect, it } from 'vitest';
import type { AttrValue } from '../../src/onnx/types.js';
import { featureParamsFromRange, type FeatureQParams } from '../quant/feature-params.js';
import { floatTensor, int64Tensor, type Tensor } from '../tensor.js';
import { diffCodes, randomFeature, runInt, type IntIn } from '../testing/run-int-op.js';

const P8: FeatureQParams = { scale: 0.05, zeroPoint: 37, bits: 8 };
const P8_ZP0: FeatureQParams = { scale: Math.fround(0.0123), zeroPoint: 0, bits: 8 };
const P8_ZP255: FeatureQParams = { scale: Math.fround(0.02), zeroPoint: 255, bits: 8 };
const P12 = featureParamsFromRange(-2.5, 7.25, 12);
const P16 = featureParamsFromRange(-3, 9, 16);
const OTHER8: FeatureQParams = { scale: Math.fround(0.0371), zeroPoint: 91, bits: 8 };
const OTHER16 = featureParamsFromRange(-5, 4, 16);

interface Case {
  op: string;
  dims: number[];
  extra?: (Tensor | null)[];
  attrs?: Record<string, AttrValue>;
  opset?: number;
  outputs?: number;
}

const CASES: Case[] = [
  { op: 'Reshape', dims: [1, 3, 5, 7], extra: [int64Tensor([2], [3, -1])] },
  { op: 'Transpose', dims: [1, 3, 5, 7], attrs: { perm: [0, 2, 3, 1] } },
  { op: 'Slice', dims: [1, 3, 6, 7], extra: [int64Tensor([1], [1]), int64Tensor([1], [99]), int64Tensor([1], [3]), int64Tensor([1], [2])] },
  { op: 'Gather', dims: [1, 5, 3, 3], extra: [int64Tensor([3], [4, 0, -1])], attrs: { axis: 1 } },
  { op: 'Split', dims: [1, 6, 3, 5], extra: [int64Tensor([2], [2, 4])], attrs: { axis: 1 }, outputs: 2 },
  { op: 'Squeeze', dims: [1, 3, 1, 5], extra: [int64Tensor([1], [2])] },
  { op: 'Unsqueeze', dims: [3, 5], extra: [int64Tensor([2], [0, 3])] },
  { op: 'Flatten', dims: [1, 3, 5, 7], attrs: { axis: 2 } },
  { op: 'Identity', dims: [2, 9] },
  { op: 'Pad', dims: [1, 2, 5, 7], extra: [int64Tensor([8], [0, 0, 1, 2, 0, 0, 2, 1])] },
  { op: 'Pad', dims: [1, 2, 5, 7], extra: [int64Tensor([8], [0, 0, 1, 2, 0, 0, 2, 1]), floatTensor([], [1.5])] },
  { op: 'Pad', dims: [1, 2, 5, 7], extra: [int64Tensor([8], [0, 0, 2, 2, 0, 0, 2, 2])], attrs: { mode: 'reflect' } },
  { op: 'Pad', dims: [1, 2, 5, 7], attrs: { pads: [0, 0, 1, 1, 0, 0, 1, 1], value: 0 }, opset: 2 },
  { op: 'MaxPool', dims: [1, 3, 9, 11], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
  { op: 'MaxPool', dims: [1, 2, 13, 13], attrs: { kernel_shape: [5, 5], strides: [1, 1], pads: [2, 2, 2, 2] } },
  { op: 'GlobalMaxPool', dims: [2, 3, 5, 7] },
  { op: 'Resize', dims: [1, 2, 5, 7], extra: [null, floatTensor([4], [1, 1, 2, 2])], attrs: { mode: 'nearest' } },
  { op: 'Resize', dims: [1, 2, 6, 6], extra: [null, null, int64Tensor([4], [1, 2, 4, 9])], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } },
  { op: 'Upsample', dims: [1, 2, 3, 4], extra: [floatTensor([4], [1, 1, 2, 2])], opset: 9 },
];

function inputsOf(c: Case, p: FeatureQParams, seed: number): IntIn[] {
  return [randomFeature(c.dims, p, seed), ...(c.extra ?? []).map((t) => (t ? { t } : null))];
}

describe('data movement on integers', () => {
  for (const [pname, p, other] of [['uint8 zp 37', P8, OTHER8], ['4-bit', featureParamsFromRange(-1, 2, 4), OTHER8], ['uint8 zp 0', P8_ZP0, OTHER8], ['uint8 zp 255', P8_ZP255, OTHER8], ['12-bit', P12, OTHER16], ['uint16', P16, OTHER16]] as const) {
    describe(pname, () => {
      CASES.forEach((c, i) => {
        const label = `${c.op} #${i} ${JSON.stringify(c.attrs ?? {})}`;
        it(`${label}: same parameters -> codes moved bit-exactly, preservesScale`, () => {
          const outs = c.outputs ?? 1;
          const r = runInt(c.op, inputsOf(c, p, 100 + i), Array.from({ length: outs }, () => p), c.attrs, c.opset);
          expect(r.preserves).toBe(true);
          expect(r.int).toHaveLength(outs);
          for (let k = 0; k < outs; k++) {
            expect(r.int[k]!.dtype).toBe(p.bits <= 8 ? 'uint8' : 'uint16');
            const d = diffCodes(r.int[k]!, r.oracle[k]!);
            expect(d.exact).toBe(d.n);
            expect(d.n).toBeGreaterThan(0);
          }
        });
        it(`${label}: other output parameters -> requantized within 1 LSB`, () => {
          const outs = c.outputs ?? 1;
          const r = runInt(c.op, inputsOf(c, p, 200 + i), Array.from({ length: outs }, () => other), c.attrs, c.opset);
          for (let k = 0; k < outs; k++) {
            const d = diffCodes(r.int[k]!, r.oracle[k]!);
            expect(d.maxDiff).toBeLessThanOrEqual(1);
            expect(d.exactShare).toBeGreaterThan(0.9);
          }
        });
      });
    });
  }

  it('Pad with the default constant pads with the zero point (real 0)', () => {
    const x = randomFeature([1, 1, 2, 2], P8, 3);
    const r = runInt('Pad', [x, { t: int64Tensor([8], [0, 0, 1, 0, 0, 0, 0, 0]) }], [P8]);
    expect(Array.from(r.int[0]!.data.subarray(0, 2) as Uint8Array)).toEqual([37, 37]);
  });

  it('Resize linear is not data movement: float in the middle, equal to the oracle', () => {
    const c: Case = { op: 'Resize', dims: [1, 2, 5, 7], extra: [null, floatTensor([4], [1, 1, 2, 2])], attrs: { mode: 'linear' } };
    const r = runInt(c.op, inputsOf(c, P8, 9), [OTHER8], c.attrs);
    expect(r.preserves).toBe(false);
    expect(diffCodes(r.int[0]!, r.oracle[0]!).exactShare).toBe(1);
  });

  it('Concat of equal scales moves codes; of different scales requantizes each input (within 1 LSB)', () => {
    const a = randomFeature([1, 3, 4, 5], P8, 1);
    const b = randomFeature([1, 2, 4, 5], P8, 2);
    const same = runInt('Concat', [a, b], [P8], { axis: 1 });
    expect(same.preserves).toBe(false);
    expect(diffCodes(same.int[0]!, same.oracle[0]!).exactShare).toBe(1);
    expect(Array.from(same.int[0]!.data.subarray(0, 60))).toEqual(Array.from(a.q.data));
    for (const [pa, pb, po] of [[P8, OTHER8, P8_ZP0], [P16, OTHER16, P12], [P8_ZP255, P8_ZP0, OTHER8]] as const) {
      const r = runInt('Concat', [randomFeature([1, 3, 7, 9], pa, 5), randomFeature([1, 4, 7, 9], pb, 6), { t: floatTensor([1, 1, 7, 9], Array.from({ length: 63 }, (_v, i) => i / 20 - 1)) }], [po], { axis: 1 });
      const d = diffCodes(r.int[0]!, r.oracle[0]!);
      expect(d.maxDiff).toBeLessThanOrEqual(1);
      expect(d.within1Share).toBe(1);
      expect(d.exactShare).toBeGreaterThan(0.95);
    }
  });

  it('a kernel called with a constant input 0 and a quantized output runs float in the middle (equal to the oracle)', () => {
    const c = floatTensor([1, 2, 5, 6], Array.from({ length: 60 }, (_v, i) => Math.sin(i) * 3));
    for (const [op, attrs] of [['Relu', {}], ['Sigmoid', {}], ['AveragePool', { kernel_shape: [3, 3] }], ['MaxPool', { kernel_shape: [2, 2] }], ['GlobalAveragePool', {}], ['Softmax', { axis: 1 }], ['Transpose', { perm: [0, 2, 3, 1] }]] as const) {
      const r = runInt(op, [{ t: c }], [featureParamsFromRange(-3, 3, 8)], attrs);
      expect(r.int[0]!.dtype).toBe('uint8');
      expect(diffCodes(r.int[0]!, r.oracle[0]!).exactShare).toBe(1);
    }
  });
});
