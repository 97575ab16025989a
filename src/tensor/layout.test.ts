import { describe, it, expect } from 'vitest';
import { nchwToNhwc, toNhwc } from './layout.js';

/** dst[n,h,w,c] = src[n,c,h,w], straight from the definition (FORMATS.md §4). */
function oracle(src: ArrayLike<number>, [n, c, h, w]: number[]): number[] {
  const out = new Array<number>(n * c * h * w);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    out[((b * h + y) * w + x) * c + k] = src[((b * c + k) * h + y) * w + x]!;
  }
  return out;
}

describe('nchwToNhwc', () => {
  // channel counts around the 4-channel blocks, C = 1 and H*W = 1 (plain copies), several images
  const shapes = [[1, 1, 3, 5], [1, 2, 3, 3], [1, 4, 2, 3], [2, 5, 3, 2], [1, 8, 4, 4], [3, 9, 2, 5], [1, 13, 1, 7], [2, 16, 1, 1], [1, 3, 7, 1]];
  for (const dims of shapes) {
    it(`[${dims.join(',')}] equals the index definition (float32, uint8, plain array source)`, () => {
      const count = dims.reduce((a, b) => a * b, 1);
      const f32 = Float32Array.from({ length: count }, (_, i) => i * 0.25 - 3);
      const want = oracle(f32, dims);
      const dst = new Float32Array(count + 3).fill(-7);
      expect(nchwToNhwc(f32, dims, dst)).toEqual([dims[0], dims[2], dims[3], dims[1]]);
      expect(Array.from(dst.subarray(0, count))).toEqual(want);
      expect(Array.from(dst.subarray(count))).toEqual([-7, -7, -7]);
      const u8 = Uint8Array.from({ length: count }, (_, i) => (i * 7) & 255);
      expect(Array.from(toNhwc(u8, dims))).toEqual(oracle(u8, dims));
      const plain = Array.from({ length: count }, (_, i) => i);
      const d2 = new Uint16Array(count);
      nchwToNhwc(plain, dims, d2);
      expect(Array.from(d2)).toEqual(oracle(plain, dims));
    });
  }
  it('refuses a wrong rank or a short target', () => {
    expect(() => nchwToNhwc(new Float32Array(6), [2, 3], new Float32Array(6))).toThrow(/rank 2/);
    expect(() => nchwToNhwc(new Float32Array(24), [1, 2, 3, 4], new Float32Array(23))).toThrow(/24 source \/ 23 target/);
  });
});
