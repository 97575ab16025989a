/**
 * Reading dump bytes (read-only, never opened for writing): md5 of a file, and a chunk reader
 * that fills ONE caller-provided buffer over and over (sync: it runs inside worker threads,
 * where blocking reads are the fastest option).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, promises as fsp, readSync } from 'node:fs';
import { fsError } from '../errors.js';
import { DTYPES, decodeInto } from '../tensor/dtype.js';
import { countOf } from './shape-fit.js';
import type { DumpEntry } from './types.js';

/** Chunk size of {@link md5File}, bytes. */
export const MD5_CHUNK = 1 << 20;

/** md5 (lowercase hex) of a whole file, read in 1 MiB chunks. */
export async function md5File(file: string): Promise<string> {
  let fh: fsp.FileHandle;
  try {
    fh = await fsp.open(file, 'r');
  } catch (e) {
    throw fsError(e, file, 'read for md5');
  }
  try {
    const h = createHash('md5');
    const buf = Buffer.allocUnsafe(MD5_CHUNK);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
    }
    return h.digest('hex');
  } catch (e) {
    throw fsError(e, file, 'read for md5');
  } finally {
    await fh.close();
  }
}

/**
 * Reads an entry's data bytes (from `entry.dataOffset` to the end of the file) in chunks into
 * the caller's buffer. Every chunk but the last fills the buffer completely, so a buffer whose
 * length is a multiple of 8 always holds whole elements of every dtype (and whole uint4 pairs).
 */
export class ChunkReader {
  readonly entry: DumpEntry;
  private readonly buf: Uint8Array;
  private fd: number;
  private pos: number;
  private readonly end: number;

  /** Opens the entry's file read-only; throws a UserError naming the file when it can't. */
  constructor(entry: DumpEntry, buf: Uint8Array) {
    if (buf.byteLength === 0) throw new RangeError('ChunkReader: buffer must not be empty');
    this.entry = entry;
    this.buf = buf;
    this.pos = entry.dataOffset;
    this.end = entry.size;
    try {
      this.fd = openSync(entry.file, 'r');
    } catch (e) {
      throw fsError(e, entry.file, 'read the dump');
    }
  }

  /** Fills the buffer from the current position; returns the bytes read (0 at the end). */
  read(): number {
    if (this.fd < 0) return 0;
    const want = Math.min(this.buf.byteLength, this.end - this.pos);
    let got = 0;
    try {
      while (got < want) {
        const n = readSync(this.fd, this.buf, got, want - got, this.pos + got);
        if (n === 0) break; // file shrank since it was listed
        got += n;
      }
    } catch (e) {
      throw fsError(e, this.entry.file, 'read the dump');
    }
    this.pos += got;
    return got;
  }

  /** Closes the file (safe to call twice). */
  close(): void {
    if (this.fd >= 0) {
      closeSync(this.fd);
      this.fd = -1;
    }
  }
}

/** All data bytes of an entry (for small tensors and tests; large ones should use ChunkReader). */
export function readEntryBytes(entry: DumpEntry): Uint8Array {
  const out = new Uint8Array(Math.max(0, entry.size - entry.dataOffset));
  const r = new ChunkReader(entry, out.byteLength > 0 ? out : new Uint8Array(1));
  try {
    const n = out.byteLength > 0 ? r.read() : 0;
    return out.subarray(0, n);
  } finally {
    r.close();
  }
}

/**
 * All values of an entry decoded to float64 (row-major in the stored layout). Throws when the
 * entry has no dtype/shape or carries a problem: check `entry.problem` first.
 */
export function readEntryValues(entry: DumpEntry): Float64Array {
  if (entry.problem) throw new Error(`${entry.file}: ${entry.problem.reason}`);
  if (!entry.dtype || !entry.shape) throw new Error(`${entry.file}: dtype or shape unknown`);
  const count = countOf(entry.shape);
  if (count === null) throw new Error(`${entry.file}: shape too large`);
  const bytes = readEntryBytes(entry);
  if (bytes.byteLength < Math.ceil(count * DTYPES[entry.dtype].bytes)) throw new Error(`${entry.file}: file is shorter than its shape needs`);
  const out = new Float64Array(count);
  decodeInto(entry.dtype, bytes, out, count);
  return out;
}
