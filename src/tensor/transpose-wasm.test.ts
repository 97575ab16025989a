import { describe, it, expect } from 'vitest';
import { md5x4Module } from '../io/md5x4.js';
import { MD5X4_MAX_PAGES } from '../io/md5x4-wasm.js';
import { transposeEdges } from './layout.js';

describe('WebAssembly SIMD transpose tiles + transposeEdges', () => {
  it('equal the index definition (one image, C x HW -> HW x C, raw 32-bit values)', () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: MD5X4_MAX_PAGES, shared: true });
    const { transpose } = new WebAssembly.Instance(md5x4Module()!, { env: { mem: memory } }).exports as { transpose: (...a: number[]) => void };
    for (const [c, hw] of [[4, 4], [4, 7], [5, 4], [9, 11], [16, 169], [64, 16], [7, 3], [3, 64]] as const) {
      const count = c * hw;
      const src = new Int32Array(memory.buffer, 1024, count);
      const dst = new Int32Array(memory.buffer, 1024 + 4 * count + 64, count);
      for (let i = 0; i < count; i++) src[i] = (i * 2654435761) | 0;
      dst.fill(-1);
      const c4 = c & ~3;
      const hw4 = hw & ~3;
      transpose(src.byteOffset, dst.byteOffset, c, hw, c4, hw4);
      transposeEdges(src, dst, c, hw, c4, hw4);
      const want = new Int32Array(count);
      for (let ch = 0; ch < c; ch++) for (let p = 0; p < hw; p++) want[p * c + ch] = src[ch * hw + p]!;
      expect(Array.from(dst), `c ${c} hw ${hw}`).toEqual(Array.from(want));
    }
  });
});
