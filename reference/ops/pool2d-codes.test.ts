/**
 * maxPool2dCodes (separable max over codes) against the textbook maxPool2dImpl on random
 * geometries: kernel 1..13, strides, dilations, pads up to kernel − 1 (incl. windows with no valid
 * tap via dilation), ceil-mode-like extra outputs, uint8 and uint16 codes.
 */
import { describe, expect, it } from 'vitest';
import { maxPool2dImpl, type Pool2dGeom } from './pool2d.js';
import { maxPool2dCodes } from './pool2d-int.js';
import { mulberry32 } from '../../scripts/synthetic-input.js';

describe('maxPool2dCodes', () => {
  it('equals maxPool2dImpl on 300 random geometries (uint8 and uint16)', () => {
    const r = mulberry32(11);
    const int = (lo: number, hi: number) => lo + (r() % (hi - lo + 1));
    let emptyWindows = 0;
    for (let t = 0; t < 300; t++) {
      const kh = int(1, 13);
      const kw = int(1, 13);
      const dh = int(1, 3);
      const dw = int(1, 3);
      const sh = int(1, 3);
      const sw = int(1, 3);
      const h = int(1, 20);
      const w = int(1, 20);
      const pt = int(0, kh - 1);
      const pl = int(0, kw - 1);
      const pb = int(0, kh - 1);
      const pr = int(0, kw - 1);
      const oh = Math.floor((h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1 + int(0, 1);
      const ow = Math.floor((w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1 + int(0, 1);
      if (oh < 1 || ow < 1) continue;
      const planes = int(1, 3);
      const g: Pool2dGeom = { planes, h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oh, ow };
      const wide = t % 2 === 1;
      const x = wide ? new Uint16Array(planes * h * w) : new Uint8Array(planes * h * w);
      for (let i = 0; i < x.length; i++) x[i] = r() % (wide ? 65536 : 256);
      const mk = () => (wide ? new Uint16Array(planes * oh * ow) : new Uint8Array(planes * oh * ow));
      const want = maxPool2dImpl(x, g, mk());
      const got = maxPool2dCodes(x, g, mk());
      expect(Array.from(got)).toEqual(Array.from(want));
      const f = maxPool2dImpl(Float32Array.from(x), g);
      emptyWindows += f.filter((v) => v === -Infinity).length;
    }
    expect(emptyWindows).toBeGreaterThan(0); // the no-valid-tap case was exercised
  });
});
