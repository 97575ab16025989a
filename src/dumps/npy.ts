/**
 * numpy `.npy` files (format spec: numpy/lib/format.py, "NEP 1"): magic `\x93NUMPY`, version
 * byte pair (1.0: uint16 header length; 2.0/3.0: uint32), then a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 8, 8, 3), }` padded with spaces and a
 * newline. The header is parsed by a small literal parser here, never evaluated.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import * as path from 'node:path';
import { byteSize, type DType } from '../tensor/dtype.js';
import { naturalCompare } from './natural-sort.js';
import { commonIgnoreReason, ignore, scanFolder, stemOf } from './scan.js';
import { countOf, layoutFor } from './shape-fit.js';
import type { DumpEntry, DumpSet, IgnoredFile } from './types.js';

/** Parsed `.npy` header. */
export interface NpyHeader {
  version: [number, number];
  descr: string;
  dtype: DType;
  fortranOrder: boolean;
  shape: number[];
  /** Byte offset of the first element (magic + version + length field + header). */
  dataOffset: number;
}

/** An `.npy` header problem (message names what is wrong). */
export class NpyFormatError extends Error {
  override name = 'NpyFormatError';
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** descr type code (without byte-order char) -> dtype. */
const CODES: Readonly<Record<string, DType>> = {
  f4: 'float32',
  f8: 'float64',
  u1: 'uint8',
  u2: 'uint16',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
};

/** Maps a numpy descr (`<f4`, `|u1`, ...) to a dtype; throws NpyFormatError with a clear reason. */
export function dtypeFromDescr(descr: string): DType {
  const m = /^([<>|=]?)([a-z]\d+)$/.exec(descr);
  const supported = "supported: '<f4' '<f8' '|u1' '<u2' '|i1' '<i2' '<i4' '<i8'";
  if (!m) throw new NpyFormatError(`unsupported dtype descr '${descr}' (${supported})`);
  const [, order, code] = m as unknown as [string, string, string];
  const dt = CODES[code];
  if (!dt) throw new NpyFormatError(`unsupported dtype descr '${descr}' (${supported})`);
  const oneByte = code.endsWith('1');
  if (!oneByte) {
    if (order === '>') throw new NpyFormatError(`big-endian data ('${descr}') is not supported: re-save with arr.astype('<${code}')`);
    if (order === '=' || order === '') throw new NpyFormatError(`native byte order ('${descr}') is ambiguous: re-save with arr.astype('<${code}')`);
  }
  return dt;
}

type PyValue = string | number | boolean | null | PyValue[];

/** A minimal parser for the Python literals a .npy header can hold. */
class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}
  private ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }
  private fail(what: string): never {
    throw new NpyFormatError(`header dict: ${what} at offset ${this.i} in ${JSON.stringify(this.s.trim().slice(0, 120))}`);
  }
  parseDict(): Map<string, PyValue> {
    this.ws();
    if (this.s[this.i] !== '{') this.fail("expected '{'");
    this.i++;
    const out = new Map<string, PyValue>();
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i++;
        break;
      }
      const k = this.value();
      if (typeof k !== 'string') this.fail('expected a string key');
      this.ws();
      if (this.s[this.i] !== ':') this.fail("expected ':'");
      this.i++;
      out.set(k as string, this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i++;
      else if (this.s[this.i] !== '}') this.fail("expected ',' or '}'");
    }
    this.ws();
    if (this.i !== this.s.length) this.fail('trailing text after the dict');
    return out;
  }
  private value(): PyValue {
    this.ws();
    const c = this.s[this.i];
    if (c === "'" || c === '"') {
      const end = this.s.indexOf(c, this.i + 1);
      if (end < 0) this.fail('unterminated string');
      const v = this.s.slice(this.i + 1, end);
      this.i = end + 1;
      return v;
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      this.i++;
      const items: PyValue[] = [];
      for (;;) {
        this.ws();
        if (this.s[this.i] === close) {
          this.i++;
          return items;
        }
        items.push(this.value());
        this.ws();
        if (this.s[this.i] === ',') this.i++;
        else if (this.s[this.i] !== close) this.fail(`expected ',' or '${close}'`);
      }
    }
    const m = /^(True|False|None|-?\d+L?)/.exec(this.s.slice(this.i));
    if (!m) this.fail('unexpected token');
    this.i += m![0].length;
    const t = m![1]!;
    if (t === 'True') return true;
    if (t === 'False') return false;
    if (t === 'None') return null;
    return Number(t.replace(/L$/, ''));
  }
}

/**
 * Parses the header at the start of `head` (which must hold the whole header). Throws
 * NpyFormatError naming what is wrong.
 */
