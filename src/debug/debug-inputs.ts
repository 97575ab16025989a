/**
 * What `magik-parity debug` runs on: the guide's json `debug` option (§3.2)
 * `{"open": bool, "debug_input_path": file or folder of images, "debug_output_dir": folder}`,
 * with `--input` / `--out` overriding the last two.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../errors.js';
import { sanitizeName } from '../names.js';
import { listCalibrationImages, sniffImage, type PtqConfig } from '../../reference/config/index.js';
import type { DebugImage } from './distance-table.js';

export interface DebugInputs {
  /** Images in file-name order (one or more). */
  images: DebugImage[];
  /** Per image, the absolute folder its dumps go to: `out` itself for one image, else `out/<stem>`. */
  folders: string[];
  /** Absolute output folder. */
  out: string;
  /** Where the images and the output folder came from, and `open: false`, one line each. */
  notes: string[];
  warnings: string[];
}

export interface DebugInputOptions {
  /** `--input`: an image or a folder of images (overrides `debug.debug_input_path`). */
  input?: string;
  /** `--out` (overrides `debug.debug_output_dir`). */
  out?: string;
}

/**
 * Resolves the images and the output folder. Throws UserError naming the config key or option:
 * no image source (no `debug` section and no `--input`), a path that does not exist, a folder
 * without images, a file that is not an image, no output folder.
 */
export async function resolveDebugInputs(cfg: PtqConfig, o: DebugInputOptions): Promise<DebugInputs> {
  const notes: string[] = [];
  const warnings: string[] = [];
  const key = o.input !== undefined ? '--input' : '"debug.debug_input_path"';
  const given = o.input !== undefined ? path.resolve(o.input) : cfg.debug.debugInputPath;
  if (given === null) {
    throw new UserError(
      'CONFIG_FORMAT',
      `${cfg.file}: no "debug" section with "debug_input_path" (the image or image folder to debug with), and no --input`,
      'add "debug": {"open": true, "debug_input_path": "./test_image", "debug_output_dir": "./dump_data"} (guide §3.2), or pass --input IMAGE_OR_FOLDER',
    );
  }
  if (o.input === undefined && !cfg.debug.open) {
    notes.push(`${cfg.file}: "debug.open" is false, so the transform tool would skip the debug run; running it anyway because you asked (set "open": true to have the vendor tool do the same)`);
  }
  let st;
  try {
    st = await fsp.stat(given);
  } catch {
    throw new UserError('FILE_NOT_FOUND', `${key} ${given}: not found`, `give an image file or a folder of JPEG/PNG/BMP images${o.input === undefined ? ` (relative paths are resolved against ${path.dirname(cfg.file)})` : ''}`);
  }
  const files: string[] = [];
  if (st.isDirectory()) {
    let listed;
    try {
      listed = await listCalibrationImages(given, Number.MAX_SAFE_INTEGER);
    } catch (e) {
      if (e instanceof UserError) throw new UserError('FILE_NOT_FOUND', `${key} ${given}: no JPEG/PNG/BMP image in the folder`, 'put the images to debug with there, or point it at one image file');
      throw e;
    }
    files.push(...listed.images);
    for (const s of listed.skipped) warnings.push(`${key} ${given}: skipped ${path.basename(s.file)}: ${s.reason}`);
  } else {
    const buf = await fsp.readFile(given);
    const r = sniffImage(buf.subarray(0, 1 << 16), buf.subarray(Math.max(0, buf.length - 1024)), buf.length);
    if (!('kind' in r)) throw new UserError('IMAGE_FORMAT', `${key} ${given}: ${r.reason}`, 'give a JPEG, PNG or BMP image, or a folder of them');
    files.push(given);
  }
  const outGiven = o.out !== undefined ? path.resolve(o.out) : cfg.debug.debugOutputDir;
  if (outGiven === null) {
    throw new UserError('USAGE', `${cfg.file}: no "debug.debug_output_dir" and no --out: where should the dumps go?`, 'pass --out DIR, or set "debug_output_dir" in the config');
  }
  const images = files.map((f) => ({ label: path.basename(f), file: f }));
  const folders = images.length === 1 ? [outGiven] : imageFolders(outGiven, images);
  return { images, folders, out: outGiven, notes, warnings };
}

/** `out/<sanitized file stem>`, made unique with `_2`, `_3`, ... (case-insensitively). */
function imageFolders(out: string, images: readonly DebugImage[]): string[] {
  // names the debug layout itself uses are never an image folder
  const used = new Set<string>(['float_model', 'ptq_model', 'ptq_model_dequantize', 'magik_data_dump']);
  return images.map((im) => {
    const stem = sanitizeName(path.parse(im.label).name) || 'image';
    let name = stem;
    for (let k = 2; used.has(name.toLowerCase()); k++) name = `${stem}_${k}`;
    used.add(name.toLowerCase());
    return path.join(out, name);
  });
}
