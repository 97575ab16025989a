import { describe, it, expect } from 'vitest';
import { decodeBmp, isBmp } from './bmp.js';

/** Builds a BMP with a BITMAPINFOHEADER (or a V5 header); rows given top-first as raw row bytes (unpadded). */
function bmp(opts: { w: number; h: number; bpp: number; rows: number[][]; topDown?: boolean; palette?: number[][]; compression?: number; masks?: number[]; v5?: boolean }): Uint8Array {
  const hdr = opts.v5 ? 124 : 40;
  const stride = Math.ceil((opts.w * opts.bpp) / 32) * 4;
  const pal = opts.palette ?? [];
  const masks = opts.masks ?? [];
  const extra = opts.v5 ? 0 : masks.length * 4;
  const off = 14 + hdr + extra + pal.length * 4;
  const buf = new Uint8Array(off + stride * opts.h);
  const dv = new DataView(buf.buffer);
  buf[0] = 0x42;
  buf[1] = 0x4d;
  dv.setUint32(2, buf.length, true);
  dv.setUint32(10, off, true);
  dv.setUint32(14, hdr, true);
  dv.setInt32(18, opts.w, true);
  dv.setInt32(22, opts.topDown ? -opts.h : opts.h, true);
  dv.setUint16(26, 1, true);
  dv.setUint16(28, opts.bpp, true);
  dv.setUint32(30, opts.compression ?? 0, true);
  dv.setUint32(46, pal.length, true);
  masks.forEach((m, i) => dv.setUint32(14 + 40 + i * 4, m, true));
  pal.forEach(([r, g, b], i) => buf.set([b!, g!, r!, 0], 14 + hdr + extra + i * 4));
  opts.rows.forEach((row, y) => buf.set(row, off + (opts.topDown ? y : opts.h - 1 - y) * stride));
  return buf;
}

describe('decodeBmp', () => {
  it('24-bit bottom-up with row padding', () => {
    // 3x2: row 0 = red, green, blue; row 1 = white, black, grey (BGR in the file).
    const f = bmp({ w: 3, h: 2, bpp: 24, rows: [[0, 0, 255, 0, 255, 0, 255, 0, 0], [255, 255, 255, 0, 0, 0, 128, 128, 128]] });
    expect(isBmp(f)).toBe(true);
    const img = decodeBmp(f, 'a.bmp');
    expect([img.width, img.height, img.channels]).toEqual([3, 2, 3]);
    expect(Array.from(img.data)).toEqual([255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 128, 128, 128]);
  });

  it('32-bit top-down ignores the 4th byte; V5 header with bit fields', () => {
    const f = bmp({ w: 2, h: 1, bpp: 32, topDown: true, rows: [[10, 20, 30, 99, 40, 50, 60, 7]] });
    expect(Array.from(decodeBmp(f, 'b.bmp').data)).toEqual([30, 20, 10, 60, 50, 40]);
    const g = bmp({ w: 1, h: 1, bpp: 32, v5: true, compression: 3, masks: [0x0000ff00, 0x00ff0000, 0xff000000], rows: [[0, 1, 2, 3]] });
    // R in bits 8-15 (=1), G in 16-23 (=2), B in 24-31 (=3).
    expect(Array.from(decodeBmp(g, 'g.bmp').data)).toEqual([1, 2, 3]);
  });

  it('8-bit and 1-bit palettes', () => {
    const pal = [[0, 0, 0], [200, 100, 50], [1, 2, 3]];
    const f = bmp({ w: 3, h: 1, bpp: 8, palette: pal, rows: [[1, 2, 0]] });
    expect(Array.from(decodeBmp(f, 'c.bmp').data)).toEqual([200, 100, 50, 1, 2, 3, 0, 0, 0]);
    const m = bmp({ w: 10, h: 1, bpp: 1, palette: [[0, 0, 0], [255, 255, 255]], rows: [[0b10100000, 0b01000000]] });
    const px = Array.from(decodeBmp(m, 'd.bmp').data).filter((_, i) => i % 3 === 0);
    expect(px).toEqual([255, 0, 255, 0, 0, 0, 0, 0, 0, 255]);
  });

  it('16-bit 5-5-5 and 5-6-5 expand like OpenCV (shift up, low bits zero)', () => {
    const v555 = (31 << 10) | (16 << 5) | 1; // r=31 g=16 b=1
    const f = bmp({ w: 1, h: 1, bpp: 16, rows: [[v555 & 0xff, v555 >> 8]] });
    expect(Array.from(decodeBmp(f, 'e.bmp').data)).toEqual([248, 128, 8]);
    const v565 = (31 << 11) | (63 << 5) | 2;
    const g = bmp({ w: 1, h: 1, bpp: 16, compression: 3, masks: [0xf800, 0x07e0, 0x001f], rows: [[v565 & 0xff, v565 >> 8]] });
    expect(Array.from(decodeBmp(g, 'f.bmp').data)).toEqual([248, 252, 16]);
  });

  it('refuses RLE and truncated files with a one-line message', () => {
    expect(() => decodeBmp(bmp({ w: 2, h: 2, bpp: 8, palette: [[0, 0, 0]], compression: 1, rows: [] }), 'r.bmp')).toThrow(/r\.bmp: cannot decode as BMP \(compression 1/);
    const t = bmp({ w: 4, h: 4, bpp: 24, rows: [] }).subarray(0, 70);
    expect(() => decodeBmp(t, 't.bmp')).toThrow(/t\.bmp: .*truncated/);
  });
});

describe('decodeImageRgb on a BMP file', () => {
  it('a real photo saved as 24-bit BMP decodes to the same pixels as its JPEG decode', async () => {
    const { promises: fsp } = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { fileURLToPath } = await import('node:url');
    const { decodeImageRgb } = await import('./decode.js');
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const rgb = await decodeImageRgb(path.resolve(root, '../shared/data/images/fall_1054_sys.jpg'));
    const rows: number[][] = [];
    for (let y = 0; y < rgb.height; y++) {
      const row: number[] = [];
      for (let x = 0; x < rgb.width; x++) {
        const i = (y * rgb.width + x) * 3;
        row.push(rgb.data[i + 2]!, rgb.data[i + 1]!, rgb.data[i]!);
      }
      rows.push(row);
    }
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-bmp-'));
    try {
      const f = path.join(dir, 'photo.bmp');
      await fsp.writeFile(f, bmp({ w: rgb.width, h: rgb.height, bpp: 24, rows }));
      const back = await decodeImageRgb(f);
      expect([back.width, back.height]).toEqual([388, 574]);
      expect(Buffer.compare(Buffer.from(back.data), Buffer.from(rgb.data))).toBe(0);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});
