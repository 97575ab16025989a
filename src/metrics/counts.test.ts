import { describe, expect, it } from 'vitest';
import { channelCount, coordOf, locate, rowLayout } from './coords.js';
import { deadChannels, firstMismatch, hasNonFinite, mismatches, mismatchesPerChannel, mismatchesPerRow, nonFinite, saturation } from './counts.js';

/** Flat index of (n,h,w,c) in an NHWC tensor of shape [N,H,W,C]. */
function idx(shape: number[], n: number, h: number, w: number, c: number): number {
  return ((n * shape[1]! + h) * shape[2]! + w) * shape[3]! + c;
}

describe('coordinates', () => {
  it('row-major coordinates on [1,4,5,3]', () => {
    const shape = [1, 4, 5, 3];
    expect(coordOf(0, shape)).toEqual([0, 0, 0, 0]);
    expect(coordOf(35, shape)).toEqual([0, 2, 1, 2]);
    expect(coordOf(59, shape)).toEqual([0, 3, 4, 2]);
    for (let i = 0; i < 60; i++) {
      const [n, h, w, c] = coordOf(i, shape) as [number, number, number, number];
      expect(idx(shape, n, h, w, c)).toBe(i);
    }
    expect(locate(57, shape)).toEqual({ index: 57, coord: [0, 3, 4, 0], nhwc: { n: 0, h: 3, w: 4, c: 0 } });
  });
  it('other ranks: plain row-major, no nhwc', () => {
    expect(locate(7, [2, 5])).toEqual({ index: 7, coord: [1, 2] });
    expect(coordOf(23, [2, 3, 4])).toEqual([1, 2, 3]);
    expect(coordOf(0, [])).toEqual([]);
  });
  it('channels = last axis, rows = H for 4-D, axis 0 for rank 2/3, none otherwise', () => {
    expect(channelCount([1, 4, 5, 3])).toBe(3);
    expect(channelCount([])).toBe(1);
    expect(rowLayout([1, 4, 5, 3])).toEqual({ axis: 1, rows: 4, rowLen: 15 });
    expect(rowLayout([6, 7])).toEqual({ axis: 0, rows: 6, rowLen: 7 });
    expect(rowLayout([6, 7, 2])).toEqual({ axis: 0, rows: 6, rowLen: 14 });
    expect(rowLayout([6])).toBeNull();
  });
});

describe('nonFinite', () => {
  it('counts NaN, +Inf and -Inf separately', () => {
    const c = nonFinite([NaN, Infinity, -Infinity, 1, NaN, 0, -0, 1e308]);
    expect(c).toEqual({ nan: 2, posInf: 1, negInf: 1 });
    expect(hasNonFinite(c)).toBe(true);
    expect(hasNonFinite(nonFinite(new Float64Array([1, 2])))).toBe(false);
  });
});

describe('saturation', () => {
  it('share of raw values at the dtype min/max', () => {
    expect(saturation([0, 255, 3, 255], 'uint8')).toEqual({ atMin: 1, atMax: 2, share: 0.75 });
    expect(saturation([-128, 127, 0], 'int8')).toEqual({ atMin: 1, atMax: 1, share: 2 / 3 });
    expect(saturation([0, 15, 7, 8], 'uint4')).toEqual({ atMin: 1, atMax: 1, share: 0.5 });
    expect(saturation([65535, 1], 'uint16')).toEqual({ atMin: 0, atMax: 1, share: 0.5 });
    expect(saturation([-32768, 1], 'int16')).toEqual({ atMin: 1, atMax: 0, share: 0.5 });
  });
  it('undefined for float dtypes; share 0 for empty input', () => {
    expect(saturation([0, 1], 'float32')).toBeUndefined();
    expect(saturation([], 'uint8')).toEqual({ atMin: 0, atMax: 0, share: 0 });
  });
});

describe('deadChannels', () => {
  const shape = [1, 2, 2, 3]; // 4 pixels x 3 channels
  it('constant on the target but not on the reference', () => {
    //          px0        px1        px2        px3
    const r = [1, 5, 9, 2, 5, 8, 3, 5, 7, 4, 5, 6];
    const t = [0, 5, 9, 0, 5, 1, 0, 5, 2, 0, 5, 3];
    // c0: r varies, t constant -> dead; c1: both constant -> not dead; c2: t varies -> not dead
    expect(deadChannels(r, t, shape)).toEqual([0]);
    expect(deadChannels(t, r, shape)).toEqual([]);
  });
  it('a NaN makes a channel non-constant; single-element channels are never dead', () => {
    const r = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4];
    const t = [0, NaN, 0, 0, NaN, 0, 0, NaN, 0, 0, NaN, 0];
    expect(deadChannels(r, t, shape)).toEqual([0, 2]);
    expect(deadChannels([1, 2], [0, 0], [2])).toEqual([]);
    expect(deadChannels([], [], [0, 3])).toEqual([]);
  });
  it('throws RangeError when the shape does not match', () => {
    expect(() => deadChannels([1, 2], [1, 2], [3])).toThrow(RangeError);
  });
});

describe('exact integer compare on a [1,4,5,3] tensor', () => {
  const shape = [1, 4, 5, 3];
  const r = Array.from({ length: 60 }, (_, i) => i % 256);
  const t = r.slice();
  t[idx(shape, 0, 2, 1, 2)]! += 1; // 35
  t[idx(shape, 0, 3, 4, 0)]! -= 1; // 57
  t[idx(shape, 0, 2, 3, 2)]! += 9; // 41
  it('counts and locates mismatches', () => {
    expect(mismatches(r, t)).toBe(3);
    expect(firstMismatch(r, t, shape)).toEqual({ index: 35, coord: [0, 2, 1, 2], nhwc: { n: 0, h: 2, w: 1, c: 2 } });
    expect(mismatchesPerChannel(r, t, shape)).toEqual([1, 0, 2]);
    expect(mismatchesPerRow(r, t, shape)).toEqual([0, 0, 2, 1]);
  });
  it('identical -> 0 / null / zeros', () => {
    expect(mismatches(r, r)).toBe(0);
    expect(firstMismatch(r, r, shape)).toBeNull();
    expect(mismatchesPerChannel(r, r, shape)).toEqual([0, 0, 0]);
    expect(mismatchesPerRow(r, r, shape)).toEqual([0, 0, 0, 0]);
  });
  it('rows sum over N; rank 1 has no rows', () => {
    const s2 = [2, 2, 1, 1];
    expect(mismatchesPerRow([1, 2, 3, 4], [0, 2, 0, 4], s2)).toEqual([2, 0]);
    expect(mismatchesPerRow([1, 2], [1, 3], [2])).toBeUndefined();
    expect(mismatchesPerChannel([1, 2], [1, 3], [2])).toEqual([0, 1]);
  });
});
