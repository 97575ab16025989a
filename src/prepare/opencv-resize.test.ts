import { describe, it, expect, beforeAll } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadOpenCv, cvResizeLinear, type Cv } from './cv-oracle.test-util.js';
import { resizeBilinearOpenCv, type ImageU8 } from './opencv-resize.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const imagesDir = path.resolve(repoRoot, '../shared/data/images');

let cv: Cv;
beforeAll(async () => {
  cv = (await loadOpenCv()).cv;
});

/** OpenCV's own result (opencv-js 4.5, WASM, no SIMD/IPP). */
function cvResize(img: ImageU8, w: number, h: number): Uint8Array {
  return cvResizeLinear(cv, img.data, img.width, img.height, img.channels, w, h);
}

/** Deterministic pseudo-random image (xorshift), so failures reproduce. */
function noise(width: number, height: number, channels: number, seed: number): ImageU8 {
  const data = new Uint8Array(width * height * channels);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data[i] = x & 0xff;
  }
  return { data, width, height, channels };
}

async function photo(name: string): Promise<ImageU8> {
  const { data, info } = await sharp(path.join(imagesDir, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: info.channels };
}

function firstDiff(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('resizeBilinearOpenCv vs cv.resize INTER_LINEAR', () => {
  const pairs: [number, number, number, number, number][] = [
    // sw, sh, dw, dh, channels
    [7, 5, 3, 2, 3], // tiny downscale
    [3, 2, 7, 5, 3], // tiny upscale
    [1, 1, 5, 4, 3], // single pixel
    [5, 4, 1, 1, 3], // to a single pixel
    [2, 2, 1, 1, 3], // exact 1/2 (area path)
    [64, 48, 32, 24, 3], // exact 1/2 (area path)
    [64, 48, 32, 25, 3], // 1/2 in x only
    [100, 80, 300, 240, 3], // exact x3 upscale
    [97, 61, 41, 29, 3], // odd, non-integer down
    [41, 29, 97, 61, 3], // odd, non-integer up
    [50, 50, 50, 17, 3], // one axis unchanged
    [33, 77, 33, 77, 3], // same size (copy)
    [120, 90, 45, 30, 1], // 1 channel
    [120, 90, 47, 200, 4], // 4 channels, mixed
    [640, 480, 213, 160, 3], // 1/3 (integer scale, not the area path)
    [17, 300, 5, 1000, 3], // extreme aspect
  ];
  for (const [sw, sh, dw, dh, cn] of pairs) {
    it(`${sw}x${sh}x${cn} -> ${dw}x${dh}`, () => {
      const img = noise(sw, sh, cn, sw * 7919 + sh * 31 + dw + dh * 3 + cn);
      const ours = resizeBilinearOpenCv(img, dw, dh);
      expect(ours.width).toBe(dw);
      expect(ours.height).toBe(dh);
      expect(firstDiff(ours.data, cvResize(img, dw, dh))).toBe(-1);
    });
  }

  it('120 random size pairs (1..90 px, 1-4 channels, up and down) match byte for byte', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return 1 + ((seed >>> 8) % n);
    };
    const bad: string[] = [];
    for (let k = 0; k < 120; k++) {
      const [sw, sh, dw, dh, cn] = [rnd(90), rnd(90), rnd(90), rnd(90), rnd(4)];
      const img = noise(sw, sh, cn, k + 1);
      if (firstDiff(resizeBilinearOpenCv(img, dw, dh).data, cvResize(img, dw, dh)) !== -1) bad.push(`${sw}x${sh}x${cn}->${dw}x${dh}`);
    }
    expect(bad).toEqual([]);
  });

  const photos = ['dog.jpg', 'fall_1054_sys.jpg', 'faces_1.jpg', 'faces_3.jpg'];
  const sizes: [number, number][] = [
    [416, 416],
    [320, 320],
    [640, 384],
    [352, 352],
    [320, 240],
    [333, 187],
    [1001, 999],
  ];
  for (const name of photos) {
    it(`${name} at ${sizes.map((s) => s.join('x')).join(', ')}`, async () => {
      const img = await photo(name);
      for (const [w, h] of sizes) {
        const d = firstDiff(resizeBilinearOpenCv(img, w, h).data, cvResize(img, w, h));
        expect({ size: `${w}x${h}`, firstDiff: d }).toEqual({ size: `${w}x${h}`, firstDiff: -1 });
      }
    });
  }

  it('exact halving of a photo (OpenCV switches to its 2x2 area average, equivalent here) matches', async () => {
    const img = await photo('fall_1054_sys.jpg'); // 388x574 -> 194x287
    expect(firstDiff(resizeBilinearOpenCv(img, 194, 287).data, cvResize(img, 194, 287))).toBe(-1);
  });

  it('rejects a zero-size target', () => {
    expect(() => resizeBilinearOpenCv(noise(4, 4, 3, 1), 0, 3)).toThrow(/not a positive/);
  });
});
