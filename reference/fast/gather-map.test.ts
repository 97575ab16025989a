/**
 * affineOf (gather-map.ts): a strided box / permutation map is recognised with its base and strides,
 * and a map that is not affine (nearest 2x upsampling, a one-element perturbation) is rejected.
 */
import { describe, expect, it } from 'vitest';
import { affineOf } from './gather-map.js';

describe('affineOf', () => {
  it('recognises a 4-D strided slice and a transpose', () => {
    // x [2,3,8,10]; slice [:, 1:3, 1::2, ::3] -> dims [2,2,4,4]
    const dims = [2, 2, 4, 4];
    const map = new Int32Array(2 * 2 * 4 * 4);
    let i = 0;
    for (let n = 0; n < 2; n++) for (let c = 0; c < 2; c++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) map[i++] = ((n * 3 + c + 1) * 8 + 1 + 2 * y) * 10 + 3 * x;
    expect(affineOf(map, dims)).toEqual({ base: (1 * 8 + 1) * 10, strides: [240, 80, 20, 3] });
    // transpose [2,3,4] -> perm [2,0,1]: out[k][i][j] = x[i][j][k]
    const t = new Int32Array(24);
    i = 0;
    for (let k = 0; k < 4; k++) for (let a = 0; a < 2; a++) for (let b = 0; b < 3; b++) t[i++] = a * 12 + b * 4 + k;
    expect(affineOf(t, [4, 2, 3])).toEqual({ base: 0, strides: [1, 12, 4] });
  });
  it('rejects maps that are not affine', () => {
    const up = new Int32Array(16);
    for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) up[y * 4 + x] = (y >> 1) * 2 + (x >> 1);
    expect(affineOf(up, [4, 4])).toBeNull();
    const near = Int32Array.from({ length: 12 }, (_, k) => k);
    near[11] = 10;
    expect(affineOf(near, [3, 4])).toBeNull();
  });
});
