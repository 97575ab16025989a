/**
 * Kernel variants beyond the shared models, each checked against onnxruntime-node on a one-node
 * model (seeded random inputs, odd sizes, non-integer resize scales). Float outputs must agree
 * to |a-b| <= 1e-5 * max(|b|, rms(b)) per element; data movement and integer outputs exactly.
 */
import { describe, expect, it } from 'vitest';
import { floatTensor, int64Tensor, makeTensor, type Tensor } from '../tensor.js';
import { runBoth } from '../testing/ort-single.js';
import type { NodeSpec } from '../testing/proto-model.js';
import { diffTensors } from '../testing/compare.js';
import { sigmoidExact } from './sigmoid.js';

let seed = 42;
function rand(dims: number[], lo = -1, hi = 1): Tensor {
  const n = dims.reduce((p, d) => p * d, 1);
  return floatTensor(
    dims,
    Float32Array.from({ length: n }, () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return lo + (seed / 2147483648) * (hi - lo);
    }),
  );
}
const f = (dims: number[], v: number[]) => floatTensor(dims, v);
const empty = floatTensor([0], []);
const x = (t: Tensor) => ({ name: 'x', tensor: t });
const c = (name: string, t: Tensor) => ({ name, tensor: t, initializer: true });

type Case = [string, NodeSpec];
const cases: Case[] = [
  ['Conv grouped, dilated, strided, asymmetric pads', { opType: 'Conv', opset: 11, attrs: { group: 2, dilations: [2, 1], strides: [2, 2], pads: [1, 0, 2, 1] }, inputs: [x(rand([1, 4, 9, 11])), c('w', rand([6, 2, 3, 3])), c('b', rand([6]))] }],
  ['Conv SAME_UPPER stride 2', { opType: 'Conv', opset: 11, attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, inputs: [x(rand([1, 3, 8, 7])), c('w', rand([5, 3, 4, 4]))] }],
  ['Conv SAME_LOWER stride 2', { opType: 'Conv', opset: 11, attrs: { auto_pad: 'SAME_LOWER', strides: [2, 2] }, inputs: [x(rand([1, 3, 8, 7])), c('w', rand([5, 3, 4, 4]))] }],
  ['Conv depthwise 5x5 (FastestDet)', { opType: 'Conv', opset: 11, attrs: { group: 8, pads: [2, 2, 2, 2], strides: [2, 2] }, inputs: [x(rand([2, 8, 11, 10])), c('w', rand([8, 1, 5, 5])), c('b', rand([8]))] }],
  ['Conv 1-D', { opType: 'Conv', opset: 11, attrs: { pads: [1, 2], strides: [2] }, inputs: [x(rand([1, 3, 12])), c('w', rand([4, 3, 3]))] }],
  ['ConvTranspose grouped, stride 2, pads, output_padding', { opType: 'ConvTranspose', opset: 11, attrs: { group: 2, strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }, inputs: [x(rand([1, 4, 5, 6])), c('w', rand([4, 3, 3, 3])), c('b', rand([6]))] }],
  ['ConvTranspose SAME_UPPER', { opType: 'ConvTranspose', opset: 11, attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] }, inputs: [x(rand([1, 2, 4, 5])), c('w', rand([2, 3, 4, 4]))] }],
  ['ConvTranspose output_shape', { opType: 'ConvTranspose', opset: 11, attrs: { strides: [3, 2], output_shape: [10, 9] }, inputs: [x(rand([1, 2, 3, 4])), c('w', rand([2, 2, 3, 3]))] }],
  ['MaxPool ceil_mode k3 s2 p1 odd size', { opType: 'MaxPool', opset: 11, attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, inputs: [x(rand([1, 2, 8, 9]))] }],
  ['MaxPool ceil_mode last-window rule', { opType: 'MaxPool', opset: 11, attrs: { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, inputs: [x(rand([1, 1, 5, 5]))] }],
  ['MaxPool dilated', { opType: 'MaxPool', opset: 12, attrs: { kernel_shape: [2, 3], dilations: [2, 2], strides: [1, 2] }, inputs: [x(rand([1, 2, 7, 9]))] }],
  ['MaxPool SAME_UPPER', { opType: 'MaxPool', opset: 11, attrs: { kernel_shape: [3, 3], strides: [2, 2], auto_pad: 'SAME_UPPER' }, inputs: [x(rand([1, 2, 6, 7]))] }],
  ['AveragePool ceil + count_include_pad', { opType: 'AveragePool', opset: 11, attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1, count_include_pad: 1 }, inputs: [x(rand([1, 2, 8, 9]))] }],
  ['AveragePool ceil, pads excluded', { opType: 'AveragePool', opset: 11, attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 }, inputs: [x(rand([1, 2, 8, 9]))] }],
  ['GlobalAveragePool', { opType: 'GlobalAveragePool', opset: 11, inputs: [x(rand([2, 3, 5, 7]))] }],
  ['BatchNormalization opset 9', { opType: 'BatchNormalization', opset: 9, attrs: { epsilon: 1e-5 }, inputs: [x(rand([1, 3, 4, 5])), c('s', rand([3])), c('b', rand([3])), c('m', rand([3])), c('v', rand([3], 0.1, 2))] }],
  ['Softmax opset 11 axis 1 (flattening)', { opType: 'Softmax', opset: 11, attrs: { axis: 1 }, inputs: [x(rand([2, 3, 4, 5], -5, 5))] }],
  ['Softmax opset 11 axis 3 (FastestDet)', { opType: 'Softmax', opset: 11, attrs: { axis: 3 }, inputs: [x(rand([1, 2, 3, 4], -5, 5))] }],
  ['Softmax opset 13 axis 1', { opType: 'Softmax', opset: 13, attrs: { axis: 1 }, inputs: [x(rand([2, 3, 4, 5], -5, 5))] }],
  ['Slice opset 13 negative steps', { opType: 'Slice', opset: 13, inputs: [x(rand([3, 7, 8])), c('s', int64Tensor([2], [-1, 6])), c('e', int64Tensor([2], [-100, 1])), c('a', int64Tensor([2], [2, -2])), c('st', int64Tensor([2], [-2, -3]))] }],
  ['Slice opset 9 attributes', { opType: 'Slice', opset: 9, attrs: { starts: [1, -3], ends: [1000, -1], axes: [0, 2] }, inputs: [x(rand([3, 7, 8]))] }],
  ['Pad reflect', { opType: 'Pad', opset: 11, attrs: { mode: 'reflect' }, inputs: [x(rand([1, 2, 4, 5])), c('p', int64Tensor([8], [0, 0, 2, 1, 0, 0, 3, 4]))] }],
  ['Pad edge', { opType: 'Pad', opset: 11, attrs: { mode: 'edge' }, inputs: [x(rand([1, 2, 4, 5])), c('p', int64Tensor([8], [0, 1, 2, 1, 0, 0, 3, 4]))] }],
  ['Pad constant value', { opType: 'Pad', opset: 11, inputs: [x(rand([1, 2, 3, 3])), c('p', int64Tensor([8], [0, 0, 1, 0, 0, 0, 0, 2])), c('v', f([], [0.5]))] }],
  ['Clip opset 10 attributes', { opType: 'Clip', opset: 10, attrs: { min: -0.2, max: 0.3 }, inputs: [x(rand([20]))] }],
  ['Clip opset 12 inputs', { opType: 'Clip', opset: 12, inputs: [x(rand([20])), c('lo', f([], [-0.2])), c('hi', f([], [0.3]))] }],
  ['HardSigmoid', { opType: 'HardSigmoid', opset: 11, attrs: { alpha: 0.3, beta: 0.4 }, inputs: [x(rand([50], -5, 5))] }],
  ['HardSwish', { opType: 'HardSwish', opset: 14, inputs: [x(rand([50], -5, 5))] }],
  ['LeakyRelu', { opType: 'LeakyRelu', opset: 11, attrs: { alpha: 0.13 }, inputs: [x(rand([50]))] }],
  ['Sigmoid', { opType: 'Sigmoid', opset: 13, inputs: [x(rand([2000], -20, 20))] }],
  ['Exp', { opType: 'Exp', opset: 13, inputs: [x(rand([50], -5, 5))] }],
  ['Sqrt', { opType: 'Sqrt', opset: 13, inputs: [x(rand([50], 0, 5))] }],
  ['Tanh', { opType: 'Tanh', opset: 13, inputs: [x(rand([50], -3, 3))] }],
  ['Pow', { opType: 'Pow', opset: 13, inputs: [x(rand([2, 5], 0.1, 3)), c('e', f([5], [0.5, 1, 2, 3, -1]))] }],
  ['Div broadcast', { opType: 'Div', opset: 13, inputs: [x(rand([2, 3, 4])), c('d', rand([3, 1], 0.5, 2))] }],
  ['Sub broadcast', { opType: 'Sub', opset: 13, inputs: [x(rand([2, 1, 4])), c('d', rand([3, 1]))] }],
  ['Gemm transA transB alpha beta', { opType: 'Gemm', opset: 11, attrs: { transA: 1, transB: 1, alpha: 0.5, beta: 2 }, inputs: [x(rand([7, 3])), c('b', rand([5, 7])), c('cc', rand([5]))] }],
  ['MatMul batched broadcast', { opType: 'MatMul', opset: 13, inputs: [x(rand([2, 1, 3, 4])), c('b', rand([3, 4, 5]))] }],
  ['Flatten axis 2', { opType: 'Flatten', opset: 13, attrs: { axis: 2 }, inputs: [x(rand([2, 3, 4, 5]))] }],
  ['Gather negative indices axis 2', { opType: 'Gather', opset: 13, attrs: { axis: 2 }, inputs: [x(rand([2, 3, 4])), c('i', int64Tensor([2, 2], [-1, 0, 2, -3]))] }],
  ['Transpose 5-D', { opType: 'Transpose', opset: 13, attrs: { perm: [0, 3, 1, 4, 2] }, inputs: [x(rand([2, 3, 4, 1, 5]))] }],
  ['Concat negative axis', { opType: 'Concat', opset: 13, attrs: { axis: -2 }, inputs: [x(rand([2, 3, 4])), c('b', rand([2, 1, 4]))] }],
  ['PRelu per-channel slope', { opType: 'PRelu', opset: 9, inputs: [x(rand([1, 3, 4, 5])), c('s', rand([3, 1, 1]))] }],
  ['Max of three with broadcasting', { opType: 'Max', opset: 13, inputs: [x(rand([2, 3])), c('b', rand([3])), c('cc', rand([2, 1]))] }],
  ['Min of two', { opType: 'Min', opset: 13, inputs: [x(rand([2, 3])), c('b', rand([3]))] }],
  ['Sum of three', { opType: 'Sum', opset: 13, inputs: [x(rand([2, 3])), c('b', rand([3])), c('cc', rand([2, 1]))] }],
  ['Neg', { opType: 'Neg', opset: 13, inputs: [x(rand([10]))] }],
  ['Abs', { opType: 'Abs', opset: 13, inputs: [x(rand([10]))] }],
  ['Cast float -> int64', { opType: 'Cast', opset: 13, outputDtype: 'int64', attrs: { to: 7 }, inputs: [x(rand([20], -9, 9))] }],
  ['Resize-10 nearest downscale', { opType: 'Resize', opset: 10, attrs: { mode: 'nearest' }, inputs: [x(rand([1, 2, 7, 9])), c('s', f([4], [1, 1, 0.6, 0.45]))] }],
  ['Resize-10 linear', { opType: 'Resize', opset: 10, attrs: { mode: 'linear' }, inputs: [x(rand([1, 2, 4, 5])), c('s', f([4], [1, 1, 2, 1.5]))] }],
  ['Upsample-7 scales attribute', { opType: 'Upsample', opset: 7, attrs: { mode: 'nearest', scales: [1, 1, 2, 3] }, inputs: [x(rand([1, 2, 3, 4]))] }],
  ['Split-11 attribute sizes, axis 1', { opType: 'Split', opset: 11, attrs: { axis: 1, split: [1, 3] }, outputs: ['y0', 'y1'], inputs: [x(rand([2, 4, 3]))] }],
  ['Split-13 sizes input', { opType: 'Split', opset: 13, attrs: { axis: -1 }, outputs: ['y0', 'y1'], inputs: [x(rand([2, 4, 5])), c('sp', int64Tensor([2], [2, 3]))] }],
  ['Unsqueeze-11 attribute', { opType: 'Unsqueeze', opset: 11, attrs: { axes: [0, 3] }, inputs: [x(rand([2, 3]))] }],
  ['Squeeze-13 axes input', { opType: 'Squeeze', opset: 13, inputs: [x(rand([1, 3, 1, 2])), c('ax', int64Tensor([1], [-2]))] }],
  ['Reshape with 0 and -1', { opType: 'Reshape', opset: 13, inputs: [x(rand([2, 3, 4])), c('s', int64Tensor([3], [0, -1, 2]))] }],
  ['Upsample-9 nearest', { opType: 'Upsample', opset: 9, attrs: { mode: 'nearest' }, inputs: [x(rand([1, 2, 3, 4])), c('s', f([4], [1, 1, 2, 3]))] }],
];
const coords = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn'];
const nearests = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
for (const coord of coords) {
  for (const nm of nearests) {
    cases.push([`Resize-11 nearest ${coord} ${nm} x1.7`, { opType: 'Resize', opset: 11, attrs: { mode: 'nearest', coordinate_transformation_mode: coord, nearest_mode: nm }, inputs: [x(rand([1, 2, 5, 6])), c('roi', empty), c('s', f([4], [1, 1, 1.7, 0.6]))] }]);
  }
  cases.push([`Resize-13 nearest ${coord} sizes`, { opType: 'Resize', opset: 13, attrs: { mode: 'nearest', coordinate_transformation_mode: coord }, inputs: [x(rand([1, 2, 5, 6])), c('sz', int64Tensor([4], [1, 2, 9, 4]))], nodeInputs: ['x', '', '', 'sz'] }]);
  if (coord !== 'tf_half_pixel_for_nn') {
    cases.push([`Resize-11 linear ${coord} x1.5/x0.75`, { opType: 'Resize', opset: 11, attrs: { mode: 'linear', coordinate_transformation_mode: coord }, inputs: [x(rand([1, 2, 4, 8])), c('roi', empty), c('s', f([4], [1, 1, 1.5, 0.75]))] }]);
  }
}

