/**
 * input_uint8.bin: the network input as uint8 NHWC, before mean/var (FORMATS.md §1-§3).
 * 3 channels from the PC tools, 4 from the board (channel 3 must be 0).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UserError, fsError } from '../errors.js';
import { shapeFromInputName } from '../names.js';

export interface InputImage {
  file: string;
  /** NHWC bytes as stored (3 or 4 channels). */
  data: Uint8Array;
  /** NHWC shape as stored. */
  shape: [number, number, number, number];
  /** Where the shape came from. */
  shapeSource: 'option' | 'file-name' | 'model';
  /** For a 4-channel file: how many channel-3 values are non-zero (should be 0). */
  channel3NonZero: number;
}

export interface InputShapeHints {
  /** `--input-shape`, NHWC. */
  shape?: number[];
  /** The model input's dims, NCHW; symbolic dims as null. */
  modelShape?: (number | null)[] | null;
}

/** Parses `--input-shape` text: "1,384,640,3" or "1x384x640x3" (NHWC). */
export function parseShapeOption(text: string, option = '--input-shape'): number[] {
  const parts = text.split(/[,x ]+/).filter((s) => s.length > 0);
  const dims = parts.map(Number);
  if (dims.length === 0 || dims.some((d) => !Number.isInteger(d) || d <= 0)) {
    throw new UserError('USAGE', `${option} "${text}": expected positive integers like 1,384,640,3`, 'give the NHWC shape of the input');
  }
  return dims;
}

function candidateShapes(file: string, hints: InputShapeHints): { shape: number[]; source: InputImage['shapeSource'] }[] {
  const out: { shape: number[]; source: InputImage['shapeSource'] }[] = [];
  if (hints.shape) out.push({ shape: hints.shape, source: 'option' });
  const fromName = shapeFromInputName(path.basename(file));
  if (fromName) out.push({ shape: fromName, source: 'file-name' });
  const m = hints.modelShape;
  if (m && m.length === 4 && m.every((d) => typeof d === 'number' && d > 0)) {
    const [n, c, h, w] = m as number[];
    out.push({ shape: [n!, h!, w!, c!], source: 'model' });
  }
  return out;
}

/**
 * Reads input_uint8.bin. The shape comes from `--input-shape`, the file name, or the model, in
 * that order; a file holding 4 channels where 3 are expected is accepted as a board input.
 */
export async function readInputU8(file: string, hints: InputShapeHints = {}): Promise<InputImage> {
  let data: Uint8Array;
  try {
    data = new Uint8Array(await fsp.readFile(file));
  } catch (e) {
    throw fsError(e, file, 'read the input');
  }
  const cands = candidateShapes(file, hints);
  if (cands.length === 0) {
    throw new UserError('SHAPE_MISMATCH', `${file}: cannot tell the input shape (${data.length} bytes)`, 'pass --input-shape N,H,W,C or name the file magik_input_nhwc_N_H_W_C.bin');
  }
  const tried: string[] = [];
  for (const { shape, source } of cands) {
    if (shape.length !== 4) {
      throw new UserError('USAGE', `input shape [${shape.join(',')}] (from ${source}) is not 4-D NHWC`, 'give N,H,W,C');
    }
    const [n, h, w, c] = shape as [number, number, number, number];
    const count3 = n * h * w * c;
    if (data.length === count3) return finish(file, data, [n, h, w, c], source);
    if (c === 3 && data.length === n * h * w * 4) return finish(file, data, [n, h, w, 4], source);
    tried.push(`[${shape.join(',')}] from ${source} needs ${count3} bytes${c === 3 ? ` (or ${n * h * w * 4} with 4 channels)` : ''}`);
  }
  throw new UserError('SHAPE_MISMATCH', `${file}: ${data.length} bytes do not fit the input shape: ${tried.join('; ')}`, 'check --input-shape, the file name, or that this is the input for this model');
}

function finish(file: string, data: Uint8Array, shape: [number, number, number, number], source: InputImage['shapeSource']): InputImage {
  let nz = 0;
  if (shape[3] === 4) for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) nz++;
  return { file, data, shape, shapeSource: source, channel3NonZero: nz };
}

/** The image's first three channels as a packed NHWC 3-channel copy (board inputs have 4). */
export function toThreeChannels(img: InputImage): Uint8Array {
  const c = img.shape[3];
  if (c === 3) return img.data;
  const px = img.data.length / c;
  const out = new Uint8Array(px * 3);
  for (let i = 0; i < px; i++) {
    out[i * 3] = img.data[i * c]!;
    out[i * 3 + 1] = img.data[i * c + 1]!;
    out[i * 3 + 2] = img.data[i * c + 2]!;
  }
  return out;
}
