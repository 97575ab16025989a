import { describe, it, expect } from 'vitest';
import { parseChannelValues, preprocess } from './preprocess.js';
import { nchwToNhwc, dumpShape } from '../tensor/layout.js';
import { modelNodeInfo } from './node-info.js';
import { parseModel } from '../onnx/load.js';
import { buildModel } from '../onnx/build.js';

describe('parseChannelValues', () => {
  it('accepts comma/space lists, a single broadcast value, and arrays', () => {
    expect(Array.from(parseChannelValues('0, 127.5,255', '--mean', 3))).toEqual([0, 127.5, 255]);
    expect(Array.from(parseChannelValues('128', '--var', 3, true))).toEqual([128, 128, 128]);
    expect(Array.from(parseChannelValues([1, 2, 3], '--var', 3, true))).toEqual([1, 2, 3]);
    expect(Array.from(parseChannelValues(0.1, '--var', 1, true))).toEqual([Math.fround(0.1)]);
  });
  it('refuses a wrong count, non-numbers and var = 0 with one-line usage errors', () => {
    expect(() => parseChannelValues('0,0', '--mean', 3)).toThrow('--mean "0,0" has 2 values, the model input has 3 channels');
    expect(() => parseChannelValues('a,b,c', '--mean', 3)).toThrow(/expected 3 comma-separated numbers/);
    expect(() => parseChannelValues('255,0,255', '--var', 3, true)).toThrow('--var "255,0,255": value 1 is 0');
    expect(() => parseChannelValues('', '--var', 3, true)).toThrow(/expected 3/);
  });
});

describe('preprocess', () => {
  const u8 = Uint8Array.from([10, 20, 30, 40, 50, 60]); // [1,1,2,3] NHWC
  const shape = [1, 1, 2, 3] as const;
  it('x = (u8 - mean[c]) / var[c] in float32, NHWC and NCHW', () => {
    const r = preprocess(u8, shape, { mean: Float32Array.of(1, 2, 3), var: Float32Array.of(3, 7, 0.1) });
    const x = (v: number, m: number, d: number): number => Math.fround(Math.fround(v - m) / Math.fround(d));
    expect(Array.from(r.nhwc)).toEqual([x(10, 1, 3), x(20, 2, 7), x(30, 3, 0.1), x(40, 1, 3), x(50, 2, 7), x(60, 3, 0.1)]);
    expect(Array.from(r.nchw)).toEqual([x(10, 1, 3), x(40, 1, 3), x(20, 2, 7), x(50, 2, 7), x(30, 3, 0.1), x(60, 3, 0.1)]);
    expect(r.nhwc[2]).toBe(Math.fround(270)); // (30-3)/0.1f in float32
  });
  it('--swap-rb swaps channels 0 and 2 before mean/var (mean stays per model channel)', () => {
    const r = preprocess(u8, shape, { mean: Float32Array.of(0, 0, 100), var: Float32Array.of(1, 1, 1), swapRb: true });
    expect(Array.from(r.nhwc)).toEqual([30, 20, -90, 60, 50, -60]);
  });
});

describe('layout', () => {
  it('nchwToNhwc transposes and reuses a larger buffer', () => {
    const src = Float32Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => i); // [2,3,2,2]
    const dst = new Float32Array(100).fill(-1);
    expect(nchwToNhwc(src, [2, 3, 2, 2], dst)).toEqual([2, 2, 2, 3]);
    // dst[n,h,w,c] = src[n,c,h,w]
    expect(dst[((1 * 2 + 1) * 2 + 0) * 3 + 2]).toBe(src[((1 * 3 + 2) * 2 + 1) * 2 + 0]);
    expect(Array.from(dst.subarray(0, 6))).toEqual([0, 4, 8, 1, 5, 9]);
    expect(dst[24]).toBe(-1);
    expect(dumpShape([1, 3, 4, 5])).toEqual([1, 4, 5, 3]);
    expect(dumpShape([1, 3549, 8])).toEqual([1, 3549, 8]);
  });
});

describe('modelNodeInfo', () => {
  it('vendor form: all_type in order of first appearance, node names per type', () => {
    const m = parseModel(
      buildModel({
        nodes: [
          { opType: 'Relu', name: 'r1', inputs: ['x'], outputs: ['a'] },
          { opType: 'Sigmoid', name: 's1', inputs: ['a'], outputs: ['b'] },
          { opType: 'Relu', name: 'r2', inputs: ['b'], outputs: ['y'] },
        ],
        inputs: [{ name: 'x', dims: [1] }],
        outputs: [{ name: 'y', dims: [1] }],
      }),
      'm.onnx',
    );
    expect(modelNodeInfo(m)).toEqual({ all_type: ['Relu', 'Sigmoid'], Relu: ['r1', 'r2'], Sigmoid: ['s1'] });
  });
});
