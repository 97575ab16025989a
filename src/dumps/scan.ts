/**
 * Lists one dump folder (read-only): names, sizes and kinds of its direct children.
 * Every reader goes through here, so fs errors become one UserError naming the path.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fsError } from '../errors.js';
import type { DumpEntry, IgnoredFile } from './types.js';

export interface ScannedFile {
  /** Base name. */
  name: string;
  /** Absolute path. */
  path: string;
  /** Bytes (0 for folders). */
  size: number;
  isDir: boolean;
}

/** Lists `dir` (absolute), sorted by name; sizes follow symlinks. */
export async function scanFolder(dir: string): Promise<ScannedFile[]> {
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    throw fsError(e, dir, 'list the dump folder');
  }
  names.sort(); // readdir order is file-system dependent; every listing is reported sorted
  // all stats in flight at once (one await per file in turn cost ~30 ms per 80-file folder on compare's start-up)
  return Promise.all(
    names.map(async (name): Promise<ScannedFile> => {
      const p = path.join(dir, name);
      try {
        const st = await fsp.stat(p);
        return { name, path: p, size: st.isDirectory() ? 0 : st.size, isDir: st.isDirectory() };
      } catch {
        // dangling symlink or vanished file: list it as an unreadable 0-byte file
        return { name, path: p, size: -1, isDir: false };
      }
    }),
  );
}

/** True for `*.bin` names (case-insensitive extension). */
export function isBin(name: string): boolean {
  return /\.bin$/i.test(name);
}

/** Base name without a `.bin` / `.npy` extension. */
export function stemOf(name: string): string {
  return name.replace(/\.(bin|npy)$/i, '');
}

/** Files every reader lists as ignored rather than as layers: hidden/temporary files, folders. */
export function commonIgnoreReason(f: ScannedFile): string | null {
  if (f.name.startsWith('.')) return /\.tmp-/.test(f.name) ? 'temporary file of an interrupted write' : 'hidden file';
  if (f.isDir) return 'folder';
  return null;
}

/** Who wrote a folder, for the 0-byte-file reason. */
export type Writer = 'the vendor program' | 'the board program' | 'the transform tool' | 'the producer';

/** Reason text of an empty file (FORMATS.md §1: "cannot compare: <reason>"). */
export function emptyReason(writer: Writer): string {
  return `cannot compare: 0-byte file (${writer} probably crashed while writing it)`;
}

/**
 * A fresh entry for a raw dump file (dtype/shape filled in by the caller). A 0-byte file gets
 * problem 'empty-file', a file whose size could not be read problem 'unreadable'.
 */
export function rawEntry(
  f: { name: string; path: string; size: number },
  order: number,
  role: DumpEntry['role'] = 'layer',
  writer: Writer = 'the vendor program',
): DumpEntry {
  const e: DumpEntry = {
    name: stemOf(f.name),
    file: f.path,
    dtype: null,
    shape: null,
    layout: 'row-major',
    size: Math.max(0, f.size),
    dataOffset: 0,
    order,
    role,
  };
  if (f.size < 0) e.problem = { code: 'unreadable', reason: `cannot compare: ${f.name} cannot be read (dangling link or vanished file)` };
  else if (f.size === 0) e.problem = { code: 'empty-file', reason: emptyReason(writer), actualBytes: 0 };
  return e;
}

/** Adds an ignored file with a reason. */
export function ignore(list: IgnoredFile[], f: ScannedFile, reason: string): void {
  list.push({ file: f.path, reason });
}