export function parseNpyHeader(head: Uint8Array): NpyHeader {
  for (let i = 0; i < MAGIC.length; i++) if (head[i] !== MAGIC[i]) throw new NpyFormatError('not a .npy file (no \\x93NUMPY magic)');
  if (head.length < 10) throw new NpyFormatError('file ends inside the .npy preamble');
  const major = head[6]!;
  const minor = head[7]!;
  let hlen: number;
  let start: number;
  if (major === 1) {
    hlen = head[8]! | (head[9]! << 8);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (head.length < 12) throw new NpyFormatError('file ends inside the .npy preamble');
    hlen = (head[8]! | (head[9]! << 8) | (head[10]! << 16)) + head[11]! * 0x1000000;
    start = 12;
  } else {
    throw new NpyFormatError(`unsupported .npy version ${major}.${minor} (1.0, 2.0 and 3.0 are read)`);
  }
  if (head.length < start + hlen) throw new NpyFormatError(`header says ${hlen} bytes but the file ends first`);
  const bytes = head.subarray(start, start + hlen);
  const text = major === 3 ? new TextDecoder('utf-8').decode(bytes) : Buffer.from(bytes).toString('latin1');
  const dict = new LiteralParser(text).parseDict();
  const descr = dict.get('descr');
  const fortran = dict.get('fortran_order');
  const shape = dict.get('shape');
  if (typeof descr !== 'string') throw new NpyFormatError(`header has no string 'descr' (got ${JSON.stringify(descr)}); structured dtypes are not supported`);
  if (typeof fortran !== 'boolean') throw new NpyFormatError("header has no boolean 'fortran_order'");
  if (!Array.isArray(shape) || !shape.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new NpyFormatError(`header 'shape' is not a tuple of non-negative integers (got ${JSON.stringify(shape)})`);
  }
  const dtype = dtypeFromDescr(descr);
  if (fortran) throw new NpyFormatError('fortran_order True is not supported: re-save with np.ascontiguousarray(arr)');
  return { version: [major, minor], descr, dtype, fortranOrder: fortran, shape: shape as number[], dataOffset: start + hlen };
}

/** Reads just the header of a .npy file (sync, read-only). Throws NpyFormatError or fs errors. */
export function readNpyHeader(file: string): NpyHeader {
  const fd = openSync(file, 'r');
  try {
    const pre = new Uint8Array(12);
    const n = readSync(fd, pre, 0, 12, 0);
    const p = pre.subarray(0, n);
    for (let i = 0; i < MAGIC.length; i++) if (p[i] !== MAGIC[i]) throw new NpyFormatError('not a .npy file (no \\x93NUMPY magic)');
    if (n < 10) throw new NpyFormatError('file ends inside the .npy preamble');
    const major = p[6]!;
    const hlen = major === 1 ? p[8]! | (p[9]! << 8) : n >= 12 ? (p[8]! | (p[9]! << 8) | (p[10]! << 16)) + p[11]! * 0x1000000 : 0;
    const start = major === 1 ? 10 : 12;
    if (hlen > 16 * 1024 * 1024) throw new NpyFormatError(`header length ${hlen} is implausible`);
    const head = new Uint8Array(start + hlen);
    const got = readSync(fd, head, 0, head.length, 0);
    return parseNpyHeader(head.subarray(0, got));
  } finally {
    closeSync(fd);
  }
}

/**
 * Entry for one .npy file: shape/dtype from the header, dataOffset = header length. Header
 * errors become problem 'bad-header'; a data size that does not match, 'size-mismatch'.
 */
export function npyEntry(file: string, size: number, order: number): DumpEntry {
  const e: DumpEntry = { name: stemOf(path.basename(file)), file, dtype: null, shape: null, layout: 'row-major', size, dataOffset: 0, order, role: 'layer' };
  if (size === 0) {
    e.problem = { code: 'empty-file', reason: 'cannot compare: 0-byte file (the writer probably crashed while writing it)', actualBytes: 0 };
    return e;
  }
  let h: NpyHeader;
  try {
    h = readNpyHeader(file);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    e.problem = { code: err instanceof NpyFormatError ? 'bad-header' : 'unreadable', reason: `cannot compare: ${msg}` };
    return e;
  }
  e.dtype = h.dtype;
  e.shape = h.shape;
  e.shapeSource = 'npy-header';
  e.layout = layoutFor(h.shape);
  e.dataOffset = h.dataOffset;
  const count = countOf(h.shape);
  if (count === null) {
    e.problem = { code: 'shape-overflow', reason: `cannot compare: shape [${h.shape.join(',')}] has more elements than can be counted` };
    return e;
  }
  const want = h.dataOffset + byteSize(h.dtype, count);
  if (size !== want) {
    e.problem = {
      code: 'size-mismatch',
      reason: `cannot compare: ${h.descr} shape (${h.shape.join(', ')}) needs ${want} bytes with its ${h.dataOffset}-byte header, the file has ${size}`,
      expectedBytes: want,
      actualBytes: size,
    };
  }
  return e;
}

/** Opens a folder of .npy files (natural name order; other files ignored; problems stay on entries). */
export async function openNpyFolder(dir: string): Promise<DumpSet> {
  const root = path.resolve(dir);
  const ignored: IgnoredFile[] = [];
  const files = [];
  for (const f of await scanFolder(root)) {
    const why = commonIgnoreReason(f) ?? (/\.npy$/i.test(f.name) ? null : 'not a .npy file');
    if (why) ignore(ignored, f, why);
    else files.push(f);
  }
  files.sort((a, b) => naturalCompare(a.name, b.name));
  const entries = files.map((f, i) => npyEntry(f.path, Math.max(0, f.size), i));
  return { root, kind: 'npy', entries, ignored, warnings: [] };
}

/** Opens one .npy file as a one-entry DumpSet (root = its folder). */
export async function openNpyFile(file: string, size: number): Promise<DumpSet> {
  const abs = path.resolve(file);
  const e = npyEntry(abs, size, 0);
  return { root: path.dirname(abs), kind: 'npy', entries: [e], ignored: [], warnings: [] };
}
