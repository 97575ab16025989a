/**
 * Giving an entry a shape: element count, dtype from the size ratio (FORMATS.md §1), or the
 * problem that makes it uncomparable (overflow, size mismatch). Shared by every reader and by
 * later stages that borrow a shape from the other side of a pair.
 */
import { byteSize, dtypeFromSize, elementCount, type DType } from '../tensor/dtype.js';
import type { DumpEntry } from './types.js';

/** Element types a vendor dump can hold, in the order the size ratio is tried. */
export const VENDOR_DTYPES: readonly DType[] = ['float32', 'uint16', 'uint8', 'uint4'];

/** Element count of `shape`, or null when it is not a countable (safe-integer) shape. */
export function countOf(shape: readonly number[]): number | null {
  try {
    return elementCount(shape);
  } catch {
    return null;
  }
}

/** Layout a shape implies in a dump folder (FORMATS.md §4: 4-D is NHWC, others row-major). */
export function layoutFor(shape: readonly number[] | null): DumpEntry['layout'] {
  return shape && shape.length === 4 ? 'NHWC' : 'row-major';
}

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

const KEEP: ReadonlySet<string> = new Set(['missing-file', 'unreadable', 'bad-header', 'empty-file']);

/**
 * Returns a copy of `entry` with `shape` set. When `entry.dtype` is already known it is checked
 * against the size; otherwise the first of `entry.dtypeCandidates` (else `allowed`) whose byte
 * size matches is taken. Problems
 * about the file itself (missing, unreadable, empty, bad header) are kept as they are.
 * - shape not countable -> problem 'shape-overflow'
 * - no dtype fits -> problem 'size-mismatch' with `expectedBytes` = the smallest candidate size
 *   that is >= the actual size (a truncated file's likely full size), else the largest one;
 *   the reason lists what every candidate dtype would need.
 */
export function fitShape(
  entry: DumpEntry,
  shape: readonly number[],
  source: NonNullable<DumpEntry['shapeSource']>,
  allowed: readonly DType[] = VENDOR_DTYPES,
): DumpEntry {
  const out: DumpEntry = { ...entry, shape: [...shape], shapeSource: source, layout: entry.layout === 'NCHW' ? 'NCHW' : layoutFor(shape) };
  if (out.problem && !KEEP.has(out.problem.code)) delete out.problem;
  const count = countOf(shape);
  if (count === null) {
    out.dtype = entry.dtype;
    if (!out.problem || out.problem.code === 'empty-file') {
      out.problem = { code: 'shape-overflow', reason: `cannot compare: shape ${fmtShape(shape)} has more elements than can be counted` };
    }
    return out;
  }
  if (out.problem) return out;
  const dataBytes = entry.size - entry.dataOffset;
  const candidates: readonly DType[] = entry.dtype ? [entry.dtype] : (entry.dtypeCandidates ?? allowed);
  // the vendor set goes through dtypeFromSize (FORMATS.md §1 ratios); other sets are tried in order
  const hit = candidates === VENDOR_DTYPES ? dtypeFromSize(dataBytes, count) : candidates.find((d) => byteSize(d, count) === dataBytes);
  if (hit && count > 0) {
    out.dtype = hit;
    return out;
  }
  out.dtype = entry.dtype;
  const needs = candidates.map((d) => ({ d, bytes: byteSize(d, count) }));
  const bigger = needs.filter((n) => n.bytes >= dataBytes).sort((x, y) => x.bytes - y.bytes);
  const expected = bigger.length > 0 ? bigger[0]!.bytes : Math.max(...needs.map((n) => n.bytes));
  const list = needs.map((n) => `${n.d} needs ${n.bytes}`).join(', ');
  out.problem = {
    code: 'size-mismatch',
    reason:
      `cannot compare: ${dataBytes} bytes do not fit shape ${fmtShape(shape)} (${count} elements): ${list}` +
      (entry.dataOffset > 0 ? ` (after a ${entry.dataOffset}-byte header)` : ''),
    expectedBytes: expected + entry.dataOffset,
    actualBytes: entry.size,
  };
  return out;
}
