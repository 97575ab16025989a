import { afterAll, describe, expect, it, beforeAll } from 'vitest';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listCalibrationImages, sniffImage } from './calibration-images.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CALIB = path.resolve(repoRoot, '../shared/data/images/calib');

let dir: string;
const jpgs = readdirSync(CALIB).filter((f) => f.endsWith('.jpg')).sort();

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'calib-'));
  for (const f of jpgs) copyFileSync(path.join(CALIB, f), path.join(dir, f));
  writeFileSync(path.join(dir, 'tmp.txt'), 'notes\n'); // the guide §4.2's failing example
  const good = readFileSync(path.join(CALIB, jpgs[0]!));
  writeFileSync(path.join(dir, 'corrupt.jpg'), good.subarray(0, good.length >> 1)); // truncated JPEG
  writeFileSync(path.join(dir, 'fake.png'), 'this is not a png');
  writeFileSync(path.join(dir, 'image_without_extension'), good); // a JPEG by content
  mkdirSync(path.join(dir, 'sub'));
  writeFileSync(path.join(dir, 'secret.jpg'), good);
  chmodSync(path.join(dir, 'secret.jpg'), 0o000);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('listCalibrationImages', () => {
  it('uses images by content, sorted, first N; skips the rest with a warning naming them', async () => {
    const r = await listCalibrationImages(dir, 10);
    const readable = process.getuid?.() === 0; // root can read a 000 file
    expect(r.found).toBe(jpgs.length + 1 + (readable ? 1 : 0));
    expect(r.images.map((f) => path.basename(f))).toEqual([...jpgs, 'image_without_extension', ...(readable ? ['secret.jpg'] : [])].sort().slice(0, 10));
    const why = Object.fromEntries(r.skipped.map((s) => [path.basename(s.file), s.reason]));
    expect(why['tmp.txt']).toBe('not an image (no JPEG, PNG or BMP signature)');
    expect(why['corrupt.jpg']).toBe('corrupt JPEG: no end-of-image marker (truncated file?)');
    expect(why['fake.png']).toBe('not an image (no JPEG, PNG or BMP signature)');
    expect(why['sub']).toBe('sub-folder (not searched)');
    if (!readable) expect(why['secret.jpg']).toBe('unreadable (permission denied)');
    expect(r.warnings.some((w) => w.includes('skipped tmp.txt: not an image') && w.includes('the vendor tool fails on such files'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('skipped corrupt.jpg: corrupt JPEG'))).toBe(true);
    expect(r.warnings.some((w) => w.includes('used_image_num'))).toBe(false);
  });
  it('too few images → a warning with the counts', async () => {
    const r = await listCalibrationImages(dir, 100);
    expect(r.images.length).toBe(r.found);
    expect(r.warnings.at(-1)).toBe(`calibration folder ${dir}: ${r.found} images found, used_image_num is 100; calibrating on ${r.found}`);
  });
  it('missing folder, a file, or no images → CONFIG_FORMAT', async () => {
    await expect(listCalibrationImages(path.join(dir, 'nope'), 5)).rejects.toMatchObject({ code: 'CONFIG_FORMAT', message: `calibration path ${path.join(dir, 'nope')}: folder not found` });
    await expect(listCalibrationImages(path.join(dir, 'tmp.txt'), 5)).rejects.toMatchObject({ code: 'CONFIG_FORMAT', message: expect.stringContaining('is a file, expected a folder') });
    await expect(listCalibrationImages(path.join(dir, 'sub'), 5)).rejects.toMatchObject({ code: 'CONFIG_FORMAT', message: expect.stringContaining('no JPEG/PNG/BMP image found (0 entries checked)') });
  });
  it('sniffs PNG and BMP structure', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000002000000030806000000', 'hex');
    const iend = Buffer.from('0000000049454e44ae426082', 'hex');
    expect(sniffImage(png, iend, 100)).toEqual({ kind: 'png' });
    expect(sniffImage(png, Buffer.from('0000'), 100)).toEqual({ reason: 'corrupt PNG: no IEND chunk (truncated file?)' });
    const bmp = Buffer.alloc(60);
    bmp.write('BM', 0);
    bmp.writeUInt32LE(60, 2);
    bmp.writeUInt32LE(54, 10);
    expect(sniffImage(bmp, bmp.subarray(-2), 60)).toEqual({ kind: 'bmp' });
    expect(sniffImage(bmp, bmp.subarray(-2), 58)).toEqual({ reason: 'corrupt BMP: header says 60 bytes, file has 58 (truncated?)' });
    expect(sniffImage(new Uint8Array(0), new Uint8Array(0), 0)).toEqual({ reason: 'empty file' });
  });
});
