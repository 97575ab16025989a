import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { loadOpenCv, type Cv } from './cv-oracle.test-util.js';
import { prepareImage, writePreparedInput, defaultInputName } from './prepare-image.js';
import { decodeImageRgb, parseChannelOrder } from './decode.js';
import { UserError } from '../errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const img = (name: string): string => path.resolve(repoRoot, '../shared/data/images', name);

let cv: Cv;
let tmp: string;
beforeAll(async () => {
  cv = (await loadOpenCv()).cv;
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-prepare-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

/**
 * The same letterbox done by OpenCV itself: decoded pixels (sharp = imread here) -> cvtColor to
 * the wanted order -> cv.resize INTER_LINEAR -> cv.copyMakeBorder BORDER_CONSTANT.
 */
async function cvLetterbox(file: string, order: 'RGB' | 'BGR', rw: number, rh: number, pad: [number, number, number, number], value: number): Promise<Uint8Array> {
  const rgb = await decodeImageRgb(file);
  const src = cv.matFromArray(rgb.height, rgb.width, cv.CV_8UC3, Array.from(rgb.data));
  const conv = new cv.Mat();
  const small = new cv.Mat();
  const out = new cv.Mat();
  try {
    if (order === 'BGR') cv.cvtColor(src, conv, cv.COLOR_RGB2BGR);
    else src.copyTo(conv);
    cv.resize(conv, small, new cv.Size(rw, rh), 0, 0, cv.INTER_LINEAR);
    const [top, bottom, left, right] = pad;
    cv.copyMakeBorder(small, out, top, bottom, left, right, cv.BORDER_CONSTANT, new cv.Scalar(value, value, value, 0));
    return new Uint8Array(out.data);
  } finally {
    src.delete();
    conv.delete();
    small.delete();
    out.delete();
  }
}

describe('prepareImage equals OpenCV letterbox on the shared photos', () => {
  const cases: [string, number, number, 'RGB' | 'BGR', number][] = [
    ['fall_1054_sys.jpg', 640, 384, 'BGR', 0],
    ['dog.jpg', 416, 416, 'BGR', 114],
    ['dog.jpg', 320, 240, 'RGB', 0],
    ['faces_1.jpg', 320, 320, 'BGR', 0],
    ['faces_3.jpg', 352, 352, 'RGB', 127],
    ['fall_1054_sys.jpg', 333, 201, 'BGR', 114],
  ];
  for (const [name, w, h, order, value] of cases) {
    it(`${name} -> ${w}x${h} ${order} pad ${value}`, async () => {
      const p = await prepareImage({ image: img(name), width: w, height: h, format: order, padValue: value });
      expect(p.shape).toEqual([1, h, w, 3]);
      expect(p.data.length).toBe(w * h * 3);
      const g = p.geometry;
      const ref = await cvLetterbox(img(name), order, g.resizedWidth, g.resizedHeight, [g.top, g.bottom, g.left, g.right], value);
      expect(Buffer.compare(Buffer.from(p.data), Buffer.from(ref))).toBe(0);
      // The border really holds the pad value (when there is one).
      if (g.left > 0) expect(Array.from(p.data.subarray(0, 3))).toEqual([value, value, value]);
      if (g.top > 0) expect(Array.from(p.data.subarray(0, 3))).toEqual([value, value, value]);
    });
  }

  it('the guide example: fall_1054_sys.jpg is 388x574 and lands at 260x384, 190 px each side', async () => {
    const p = await prepareImage({ image: img('fall_1054_sys.jpg'), width: 640, height: 384 });
    expect([p.geometry.srcWidth, p.geometry.srcHeight]).toEqual([388, 574]);
    expect([p.geometry.resizedWidth, p.geometry.left, p.geometry.right]).toEqual([260, 190, 190]);
    // Column 189 is border, column 190 is image.
    const px = (x: number, y: number): number[] => Array.from(p.data.subarray((y * 640 + x) * 3, (y * 640 + x) * 3 + 3));
    expect(px(189, 100)).toEqual([0, 0, 0]);
    expect(px(450, 100)).toEqual([0, 0, 0]);
    expect(px(190, 100)).not.toEqual([0, 0, 0]);
  });

  it('stretch equals cv.resize to the full size; RGB and BGR are channel swaps of each other', async () => {
    const bgr = await prepareImage({ image: img('dog.jpg'), width: 320, height: 240, mode: 'stretch' });
    const rgb = await prepareImage({ image: img('dog.jpg'), width: 320, height: 240, mode: 'stretch', format: 'RGB' });
    const ref = await cvLetterbox(img('dog.jpg'), 'BGR', 320, 240, [0, 0, 0, 0], 0);
    expect(Buffer.compare(Buffer.from(bgr.data), Buffer.from(ref))).toBe(0);
    for (let i = 0; i < 3000; i += 3) {
      expect([rgb.data[i], rgb.data[i + 1], rgb.data[i + 2]]).toEqual([bgr.data[i + 2], bgr.data[i + 1], bgr.data[i]]);
    }
  });
});

describe('decodeImageRgb', () => {
  it('applies EXIF orientation like imread (orientation 6 = rotate 90 degrees clockwise)', async () => {
    const w = 24;
    const h = 16;
    const raw = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) raw.set([x * 10, y * 15, 128], (y * w + x) * 3);
    const plain = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 95 }).toBuffer();
    const tagged = await sharp(raw, { raw: { width: w, height: h, channels: 3 } }).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    await fsp.writeFile(path.join(tmp, 'plain.jpg'), plain);
    await fsp.writeFile(path.join(tmp, 'rot6.jpg'), tagged);
    const a = await decodeImageRgb(path.join(tmp, 'plain.jpg'));
    const b = await decodeImageRgb(path.join(tmp, 'rot6.jpg'));
    expect([a.width, a.height]).toEqual([w, h]);
    expect([b.width, b.height]).toEqual([h, w]);
    // Rotated 90 deg CW: b(x', y') = a(x = y', y = h - 1 - x').
    let same = 0;
    for (let yy = 0; yy < w; yy++) {
      for (let xx = 0; xx < h; xx++) {
        const ai = ((h - 1 - xx) * w + yy) * 3;
        const bi = (yy * h + xx) * 3;
        if (a.data[ai] === b.data[bi] && a.data[ai + 1] === b.data[bi + 1] && a.data[ai + 2] === b.data[bi + 2]) same++;
      }
    }
    expect(same).toBe(w * h);
  });

  it('replicates a grey PNG to three equal channels and drops alpha', async () => {
    const grey = await sharp(Buffer.from([0, 50, 100, 150, 200, 250]), { raw: { width: 3, height: 2, channels: 1 } }).png().toBuffer();
    await fsp.writeFile(path.join(tmp, 'grey.png'), grey);
    const g = await decodeImageRgb(path.join(tmp, 'grey.png'));
    expect(Array.from(g.data)).toEqual([0, 0, 0, 50, 50, 50, 100, 100, 100, 150, 150, 150, 200, 200, 200, 250, 250, 250]);
    const rgba = await sharp(Buffer.from([10, 20, 30, 0, 40, 50, 60, 255]), { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    await fsp.writeFile(path.join(tmp, 'rgba.png'), rgba);
    expect(Array.from((await decodeImageRgb(path.join(tmp, 'rgba.png'))).data)).toEqual([10, 20, 30, 40, 50, 60]);
  });
});

describe('bad input', () => {
  const expectUserError = async (p: Promise<unknown>, code: string, re: RegExp): Promise<void> => {
    const e = await p.then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe(code);
    expect((e as UserError).message).toMatch(re);
    expect((e as UserError).message).not.toContain('\n');
  };

  it('an image that cannot be decoded', async () => {
    const f = path.join(tmp, 'not-an-image.jpg');
    await fsp.writeFile(f, 'this is text, not a JPEG\n');
    await expectUserError(prepareImage({ image: f, width: 64, height: 64 }), 'IMAGE_FORMAT', /not-an-image\.jpg: cannot decode/);
    const empty = path.join(tmp, 'empty.png');
    await fsp.writeFile(empty, '');
    await expectUserError(prepareImage({ image: empty, width: 64, height: 64 }), 'IMAGE_FORMAT', /empty\.png: empty file/);
    await expectUserError(prepareImage({ image: path.join(tmp, 'missing.jpg'), width: 64, height: 64 }), 'FILE_NOT_FOUND', /missing\.jpg: not found/);
  });

  it('unknown --format, width/height <= 0', async () => {
    expect(() => parseChannelOrder('YUV')).toThrow(/--format "YUV": unknown channel order/);
    expect(parseChannelOrder('rgb')).toBe('RGB');
    await expectUserError(prepareImage({ image: img('dog.jpg'), width: 0, height: 64 }), 'USAGE', /width 0/);
    await expectUserError(prepareImage({ image: img('dog.jpg'), width: 64, height: -1 }), 'USAGE', /height -1/);
  });

  it('output not writable', async () => {
    const p = await prepareImage({ image: img('dog.jpg'), width: 32, height: 32 });
    await expectUserError(writePreparedInput(p, path.join(tmp, 'no/such/folder/x.bin')), 'OUTPUT_UNWRITABLE', /no\/such\/folder: output folder/);
  });
});

describe('writePreparedInput', () => {
  it('uses the vendor name in a folder, or the given file name, atomically', async () => {
    const p = await prepareImage({ image: img('dog.jpg'), width: 64, height: 48 });
    expect(defaultInputName(p.shape)).toBe('magik_input_nhwc_1_48_64_3.bin');
    const a = await writePreparedInput(p, tmp);
    expect(path.basename(a)).toBe('magik_input_nhwc_1_48_64_3.bin');
    expect(Buffer.compare(await fsp.readFile(a), Buffer.from(p.data))).toBe(0);
    const b = await writePreparedInput(p, 'named.bin', tmp);
    expect(b).toBe(path.join(tmp, 'named.bin'));
    expect((await fsp.readdir(tmp)).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });
});

describe('decodeImageRgb ignores embedded ICC profiles (as imread does)', () => {
  /** Removes APP2 "ICC_PROFILE" segments from a JPEG. */
  function stripIcc(jpeg: Buffer): Buffer {
    const parts: Buffer[] = [jpeg.subarray(0, 2)];
    let i = 2;
    while (i + 4 <= jpeg.length && jpeg[i] === 0xff) {
      const m = jpeg[i + 1]!;
      if (m === 0xda) break; // start of scan: the rest is entropy-coded data
      const len = jpeg.readUInt16BE(i + 2);
      const seg = jpeg.subarray(i, i + 2 + len);
      if (!(m === 0xe2 && seg.subarray(4, 15).toString('latin1') === 'ICC_PROFILE')) parts.push(seg);
      i += 2 + len;
    }
    parts.push(jpeg.subarray(i));
    return Buffer.concat(parts);
  }

  it('a JPEG tagged with a Display P3 profile decodes to its stored values', async () => {
    const { data } = await sharp(img('dog.jpg')).resize(64, 48).raw().toBuffer({ resolveWithObject: true });
    const tagged = await sharp(data, { raw: { width: 64, height: 48, channels: 3 } }).withIccProfile('p3').jpeg({ quality: 90 }).toBuffer();
    const untagged = stripIcc(tagged);
    expect(untagged.length).toBeLessThan(tagged.length);
    expect((await sharp(untagged).metadata()).icc).toBeUndefined();
    await fsp.writeFile(path.join(tmp, 'p3.jpg'), tagged);
    await fsp.writeFile(path.join(tmp, 'p3-stripped.jpg'), untagged);
    const a = await decodeImageRgb(path.join(tmp, 'p3.jpg'));
    const b = await decodeImageRgb(path.join(tmp, 'p3-stripped.jpg'));
    expect(Buffer.compare(Buffer.from(a.data), Buffer.from(b.data))).toBe(0);
    // Without ignoring the profile, sharp would convert P3 to sRGB and change the values.
    const converted = await sharp(tagged).raw().toBuffer();
    expect(Buffer.compare(converted, Buffer.from(a.data))).not.toBe(0);
  });
});