describe('kernels == onnxruntime on one-node models', () => {
  for (const [title, spec] of cases) {
    it(title, async () => {
      const { ours, theirs } = await runBoth(spec);
      expect(ours.length).toBe(theirs.length);
      ours.forEach((o, k) => {
        const t = theirs[k]!;
        expect(o.dims).toEqual(t.dims);
        expect(o.dtype).toBe(t.dtype);
        if (o.dtype === 'float32' && !['Slice', 'Pad', 'Gather', 'Transpose', 'Concat', 'Flatten', 'MaxPool', 'Clip', 'Relu', 'Split', 'Unsqueeze', 'Squeeze', 'Reshape'].includes(spec.opType) && !(spec.opType === 'Resize' && spec.attrs?.['mode'] === 'nearest') && spec.opType !== 'Upsample') {
          const d = diffTensors(o.data as Float32Array, t.data as Float32Array);
          expect(d.maxRel).toBeLessThanOrEqual(1e-5);
        } else {
          expect(Array.from(o.data as ArrayLike<number | bigint>)).toEqual(Array.from(t.data as ArrayLike<number | bigint>));
        }
      });
    });
  }
  it("Sigmoid reproduces onnxruntime's MLAS approximation bit for bit (all but rare 1-ulp cases)", async () => {
    const n = 100_000;
    const xs = Float32Array.from({ length: n }, (_v, i) => -20 + (40 * i) / n);
    const { ours, theirs } = await runBoth({ opType: 'Sigmoid', opset: 13, inputs: [{ name: 'x', tensor: floatTensor([n], xs) }] });
    const a = ours[0]!.data as Float32Array;
    const b = theirs[0]!.data as Float32Array;
    let unequal = 0;
    let maxDiff = 0;
    let maxVsExact = 0;
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i]) unequal++;
      maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
      maxVsExact = Math.max(maxVsExact, Math.abs(a[i]! - sigmoidExact(xs[i]!)));
    }
    expect(unequal).toBeLessThanOrEqual(10);
    expect(maxDiff).toBeLessThanOrEqual(2 ** -23);
    expect(maxVsExact).toBeLessThan(3e-7);
  });

  it('int64 Div/Mul on shape values', async () => {
    const { ours, theirs } = await runBoth({ opType: 'Div', opset: 13, inputs: [{ name: 'x', tensor: makeTensor('int64', [3], BigInt64Array.of(7n, -7n, 320n)) }, c('d', int64Tensor([1], [2]))] });
    expect(ours[0]!.data).toEqual(theirs[0]!.data);
  });
});
