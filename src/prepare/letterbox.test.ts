import { describe, it, expect } from 'vitest';
import { fitGeometry, formatGeometry, applyGeometry } from './letterbox.js';

describe('fitGeometry (vendor rule)', () => {
  it("reproduces the guide's §5.2.1 numbers for fall_1054_sys.jpg (388x574 into 640x384)", () => {
    const g = fitGeometry(388, 574, 640, 384);
    expect(g.scaleX.toFixed(6)).toBe('0.668990');
    expect([g.resizedWidth, g.resizedHeight]).toEqual([260, 384]);
    expect([g.top, g.bottom, g.left, g.right]).toEqual([0, 0, 190, 190]);
    const text = formatGeometry(g);
    expect(text).toContain('ori_image w,h: 388 ,574');
    expect(text).toContain('scale---> 0.668990');
    expect(text).toContain('resize valid_dst, w:260 h 384');
    expect(text).toContain('padding info top :0 bottom 0 left:190 right:190');
  });

  it('bumps an odd resized size to even (259.57 -> 259 -> 260) and an odd top/left pad to even', () => {
    // 100x100 into 110x100: scale 1, pad 10 -> round(4.9)=5 / round(5.1)=5 -> odd -> 6 / 4.
    const g = fitGeometry(100, 100, 110, 100);
    expect([g.resizedWidth, g.resizedHeight, g.left, g.right, g.top, g.bottom]).toEqual([100, 100, 6, 4, 0, 0]);
    // 0.4375 * 160 = 70 even; 0.4375 * 111 = 48.56 -> 48; pad 22 -> 11/11 -> 12/10.
    const h = fitGeometry(111, 160, 48, 70);
    expect([h.resizedWidth, h.resizedHeight]).toEqual([48, 70]);
    const g2 = fitGeometry(160, 111, 70, 48);
    expect(g2.resizedWidth).toBe(70);
    expect(g2.resizedHeight).toBe(48);
    const g3 = fitGeometry(101, 50, 60, 60); // scale 60/101: w 60, h (int)29.70=29 -> 30, pad 30 -> 15/15 -> 16/14
    expect([g3.resizedWidth, g3.resizedHeight, g3.top, g3.bottom]).toEqual([60, 30, 16, 14]);
  });

  it('clamps an even-bumped size that would overflow an odd model size', () => {
    const g = fitGeometry(640, 480, 417, 417); // (int)(0.6515625*640)=417 -> 418 -> clamped 417
    expect(g.resizedWidth).toBe(417);
    expect(g.resizedHeight).toBe(312);
    expect([g.left, g.right, g.top, g.bottom]).toEqual([0, 0, 52, 53]);
    expect(g.top + g.bottom + g.resizedHeight).toBe(417);
  });

  it('centered rule rounds the size and gives left/top the floor', () => {
    const g = fitGeometry(100, 100, 111, 100, { rule: 'centered' });
    expect([g.left, g.right]).toEqual([5, 6]);
    const f = fitGeometry(388, 574, 640, 384, { rule: 'centered' });
    expect([f.resizedWidth, f.left, f.right]).toEqual([260, 190, 190]);
  });

  it('stretch is a plain resize with independent scales', () => {
    const g = fitGeometry(388, 574, 640, 384, { mode: 'stretch' });
    expect([g.resizedWidth, g.resizedHeight, g.top, g.left]).toEqual([640, 384, 0, 0]);
    expect(g.scaleX.toFixed(6)).toBe('1.649485');
    expect(formatGeometry(g)).toContain('stretch');
  });

  it('rejects bad sizes and pad values', () => {
    expect(() => fitGeometry(10, 10, 0, 10)).toThrow(/width 0 is not a positive/);
    expect(() => fitGeometry(10, 10, 10, -3)).toThrow(/height -3/);
    expect(() => fitGeometry(10, 10, 10.5, 10)).toThrow(/10.5/);
    expect(() => fitGeometry(10, 10, 10, 10, { padValue: 256 })).toThrow(/pad-value 256/);
  });
});

describe('applyGeometry', () => {
  it('pads with the pad value around the resized image', () => {
    const img = { data: new Uint8Array(2 * 2 * 3).fill(200), width: 2, height: 2, channels: 3 };
    const g = fitGeometry(2, 2, 6, 2, { padValue: 114 });
    expect([g.left, g.right, g.resizedWidth]).toEqual([2, 2, 2]);
    const out = applyGeometry(img, g);
    const row = Array.from(out.data.subarray(0, 18));
    expect(row).toEqual([114, 114, 114, 114, 114, 114, 200, 200, 200, 200, 200, 200, 114, 114, 114, 114, 114, 114]);
  });
});
