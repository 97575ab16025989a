import { describe, expect, it } from 'vitest';
import { floatTensor, int64Tensor, makeTensor } from '../tensor.js';
import { run1, runOp } from '../testing/run-op.js';

const INT64_MAX = 9223372036854775807n;
const i64 = (...v: (number | bigint)[]) => makeTensor('int64', [v.length], BigInt64Array.from(v.map((x) => BigInt(x))));
const ten = floatTensor([10], Array.from({ length: 10 }, (_v, i) => i));

describe('Slice', () => {
  it('negative starts and INT64_MAX ends (opset >= 10 inputs)', () => {
    expect(run1('Slice', [ten, i64(-3), i64(INT64_MAX)]).values).toEqual([7, 8, 9]);
  });
  it('negative steps, including a full reversal with -INT64_MAX', () => {
    expect(run1('Slice', [ten, i64(8), i64(1), i64(0), i64(-3)]).values).toEqual([8, 5, 2]);
    expect(run1('Slice', [ten, i64(-1), i64(-INT64_MAX), i64(0), i64(-1)]).values).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
  });
  it('Focus-style stride-2 slicing on a chosen axis', () => {
    const x = floatTensor([1, 1, 2, 4], [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(run1('Slice', [x, i64(1), i64(INT64_MAX), i64(3), i64(2)])).toEqual({ dims: [1, 1, 2, 2], values: [1, 3, 5, 7] });
  });
  it('opset < 10 attribute form', () => {
    const x = floatTensor([1, 4, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
    expect(run1('Slice', [x], { starts: [2], ends: [9223372036854775807], axes: [1] }, 9)).toEqual({ dims: [1, 2, 2], values: [4, 5, 6, 7] });
  });
  it('empty result when start is past end', () => {
    expect(run1('Slice', [ten, i64(5), i64(2)]).dims).toEqual([0]);
  });
});

describe('Gather / Concat / Transpose / Split / Pad / Reshape family', () => {
  it('Gather with negative int64 indices on int64 data (shape sub-graph)', () => {
    const shape = int64Tensor([4], [1, 3, 240, 320]);
    const r = runOp('Gather', [shape, makeTensor('int64', [], BigInt64Array.of(-1n))], { axis: 0 })[0]!;
    expect(r.dims).toEqual([]);
    expect(r.data).toEqual(BigInt64Array.of(320n));
  });
  it('Gather along axis 1 keeps the index shape', () => {
    const x = floatTensor([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(run1('Gather', [x, int64Tensor([2], [2, 0])], { axis: 1 })).toEqual({ dims: [2, 2], values: [3, 1, 6, 4] });
  });
  it('Concat on axis 1 and on a negative axis; int64 concat', () => {
    const a = floatTensor([1, 1, 2], [1, 2]);
    const b = floatTensor([1, 2, 2], [3, 4, 5, 6]);
    expect(run1('Concat', [a, b], { axis: 1 })).toEqual({ dims: [1, 3, 2], values: [1, 2, 3, 4, 5, 6] });
    expect(run1('Concat', [a, a], { axis: -1 })).toEqual({ dims: [1, 1, 4], values: [1, 2, 1, 2] });
    expect(run1('Concat', [int64Tensor([1], [1]), int64Tensor([2], [-1, 4])], { axis: 0 }).values).toEqual([1, -1, 4]);
  });
  it('Transpose NCHW -> NHWC and the default reversal', () => {
    const x = floatTensor([1, 2, 1, 3], [1, 2, 3, 4, 5, 6]);
    expect(run1('Transpose', [x], { perm: [0, 2, 3, 1] })).toEqual({ dims: [1, 1, 3, 2], values: [1, 4, 2, 5, 3, 6] });
    expect(run1('Transpose', [floatTensor([2, 3], [1, 2, 3, 4, 5, 6])])).toEqual({ dims: [3, 2], values: [1, 4, 2, 5, 3, 6] });
  });
  it('Split: attribute sizes (opset 11), input sizes (13), and uneven default parts', () => {
    const x = floatTensor([5], [0, 1, 2, 3, 4]);
    expect(runOp('Split', [x], { axis: 0, split: [2, 3] }, 11, 2).map((t) => Array.from(t.data as Float32Array))).toEqual([[0, 1], [2, 3, 4]]);
    expect(runOp('Split', [x, int64Tensor([2], [4, 1])], {}, 13, 2).map((t) => Array.from(t.data as Float32Array))).toEqual([[0, 1, 2, 3], [4]]);
    expect(runOp('Split', [x], {}, 13, 2).map((t) => Array.from(t.data as Float32Array))).toEqual([[0, 1, 2], [3, 4]]);
  });
  it('Pad constant / reflect / edge, and a negative pad crops', () => {
    const x = floatTensor([1, 3], [1, 2, 3]);
    const pads = int64Tensor([4], [0, 2, 0, 1]);
    expect(run1('Pad', [x, pads, floatTensor([], [9])], { mode: 'constant' }, 11).values).toEqual([9, 9, 1, 2, 3, 9]);
    expect(run1('Pad', [x, pads], { mode: 'reflect' }, 11).values).toEqual([3, 2, 1, 2, 3, 2]);
    expect(run1('Pad', [x, pads], { mode: 'edge' }, 11).values).toEqual([1, 1, 1, 2, 3, 3]);
    expect(run1('Pad', [x, int64Tensor([4], [0, -1, 0, 0])], {}, 11).values).toEqual([2, 3]);
    expect(run1('Pad', [x], { pads: [0, 1, 0, 0], value: 7 }, 2).values).toEqual([7, 1, 2, 3]);
  });
  it('Reshape with 0 and -1, Flatten, Unsqueeze (attr and input), Squeeze', () => {
    const x = floatTensor([2, 3, 4]);
    expect(run1('Reshape', [x, int64Tensor([2], [0, -1])]).dims).toEqual([2, 12]);
    expect(run1('Reshape', [x, int64Tensor([3], [-1, 2, 2])]).dims).toEqual([6, 2, 2]);
    expect(() => run1('Reshape', [x, int64Tensor([2], [5, -1])])).toThrow(/cannot reshape \[2,3,4\] to \[5,-1\]/);
    expect(run1('Flatten', [x], { axis: 2 }).dims).toEqual([6, 4]);
    expect(run1('Flatten', [x], { axis: 0 }).dims).toEqual([1, 24]);
    expect(run1('Unsqueeze', [int64Tensor([], [5])], { axes: [0] }, 11)).toEqual({ dims: [1], values: [5] });
    expect(run1('Unsqueeze', [x, int64Tensor([2], [0, -1])], {}, 13).dims).toEqual([1, 2, 3, 4, 1]);
    expect(run1('Squeeze', [floatTensor([1, 3, 1, 2])], {}, 13).dims).toEqual([3, 2]);
    expect(run1('Squeeze', [floatTensor([1, 3, 1, 2])], { axes: [2] }, 11).dims).toEqual([1, 3, 2]);
  });
  it('Shape (with opset-15 start/end) and Constant', () => {
    const x = floatTensor([1, 3, 240, 320]);
    expect(run1('Shape', [x]).values).toEqual([1, 3, 240, 320]);
    expect(run1('Shape', [x], { start: -2 }, 15).values).toEqual([240, 320]);
    expect(run1('Constant', [], { value_ints: [1, -1] }).values).toEqual([1, -1]);
  });
});
