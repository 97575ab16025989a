/**
 * The calibration folder (`path` in ptq_config.json). The guide §4.2 warns that any non-image file
 * in it makes the vendor tool fail; we use images only — recognised by their content (JPEG, PNG, BMP
 * magic bytes plus a structural check), not by extension — and skip everything else with a warning
 * naming the file. The folder itself is never modified.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../src/errors.js';

export type ImageKind = 'jpeg' | 'png' | 'bmp';

export interface SkippedFile {
  /** Absolute path. */
  file: string;
  reason: string;
}

export interface CalibrationImages {
  /** Absolute paths of the images used: sorted by file name (code-point order), the first N. */
  images: string[];
  /** Every entry of the folder that is not a usable image, with why. */
  skipped: SkippedFile[];
  /** One line each: skipped files, too few images. */
  warnings: string[];
  /** Usable images found in the folder (≥ images.length). */
  found: number;
}

/** How many bytes of each file are read to check it. */
const HEAD_BYTES = 1 << 16;

/**
 * Checks the content of an image file. Returns the kind, or a reason why it is not a usable image.
 * `head` is the start of the file (up to 64 KiB), `tail` its last bytes, `size` its length.
 */
export function sniffImage(head: Uint8Array, tail: Uint8Array, size: number): { kind: ImageKind } | { reason: string } {
  const b = head;
  if (size === 0) return { reason: 'empty file' };
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return checkJpeg(b, tail);
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) {
    return checkPng(b, tail);
  }
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return checkBmp(b, size);
  return { reason: 'not an image (no JPEG, PNG or BMP signature)' };
}

function checkJpeg(b: Uint8Array, tail: Uint8Array): { kind: ImageKind } | { reason: string } {
  // Walk the marker segments from SOI to a frame header (SOFn) — ITU-T T.81 Annex B.
  let i = 2;
  let frame = false;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return { reason: `corrupt JPEG: bad marker structure at byte ${i}` };
    const m = b[i + 1]!;
    if (m === 0xff) {
      i++;
      continue;
    }
    if (m === 0xd9 || m === 0xda) break; // EOI / start of scan
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (len < 2) return { reason: `corrupt JPEG: bad segment length at byte ${i}` };
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (i + 9 > b.length) break;
      const w = (b[i + 7]! << 8) | b[i + 8]!;
      if (w === 0) return { reason: 'corrupt JPEG: frame width 0' };
      frame = true;
      break;
    }
    i += 2 + len;
  }
  if (!frame) return { reason: 'corrupt JPEG: no frame header (SOF) found' };
  let eoi = false;
  for (let k = tail.length - 2; k >= 0; k--) {
    if (tail[k] === 0xff && tail[k + 1] === 0xd9) {
      eoi = true;
      break;
    }
  }
  if (!eoi) return { reason: 'corrupt JPEG: no end-of-image marker (truncated file?)' };
  return { kind: 'jpeg' };
}

function checkPng(b: Uint8Array, tail: Uint8Array): { kind: ImageKind } | { reason: string } {
  // PNG spec §5.3/§11.2.2: the first chunk is IHDR (length 13); the last is IEND.
  const ihdr = b.length >= 24 && b[12] === 0x49 && b[13] === 0x48 && b[14] === 0x44 && b[15] === 0x52;
  if (!ihdr) return { reason: 'corrupt PNG: first chunk is not IHDR' };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (dv.getUint32(16) === 0 || dv.getUint32(20) === 0) return { reason: 'corrupt PNG: zero width or height' };
  const t = Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength);
  if (t.lastIndexOf('IEND') < 0) return { reason: 'corrupt PNG: no IEND chunk (truncated file?)' };
  return { kind: 'png' };
}

function checkBmp(b: Uint8Array, size: number): { kind: ImageKind } | { reason: string } {
  if (b.length < 26) return { reason: 'corrupt BMP: header too short' };
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const declared = dv.getUint32(2, true);
  const dataOffset = dv.getUint32(10, true);
  if (dataOffset >= size) return { reason: 'corrupt BMP: pixel data offset past the end of the file' };
  if (declared > size) return { reason: `corrupt BMP: header says ${declared} bytes, file has ${size} (truncated?)` };
  return { kind: 'bmp' };
}

async function readHeadTail(file: string): Promise<{ head: Uint8Array; tail: Uint8Array; size: number }> {
  const fh = await fsp.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(Math.min(size, HEAD_BYTES));
    await fh.read(head, 0, head.length, 0);
    const tailLen = Math.min(size, 1024);
    const tail = Buffer.alloc(tailLen);
    await fh.read(tail, 0, tailLen, size - tailLen);
    return { head, tail, size };
  } finally {
    await fh.close();
  }
}

/**
 * Lists the calibration images of `dir`: usable images sorted by file name, the first
 * `usedImageNum`. Non-image, corrupt, unreadable files and sub-folders are skipped with a warning.
 * Throws UserError CONFIG_FORMAT when the folder is missing, not a folder, or holds no image.
 */
export async function listCalibrationImages(dir: string, usedImageNum: number): Promise<CalibrationImages> {
  const abs = path.resolve(dir);
  let names: string[];
  try {
    const st = await fsp.stat(abs);
    if (!st.isDirectory()) throw new UserError('CONFIG_FORMAT', `calibration path ${abs}: is a file, expected a folder of images`, 'set "path" in the PTQ config to the image folder');
    names = await fsp.readdir(abs);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'folder not found' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `cannot be read (${code ?? String(e)})`;
    throw new UserError('CONFIG_FORMAT', `calibration path ${abs}: ${why}`, 'set "path" in the PTQ config (relative to the config file\'s folder) to a folder of JPEG/PNG/BMP images');
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const found: string[] = [];
  const skipped: SkippedFile[] = [];
  for (const name of names) {
    const file = path.join(abs, name);
    let info;
    try {
      const st = await fsp.stat(file);
      if (st.isDirectory()) {
        skipped.push({ file, reason: 'sub-folder (not searched)' });
        continue;
      }
      if (!st.isFile()) {
        skipped.push({ file, reason: 'not a regular file' });
        continue;
      }
      info = await readHeadTail(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      skipped.push({ file, reason: `unreadable (${code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? String(e))})` });
      continue;
    }
    const r = sniffImage(info.head, info.tail, info.size);
    if ('kind' in r) found.push(file);
    else skipped.push({ file, reason: r.reason });
  }
  const warnings = skipped.map((s) => `calibration folder ${abs}: skipped ${path.basename(s.file)}: ${s.reason} (the vendor tool fails on such files; remove it)`);
  if (found.length === 0) {
    throw new UserError(
      'CONFIG_FORMAT',
      `calibration path ${abs}: no JPEG/PNG/BMP image found (${names.length} entr${names.length === 1 ? 'y' : 'ies'} checked)`,
      'put 10-100 images from the training or validation set there (guide §4.2)',
    );
  }
  if (found.length < usedImageNum) {
    warnings.push(`calibration folder ${abs}: ${found.length} image${found.length === 1 ? '' : 's'} found, used_image_num is ${usedImageNum}; calibrating on ${found.length}`);
  }
  return { images: found.slice(0, usedImageNum), skipped, warnings, found: found.length };
}
