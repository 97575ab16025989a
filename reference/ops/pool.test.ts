import { describe, expect, it } from 'vitest';
import { floatTensor } from '../tensor.js';
import { run1 } from '../testing/run-op.js';

describe('MaxPool', () => {
  const x = floatTensor([1, 1, 1, 5], [1, 2, 3, 4, 5]);
  it('ceil_mode adds the partial last window', () => {
    expect(run1('MaxPool', [x], { kernel_shape: [1, 2], strides: [1, 2] }).values).toEqual([2, 4]);
    expect(run1('MaxPool', [x], { kernel_shape: [1, 2], strides: [1, 2], ceil_mode: 1 }).values).toEqual([2, 4, 5]);
  });
  it('ceil_mode never starts a window inside the end padding', () => {
    // W=5, k=2, s=2, pads 1/1: ceil gives 4 windows, the 4th would start at 6 >= 5+1 -> 3
    const r = run1('MaxPool', [x], { kernel_shape: [1, 2], strides: [1, 2], pads: [0, 1, 0, 1], ceil_mode: 1 });
    expect(r.values).toEqual([1, 3, 5]);
  });
  it('padding never wins the max (negative inputs)', () => {
    const r = run1('MaxPool', [floatTensor([1, 1, 2, 2], [-4, -3, -2, -1])], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
    expect(r.values).toEqual([-1, -1, -1, -1]);
  });
  it('SPP-style 5x5 stride 1 pad 2 keeps the size', () => {
    const r = run1('MaxPool', [floatTensor([1, 1, 3, 3], [1, 9, 2, 3, 4, 5, 6, 7, 8])], { kernel_shape: [5, 5], pads: [2, 2, 2, 2] });
    expect(r.dims).toEqual([1, 1, 3, 3]);
    expect(r.values).toEqual(new Array(9).fill(9));
  });
  it('dilations', () => {
    const r = run1('MaxPool', [floatTensor([1, 1, 1, 5], [5, 1, 4, 1, 3])], { kernel_shape: [1, 2], dilations: [1, 2] });
    expect(r.values).toEqual([5, 1, 4]);
  });
});

describe('AveragePool', () => {
  const x = floatTensor([1, 1, 2, 2], [1, 2, 3, 4]);
  it('count_include_pad 0 divides by the valid window, 1 by the padded one', () => {
    expect(run1('AveragePool', [x], { kernel_shape: [2, 2], pads: [1, 1, 1, 1], strides: [2, 2] }).values).toEqual([1, 2, 3, 4]);
    expect(run1('AveragePool', [x], { kernel_shape: [2, 2], pads: [1, 1, 1, 1], strides: [2, 2], count_include_pad: 1 }).values).toEqual([0.25, 0.5, 0.75, 1]);
  });
  it('3x3 stride 2 without padding (FastestDet)', () => {
    const r = run1('AveragePool', [floatTensor([1, 1, 4, 4], Array.from({ length: 16 }, (_v, i) => i))], { kernel_shape: [3, 3], strides: [2, 2] });
    expect(r.dims).toEqual([1, 1, 1, 1]);
    expect(r.values).toEqual([5]);
  });
  it('GlobalAveragePool and GlobalMaxPool', () => {
    const y = floatTensor([1, 2, 2, 2], [1, 2, 3, 4, -1, -2, -3, -10]);
    expect(run1('GlobalAveragePool', [y])).toEqual({ dims: [1, 2, 1, 1], values: [2.5, -4] });
    expect(run1('GlobalMaxPool', [y])).toEqual({ dims: [1, 2, 1, 1], values: [4, -1] });
  });
});
