import { describe, expect, it } from 'vitest';
import { floatTensor, int64Tensor, makeTensor } from '../tensor.js';
import { run1 } from '../testing/run-op.js';

const close = (a: number[], b: number[]) => {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 6));
};

describe('Softmax', () => {
  const x = floatTensor([1, 2, 2], [1, 2, 3, 4]);
  const e = [1, 2, 3, 4].map(Math.exp);
  it('opset < 13 flattens from the axis: axis 1 normalizes all 4 values together', () => {
    const s = e.reduce((p, v) => p + v, 0);
    close(run1('Softmax', [x], { axis: 1 }, 11).values, e.map((v) => v / s));
  });
  it('opset >= 13 normalizes along the axis alone', () => {
    const col = (a: number, b: number) => [a / (a + b), b / (a + b)];
    const [c0a, c0b] = col(e[0]!, e[2]!);
    const [c1a, c1b] = col(e[1]!, e[3]!);
    close(run1('Softmax', [x], { axis: 1 }, 13).values, [c0a!, c1a!, c0b!, c1b!]);
  });
  it('default axes: 1 before 13, -1 from 13', () => {
    const last = run1('Softmax', [x], {}, 13).values;
    close(last.slice(0, 2), [e[0]! / (e[0]! + e[1]!), e[1]! / (e[0]! + e[1]!)]);
    expect(run1('Softmax', [x], {}, 11).values).toEqual(run1('Softmax', [x], { axis: 1 }, 11).values);
  });
  it('is stable for large inputs', () => {
    close(run1('Softmax', [floatTensor([2], [1000, 1000])], { axis: 0 }, 13).values, [0.5, 0.5]);
  });
});

describe('element-wise', () => {
  it('broadcasting Add/Mul/Sub/Div over [2,3] and [3] and [2,1]', () => {
    const a = floatTensor([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(run1('Add', [a, floatTensor([3], [10, 20, 30])]).values).toEqual([11, 22, 33, 14, 25, 36]);
    expect(run1('Mul', [a, floatTensor([2, 1], [2, 3])]).values).toEqual([2, 4, 6, 12, 15, 18]);
    expect(run1('Sub', [floatTensor([], [1]), a]).values).toEqual([0, -1, -2, -3, -4, -5]);
    expect(run1('Div', [a, floatTensor([1], [2])]).values).toEqual([0.5, 1, 1.5, 2, 2.5, 3]);
    expect(() => run1('Add', [a, floatTensor([2], [1, 2])])).toThrow(/\[2,3\] and \[2\] do not broadcast/);
  });
  it('int64 arithmetic (shape sub-graphs) and integer Div truncation', () => {
    expect(run1('Mul', [int64Tensor([2], [3, -4]), int64Tensor([1], [2])]).values).toEqual([6, -8]);
    expect(run1('Div', [int64Tensor([2], [7, -7]), int64Tensor([1], [2])]).values).toEqual([3, -3]);
    expect(run1('Div', [makeTensor('int32', [2], Int32Array.of(7, -7)), makeTensor('int32', [1], Int32Array.of(2))]).values).toEqual([3, -3]);
  });
  it('activations', () => {
    const x = floatTensor([5], [-3, -1, 0, 1, 3]);
    expect(run1('Relu', [x]).values).toEqual([0, 0, 0, 1, 3]);
    close(run1('Sigmoid', [x]).values, [-3, -1, 0, 1, 3].map((v) => 1 / (1 + Math.exp(-v))));
    expect(run1('Sigmoid', [floatTensor([3], [-100, 0, 100])]).values).toEqual([0, 0.5, 1]);
    close(run1('HardSigmoid', [x]).values, [0, 0.3, 0.5, 0.7, 1]);
    close(run1('HardSwish', [x], {}, 14).values, [-0, -1 / 3, 0, 2 / 3, 3]);
    close(run1('LeakyRelu', [x], { alpha: 0.1 }).values, [-0.3, -0.1, 0, 1, 3]);
    close(run1('Exp', [x]).values, [-3, -1, 0, 1, 3].map(Math.exp));
  });
  it('Clip: attributes before opset 11, optional inputs from 11', () => {
    const x = floatTensor([4], [-2, 0, 5, 7]);
    expect(run1('Clip', [x], { min: 0, max: 6 }, 6).values).toEqual([0, 0, 5, 6]);
    expect(run1('Clip', [x, floatTensor([], [0]), floatTensor([], [6])], {}, 13).values).toEqual([0, 0, 5, 6]);
    expect(run1('Clip', [x, null, floatTensor([], [1])], {}, 13).values).toEqual([-2, 0, 1, 1]);
  });
  it('BatchNormalization (inference)', () => {
    const x = floatTensor([1, 2, 1, 2], [1, 2, 3, 4]);
    const r = run1('BatchNormalization', [x, floatTensor([2], [2, 1]), floatTensor([2], [1, 0]), floatTensor([2], [1, 3]), floatTensor([2], [4, 1])], { epsilon: 0 });
    close(r.values, [1, 2, 0, 1]);
  });
  it('Gemm with transB and a broadcast C; MatMul with 1-D and batched operands', () => {
    const a = floatTensor([2, 3], [1, 2, 3, 4, 5, 6]);
    const b = floatTensor([2, 3], [1, 0, 0, 0, 1, 1]); // used transposed: [3,2]
    expect(run1('Gemm', [a, b, floatTensor([2], [10, 20])], { transB: 1, alpha: 2, beta: 1 }).values).toEqual([12, 30, 18, 42]);
    expect(run1('MatMul', [a, floatTensor([3], [1, 1, 1])])).toEqual({ dims: [2], values: [6, 15] });
    const batched = run1('MatMul', [floatTensor([2, 1, 2], [1, 2, 3, 4]), floatTensor([2, 1], [1, 10])]);
    expect(batched).toEqual({ dims: [2, 1, 1], values: [21, 43] });
  });
  it('Cast float -> int64 truncates; int64 -> float', () => {
    const r = run1('Cast', [floatTensor([3], [1.7, -1.7, 2])], { to: 7 });
    expect(r.values).toEqual([1, -1, 2]);
    expect(run1('Cast', [int64Tensor([2], [3, -4])], { to: 1 }).values).toEqual([3, -4]);
  });
});
