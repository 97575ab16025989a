/**
 * File names inside one dump folder (FORMATS.md §1, §5): a tensor's file is its sanitized name
 * plus `.bin`; when that stem is already taken (by another tensor, by a reserved name, or by a
 * file the folder writes for itself) the stem gets a stable `_<k>` suffix (k = 1, 2, ...).
 * Comparison is case-insensitive, because a folder may be copied to a case-insensitive file
 * system (where `A_B.bin` and `a_b.bin` would be the same file).
 */
import { sanitizeName } from '../names.js';

/**
 * Stems that automatic (sanitized-name) tensor files never take: the files a dump folder of this
 * project or of the vendor's debug folder holds besides tensors (`input.bin`, `input_uint8.bin`,
 * `model_node_info.json`, `manifest.json`), and `params` (kept free for a quantization-parameter
 * file next to the dumps). A writer may still claim them explicitly.
 */
export const RESERVED_STEMS: readonly string[] = ['input', 'input_uint8', 'model_node_info', 'manifest', 'params'];

/** The stem of a file name: everything before the last `.` (the whole name when there is none). */
export function stemOfFile(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}

/** The stem a tensor name asks for: its sanitized form, `_` when that is empty. */
export function baseStem(name: string): string {
  return sanitizeName(name) || '_';
}

/** Hands out collision-free file stems for one folder. */
export class StemAllocator {
  private readonly reserved: Set<string>;
  /** Lower-cased stems in use. */
  private readonly used = new Set<string>();

  /** `reserved`: stems that {@link unique} never returns (compared case-insensitively). */
  constructor(reserved: readonly string[] = RESERVED_STEMS) {
    this.reserved = new Set(reserved.map((r) => r.toLowerCase()));
  }

  /**
   * The stem for a tensor name: `sanitizeName(name)` (`_` when that is empty), or
   * `<sanitized>_<k>` with the smallest k >= 1 that is neither used nor reserved. Marks it used.
   */
  unique(name: string): string {
    const base = baseStem(name);
    let stem = base;
    for (let k = 1; this.taken(stem); k++) stem = `${base}_${k}`;
    this.used.add(stem.toLowerCase());
    return stem;
  }

  /**
   * Claims an exact stem (reserved ones included). Throws when it is already used: an explicit
   * name that collides is a bug in the caller, never silently renamed.
   */
  claim(stem: string): void {
    if (this.used.has(stem.toLowerCase())) throw new Error(`file stem "${stem}" is already used in this folder`);
    this.used.add(stem.toLowerCase());
  }

  /** Gives a stem back (after a failed write). */
  release(stem: string): void {
    this.used.delete(stem.toLowerCase());
  }

  /** True when {@link unique} would not return `stem` as is. */
  taken(stem: string): boolean {
    const k = stem.toLowerCase();
    return this.used.has(k) || this.reserved.has(k);
  }
}

/**
 * Unique stems for a list of tensor names, in order (what a {@link StemAllocator} would hand out
 * one by one). For callers that need the names before writing, e.g. to give two folders of the
 * same model identical file names.
 */
export function uniqueStems(names: readonly string[], reserved: readonly string[] = RESERVED_STEMS): string[] {
  const a = new StemAllocator(reserved);
  return names.map((n) => a.unique(n));
}
