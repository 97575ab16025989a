import { describe, expect, it } from 'vitest';
import { floatTensor } from '../tensor.js';
import { run1 } from '../testing/run-op.js';
import { conv2dImpl, type Conv2dGeom } from './conv2d.js';

const iota = (n: number, from = 1): number[] => Array.from({ length: n }, (_v, i) => i + from);

/** Textbook 7-loop convolution, the oracle for the blocked kernel. */
function naiveConv(x: Float32Array, w: Float32Array, b: Float32Array | null, g: Conv2dGeom): Float64Array {
  const out = new Float64Array(g.n * g.m * g.oh * g.ow);
  const cg = g.c / g.group;
  const mg = g.m / g.group;
  for (let n = 0; n < g.n; n++)
    for (let m = 0; m < g.m; m++)
      for (let oy = 0; oy < g.oh; oy++)
        for (let ox = 0; ox < g.ow; ox++) {
          let s = b ? b[m]! : 0;
          const gi = Math.floor(m / mg);
          for (let ic = 0; ic < cg; ic++)
            for (let ky = 0; ky < g.kh; ky++)
              for (let kx = 0; kx < g.kw; kx++) {
                const iy = oy * g.sh - g.pt + ky * g.dh;
                const ix = ox * g.sw - g.pl + kx * g.dw;
                if (iy < 0 || iy >= g.h || ix < 0 || ix >= g.w) continue;
                s += w[((m * cg + ic) * g.kh + ky) * g.kw + kx]! * x[((n * g.c + gi * cg + ic) * g.h + iy) * g.w + ix]!;
              }
          out[((n * g.m + m) * g.oh + oy) * g.ow + ox] = s;
        }
  return out;
}

describe('Conv', () => {
  it('pads 1, stride 2 with bias (hand-computed)', () => {
    const r = run1('Conv', [floatTensor([1, 1, 3, 3], iota(9)), floatTensor([1, 1, 2, 2], [1, 1, 1, 1]), floatTensor([1], [10])], { pads: [1, 1, 1, 1], strides: [2, 2] });
    expect(r.dims).toEqual([1, 1, 2, 2]);
    expect(r.values).toEqual([11, 15, 21, 38]);
  });

  it('dilation 2 (hand-computed)', () => {
    const r = run1('Conv', [floatTensor([1, 1, 4, 4], iota(16, 0)), floatTensor([1, 1, 2, 2], [1, 2, 3, 4])], { dilations: [2, 2] });
    expect(r.dims).toEqual([1, 1, 2, 2]);
    expect(r.values).toEqual([68, 78, 108, 118]);
  });

  it('groups and depthwise with a channel multiplier', () => {
    expect(run1('Conv', [floatTensor([1, 2, 1, 1], [2, 3]), floatTensor([2, 1, 1, 1], [10, 100])], { group: 2 }).values).toEqual([20, 300]);
    expect(run1('Conv', [floatTensor([1, 2, 1, 1], [2, 3]), floatTensor([4, 1, 1, 1], [1, 2, 3, 4])], { group: 2 }).values).toEqual([2, 4, 9, 12]);
  });

  it('auto_pad SAME_UPPER puts the extra pad at the end, SAME_LOWER at the start', () => {
    const x = floatTensor([1, 1, 2, 2], [1, 2, 3, 4]);
    const w = floatTensor([1, 1, 2, 2], [1, 1, 1, 1]);
    expect(run1('Conv', [x, w], { auto_pad: 'SAME_UPPER' }).values).toEqual([10, 6, 7, 4]);
    expect(run1('Conv', [x, w], { auto_pad: 'SAME_LOWER' }).values).toEqual([1, 3, 4, 10]);
    expect(run1('Conv', [x, w], { auto_pad: 'VALID' }).values).toEqual([10]);
  });

  it('1-D convolution', () => {
    const r = run1('Conv', [floatTensor([1, 1, 5], iota(5)), floatTensor([1, 1, 3], [1, 0, -1])], { pads: [1, 1] });
    expect(r.dims).toEqual([1, 1, 5]);
    expect(r.values).toEqual([-2, -2, -2, -2, 4]);
  });

  it('blocked kernel equals the textbook loop over strides, pads, dilations, groups and channel tails', () => {
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
    const configs = [
      { c: 3, m: 6, h: 7, w: 9, k: 3, s: 1, d: 1, p: 1, group: 1 }, // 4 + 2 tail
      { c: 4, m: 7, h: 8, w: 8, k: 3, s: 2, d: 1, p: 1, group: 1 },
      { c: 6, m: 6, h: 9, w: 7, k: 3, s: 1, d: 2, p: 2, group: 6 }, // depthwise dilated
      { c: 8, m: 12, h: 6, w: 5, k: 1, s: 1, d: 1, p: 0, group: 2 }, // pointwise fast path, grouped
      { c: 2, m: 5, h: 5, w: 6, k: 5, s: 3, d: 1, p: 2, group: 1 },
      { c: 3, m: 4, h: 6, w: 6, k: 2, s: 2, d: 1, p: 0, group: 1 },
    ];
    for (const cf of configs) {
      const oh = Math.floor((cf.h + 2 * cf.p - ((cf.k - 1) * cf.d + 1)) / cf.s) + 1;
      const ow = Math.floor((cf.w + 2 * cf.p - ((cf.k - 1) * cf.d + 1)) / cf.s) + 1;
      const g: Conv2dGeom = { n: 2, c: cf.c, h: cf.h, w: cf.w, m: cf.m, group: cf.group, kh: cf.k, kw: cf.k, sh: cf.s, sw: cf.s, dh: cf.d, dw: cf.d, pt: cf.p, pl: cf.p, oh, ow };
      const x = Float32Array.from({ length: 2 * cf.c * cf.h * cf.w }, rnd);
      const w = Float32Array.from({ length: cf.m * (cf.c / cf.group) * cf.k * cf.k }, rnd);
      const b = Float32Array.from({ length: cf.m }, rnd);
      const ours = conv2dImpl(x, w, b, g);
      const ref = naiveConv(x, w, b, g);
      expect(ours.length).toBe(ref.length);
      ref.forEach((v, i) => expect(ours[i]).toBe(Math.fround(v)));
    }
  });

  it('rejects a group that does not divide the channels, naming the node', () => {
    expect(() => run1('Conv', [floatTensor([1, 3, 2, 2]), floatTensor([2, 1, 1, 1])], { group: 2 })).toThrow(/Conv node "conv_test": group 2/);
  });
});

describe('ConvTranspose', () => {
  it('stride 2 scatter (hand-computed)', () => {
    // x [1,2] upsampled by a [1,1] kernel with stride 2 -> [1,1,2,2] then the tail
    const r = run1('ConvTranspose', [floatTensor([1, 1, 1, 2], [1, 2]), floatTensor([1, 1, 1, 3], [1, 10, 100])], { strides: [1, 2] });
    expect(r.dims).toEqual([1, 1, 1, 5]);
    expect(r.values).toEqual([1, 10, 102, 20, 200]);
  });

  it('pads crop and output_padding extends', () => {
    const x = floatTensor([1, 1, 1, 2], [1, 2]);
    const w = floatTensor([1, 1, 1, 3], [1, 10, 100]);
    expect(run1('ConvTranspose', [x, w], { strides: [1, 2], pads: [0, 1, 0, 1] }).values).toEqual([10, 102, 20]);
    expect(run1('ConvTranspose', [x, w], { strides: [1, 2], output_padding: [0, 1] }).values).toEqual([1, 10, 102, 20, 200, 0]);
  });
});
