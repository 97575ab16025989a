/**
 * Reading our own dump folders: `manifest.json` (FORMATS.md §5, types in manifest-types.ts),
 * validated field by field, then checked against the files actually present.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UserError, fsError } from '../errors.js';
import { isDType } from '../tensor/dtype.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestTensor } from './manifest-types.js';
import { commonIgnoreReason, ignore, rawEntry, scanFolder, stemOf } from './scan.js';
import { fitShape } from './shape-fit.js';
import type { DumpEntry, DumpSet, IgnoredFile } from './types.js';

export const MANIFEST_FILE = 'manifest.json';
const LAYOUTS = new Set(['NHWC', 'NCHW', 'row-major']);
const HINT = 'the folder was not written by this version of magik-parity, or manifest.json was edited; re-create the folder';

/**
 * True when `name` is a plain file name inside a folder: not empty, not `.`/`..`, no path
 * separator, no drive prefix, no NUL.
 */
export function isPlainFileName(name: string): boolean {
  return name.length > 0 && name !== '.' && name !== '..' && !/[\\/\0]/.test(name) && !/^[A-Za-z]:/.test(name);
}

function bad(src: string, what: string): UserError {
  return new UserError('MANIFEST_FORMAT', `${src}: ${what}`, HINT);
}

function checkTensor(src: string, i: number, t: unknown): ManifestTensor {
  const at = `tensors[${i}]`;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) throw bad(src, `${at} is not an object`);
  const o = t as Record<string, unknown>;
  const str = (k: string) => {
    if (typeof o[k] !== 'string') throw bad(src, `${at}.${k} must be a string (got ${JSON.stringify(o[k])})`);
    return o[k] as string;
  };
  if (!Number.isSafeInteger(o.order) || (o.order as number) < 0) throw bad(src, `${at}.order must be a non-negative integer (got ${JSON.stringify(o.order)})`);
  const file = str('file');
  if (!isPlainFileName(file)) throw bad(src, `${at}.file "${file}" is not a plain file name inside the folder`);
  str('tensorName');
  str('nodeName');
  str('opType');
  if (typeof o.dtype !== 'string' || !isDType(o.dtype)) throw bad(src, `${at}.dtype ${JSON.stringify(o.dtype)} is not a known dtype`);
  if (!Array.isArray(o.shape) || !o.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw bad(src, `${at}.shape must be an array of non-negative integers (got ${JSON.stringify(o.shape)})`);
  }
  if (typeof o.layout !== 'string' || !LAYOUTS.has(o.layout)) throw bad(src, `${at}.layout ${JSON.stringify(o.layout)} must be NHWC, NCHW or row-major`);
  if (o.scale !== undefined && !(typeof o.scale === 'number' && Number.isFinite(o.scale) && o.scale > 0)) {
    throw bad(src, `${at}.scale must be a positive finite number (got ${JSON.stringify(o.scale)})`);
  }
  if (o.zeroPoint !== undefined && !Number.isSafeInteger(o.zeroPoint)) throw bad(src, `${at}.zeroPoint must be an integer (got ${JSON.stringify(o.zeroPoint)})`);
  if (typeof o.md5 !== 'string' || !/^[0-9a-f]{32}$/.test(o.md5)) throw bad(src, `${at}.md5 must be 32 lowercase hex digits (got ${JSON.stringify(o.md5)})`);
  if (o.role !== undefined && o.role !== 'input' && o.role !== 'layer') throw bad(src, `${at}.role must be "input" or "layer" (got ${JSON.stringify(o.role)})`);
  return o as unknown as ManifestTensor;
}

