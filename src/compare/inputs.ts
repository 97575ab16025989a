/**
 * Input identity (guide §6.2, TRIAGE.md): every source's input dump must equal input_uint8.bin.
 * A 4-channel board input is compared on channels 0-2, and its channel 3 must be all zero.
 */
import { readFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Source } from './sources.js';
import type { InputCheck, ReportInputs } from '../report/schema.js';
import { fsError } from '../errors.js';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/**
 * The uint8 input a source was made from: `input_uint8.bin` beside its dumps (our folders, the
 * transform tool's debug folder), else its vendor-style input dump (`input_data_shape_*`,
 * `magik_input_nhwc_*`; 4 channels on the board). A manifest folder's role-'input' tensor is
 * the model input after mean/var (or quantized), not the raw uint8 bytes, so it is not used.
 */
export function findInputFile(src: Source): string | null {
  for (const dir of [src.set.root, path.dirname(src.set.root)]) {
    const f = path.join(dir, 'input_uint8.bin');
    if (existsSync(f)) return f;
  }
  if (src.set.kind === 'manifest') return null;
  const e = src.set.entries.find((x) => x.role === 'input' && (x.dtype === 'uint8' || x.dtype === null) && !x.problem);
  return e ? e.file : null;
}

function read(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw fsError(e, file, 'read an input dump');
  }
}

/** Compares `cand` with `ref` (both NHWC uint8): equal, or equal on channels 0-2 with channel 3 zero. */
export function compareInputs(ref: Uint8Array, cand: Uint8Array): { equal: boolean; channels: number; note?: string } {
  if (cand.length === ref.length) {
    let diff = 0;
    let first = -1;
    for (let i = 0; i < ref.length; i++) if (ref[i] !== cand[i]) { if (first < 0) first = i; diff++; }
    return diff === 0 ? { equal: true, channels: 3 } : { equal: false, channels: 3, note: `${diff} of ${ref.length} bytes differ (first at byte ${first})` };
  }
  if (ref.length % 3 === 0 && cand.length === (ref.length / 3) * 4) {
    const px = ref.length / 3;
    let diff = 0;
    let nz = 0;
    for (let p = 0; p < px; p++) {
      for (let c = 0; c < 3; c++) if (ref[p * 3 + c] !== cand[p * 4 + c]) diff++;
      if (cand[p * 4 + 3] !== 0) nz++;
    }
    const notes: string[] = [];
    if (diff) notes.push(`${diff} of ${ref.length} values differ on channels 0-2`);
    if (nz) notes.push(`channel 3 is non-zero at ${nz} of ${px} pixels (must be 0)`);
    return { equal: diff === 0 && nz === 0, channels: 4, note: notes.length ? notes.join('; ') : '4-channel board input: channels 0-2 equal, channel 3 all zero' };
  }
  return { equal: false, channels: cand.length * 3 === ref.length * 4 ? 4 : 3, note: `size ${cand.length} bytes does not fit the reference input (${ref.length} bytes, or ${(ref.length / 3) * 4} with 4 channels)` };
}

/** Checks every source's input against `--input` (or, without it, against the first source's input). */
export function checkInputs(sources: Source[], inputFile?: string): ReportInputs {
  const checks: InputCheck[] = [];
  let refBytes: Uint8Array | null = null;
  let reference: ReportInputs['reference'] = null;
  if (inputFile) {
    refBytes = read(inputFile);
    reference = { file: inputFile, md5: md5(refBytes) };
  }
  for (const s of sources) {
    const f = findInputFile(s);
    if (!f) {
      checks.push({ source: s.id, file: null, md5: null, equal: null, channels: null, note: 'no input dump in this folder' });
      continue;
    }
    const bytes = read(f);
    if (!refBytes) {
      refBytes = bytes;
      checks.push({ source: s.id, file: f, md5: md5(bytes), equal: true, channels: 3, note: 'used as the reference (no --input given)' });
      continue;
    }
    const r = compareInputs(refBytes, bytes);
    checks.push({ source: s.id, file: f, md5: md5(bytes), equal: r.equal, channels: r.channels, note: r.note });
  }
  const judged = checks.filter((c) => c.equal !== null);
  const consistent = judged.length === 0 ? null : judged.every((c) => c.equal);
  return { reference, consistent, checks };
}
