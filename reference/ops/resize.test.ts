import { describe, expect, it } from 'vitest';
import { floatTensor, int64Tensor } from '../tensor.js';
import { run1 } from '../testing/run-op.js';

const scales = (...s: number[]) => floatTensor([s.length], s);
const resize = (x: ReturnType<typeof floatTensor>, sc: number[], attrs: Record<string, string>) => run1('Resize', [x, null, scales(...sc)], attrs, 13);

describe('Resize nearest', () => {
  const row = floatTensor([1, 1, 1, 2], [1, 2]);
  it('asymmetric + floor (YOLOX/YuNet/FastestDet) doubles each pixel', () => {
    expect(resize(row, [1, 1, 1, 2], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' })).toEqual({ dims: [1, 1, 1, 4], values: [1, 1, 2, 2] });
    const img = floatTensor([1, 1, 2, 2], [1, 2, 3, 4]);
    expect(resize(img, [1, 1, 2, 2], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }).values).toEqual([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
  });
  it('half_pixel downscale: round_prefer_floor vs round_prefer_ceil on exact halves', () => {
    const x = floatTensor([1, 1, 1, 4], [10, 11, 12, 13]);
    // x_original = (o + 0.5) * 2 - 0.5 = 0.5, 2.5
    expect(resize(x, [1, 1, 1, 0.5], { mode: 'nearest' }).values).toEqual([10, 12]);
    expect(resize(x, [1, 1, 1, 0.5], { mode: 'nearest', nearest_mode: 'round_prefer_ceil' }).values).toEqual([11, 13]);
    expect(resize(x, [1, 1, 1, 0.5], { mode: 'nearest', nearest_mode: 'ceil' }).values).toEqual([11, 13]);
  });
  it('align_corners 3 -> 5', () => {
    const x = floatTensor([1, 1, 1, 3], [0, 1, 2]);
    const sizes = int64Tensor([4], [1, 1, 1, 5]);
    // x_original = 0, 0.5, 1, 1.5, 2
    expect(run1('Resize', [x, null, null, sizes], { mode: 'nearest', coordinate_transformation_mode: 'align_corners' }, 13).values).toEqual([0, 0, 1, 1, 2]);
    expect(run1('Resize', [x, null, null, sizes], { mode: 'nearest', coordinate_transformation_mode: 'align_corners', nearest_mode: 'round_prefer_ceil' }, 13).values).toEqual([0, 1, 1, 2, 2]);
  });
  it('opset 10 form (X, scales) is asymmetric', () => {
    expect(run1('Resize', [row, scales(1, 1, 1, 3)], { mode: 'nearest' }, 10).values).toEqual([1, 1, 1, 2, 2, 2]);
  });
});

describe('Resize linear', () => {
  const row = floatTensor([1, 1, 1, 2], [0, 10]);
  it('half_pixel clamps outside coordinates', () => {
    expect(resize(row, [1, 1, 1, 2], { mode: 'linear' }).values).toEqual([0, 2.5, 7.5, 10]);
  });
  it('align_corners hits both ends', () => {
    expect(run1('Resize', [row, null, null, int64Tensor([4], [1, 1, 1, 3])], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, 13).values).toEqual([0, 5, 10]);
  });
  it('asymmetric 2x in both axes', () => {
    const x = floatTensor([1, 1, 2, 2], [0, 4, 8, 12]);
    expect(resize(x, [1, 1, 2, 2], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }).values).toEqual([0, 2, 4, 4, 4, 6, 8, 8, 8, 10, 12, 12, 8, 10, 12, 12]);
  });
  it('refuses cubic and tf_crop_and_resize as unsupported', () => {
    expect(() => resize(row, [1, 1, 1, 2], { mode: 'cubic' })).toThrow(/mode=cubic is not supported/);
    expect(() => resize(row, [1, 1, 1, 2], { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize' })).toThrow(/tf_crop_and_resize/);
  });
});