/** Validates a parsed manifest; throws UserError MANIFEST_FORMAT naming the field. */
export function validateManifest(value: unknown, src = MANIFEST_FILE): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(src, 'not a JSON object');
  const m = value as Record<string, unknown>;
  if (m.format !== MANIFEST_FORMAT) throw bad(src, `format is ${JSON.stringify(m.format)}, expected "${MANIFEST_FORMAT}"`);
  if (m.version !== MANIFEST_VERSION) {
    const newer = typeof m.version === 'number' && m.version > MANIFEST_VERSION;
    throw new UserError(
      'MANIFEST_FORMAT',
      `${src}: version ${JSON.stringify(m.version)} is not supported (this build reads version ${MANIFEST_VERSION})`,
      newer ? 'the folder was written by a newer magik-parity: upgrade' : HINT,
    );
  }
  if (typeof m.producer !== 'string') throw bad(src, `producer must be a string (got ${JSON.stringify(m.producer)})`);
  const tool = m.tool as Record<string, unknown> | undefined;
  if (typeof tool !== 'object' || tool === null || typeof tool.name !== 'string' || typeof tool.version !== 'string') {
    throw bad(src, 'tool must be {"name": string, "version": string}');
  }
  if (m.model !== undefined) {
    const md = m.model as Record<string, unknown> | null;
    if (typeof md !== 'object' || md === null || typeof md.file !== 'string' || typeof md.md5 !== 'string') throw bad(src, 'model must be {"file": string, "md5": string}');
  }
  if (m.inputMd5 !== undefined && typeof m.inputMd5 !== 'string') throw bad(src, 'inputMd5 must be a string');
  if (!Array.isArray(m.tensors)) throw bad(src, 'tensors must be an array');
  const tensors = m.tensors.map((t, i) => checkTensor(src, i, t));
  const byFile = new Map<string, number>();
  const byOrder = new Map<number, number>();
  tensors.forEach((t, i) => {
    const key = t.file.toLowerCase(); // case-insensitive file systems would merge these too
    const j = byFile.get(key);
    if (j !== undefined) {
      throw bad(src, `tensors[${j}] ("${tensors[j]!.tensorName}") and tensors[${i}] ("${t.tensorName}") both use file ${t.file}`);
    }
    byFile.set(key, i);
    const k = byOrder.get(t.order);
    if (k !== undefined) throw bad(src, `tensors[${k}] and tensors[${i}] both have order ${t.order}`);
    byOrder.set(t.order, i);
  });
  return m as unknown as Manifest;
}

/** Reads and validates `<dir>/manifest.json`. */
export async function readManifest(dir: string): Promise<Manifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read the manifest');
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(file, `not valid JSON (${(e as Error).message})`);
  }
  return validateManifest(v, file);
}

/**
 * Opens a folder written by this project: entries in manifest order with the recorded name,
 * node, op type, dtype, shape, layout, quantization parameters and md5. A listed file that is
 * missing -> problem 'missing-file'; a size that does not fit shape+dtype -> 'size-mismatch';
 * `.bin` files not in the manifest -> ignored, with a warning.
 */
export async function openManifestFolder(dir: string): Promise<DumpSet> {
  const root = path.resolve(dir);
  const manifest = await readManifest(root);
  const scanned = await scanFolder(root);
  const byName = new Map(scanned.map((f) => [f.name, f] as const));
  const warnings: string[] = [];
  const ignored: IgnoredFile[] = [];
  const tensors = [...manifest.tensors].sort((a, b) => a.order - b.order);
  const entries: DumpEntry[] = tensors.map((t, i) => {
    const f = byName.get(t.file);
    const role = t.role ?? (t.opType === 'Input' ? 'input' : 'layer');
    const meta = {
      originalName: t.tensorName,
      nodeName: t.nodeName,
      opType: t.opType,
      recordedMd5: t.md5,
      ...(t.scale !== undefined ? { scale: t.scale } : {}),
      ...(t.zeroPoint !== undefined ? { zeroPoint: t.zeroPoint } : {}),
    };
    if (!f || f.isDir) {
      warnings.push(`${MANIFEST_FILE} lists ${t.file} ("${t.tensorName}") but the file is not in ${root}`);
      const missing: DumpEntry = {
        name: stemOf(t.file),
        file: path.join(root, t.file),
        ...meta,
        dtype: t.dtype,
        shape: [...t.shape],
        shapeSource: 'manifest',
        layout: t.layout,
        size: 0,
        dataOffset: 0,
        order: i,
        role,
        problem: { code: 'missing-file', reason: `cannot compare: ${t.file} is listed in ${MANIFEST_FILE} but does not exist` },
      };
      return missing;
    }
    const e: DumpEntry = { ...rawEntry(f, i, role, 'the producer'), ...meta, dtype: t.dtype, layout: t.layout };
    const fitted = fitShape(e, t.shape, 'manifest', [t.dtype]);
    fitted.layout = t.layout;
    return fitted;
  });
  const listed = new Set(tensors.map((t) => t.file));
  for (const f of scanned) {
    if (f.name === MANIFEST_FILE || listed.has(f.name)) continue;
    const why = commonIgnoreReason(f);
    if (why) {
      ignore(ignored, f, why);
    } else if (f.name === 'input_uint8.bin') {
      // every producer writes the uint8 input beside its dumps; the input check reads it
      ignore(ignored, f, 'the network input (uint8, before mean/var): checked by the input-identity stage');
    } else if (/\.bin$/i.test(f.name)) {
      ignore(ignored, f, `not listed in ${MANIFEST_FILE}`);
      warnings.push(`${f.name} is in the folder but not in ${MANIFEST_FILE}; ignored`);
    } else {
      ignore(ignored, f, 'not a .bin dump');
    }
  }
  return { root, kind: 'manifest', entries, ignored, warnings };
}
