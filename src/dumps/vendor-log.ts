/**
 * The vendor programs' dump log (FORMATS.md §1): saved stdout of the PC inference program (or
 * the board program), one line per dumped tensor, e.g.
 * `\x1b[32mLog: Data dumping to:./MAGIK_DATA_DUMP/411_Quantize.bin--->shape:[1,192,320,12]\x1b[0m`.
 * The line order is the execution order. Only the file's base name is used, so a hostile path
 * in the log can never make a reader leave the dump folder.
 */
import { promises as fsp } from 'node:fs';
import { fsError } from '../errors.js';
import { stripAnsi } from '../names.js';

/** One dump line of the log. */
export interface LogRecord {
  /** Base name of the dumped file as logged (e.g. `411_Quantize.bin`). */
  file: string;
  /** Logical shape as logged (NHWC for 4-D). */
  shape: number[];
  /** 1-based line number in the log. */
  line: number;
  /** The path exactly as logged. */
  loggedPath: string;
}

/** A line that mentions `Data dumping to` but could not be parsed. */
export interface MalformedLine {
  line: number;
  text: string;
  why: string;
}

export interface ParsedLog {
  /** Records in execution order; a file logged twice keeps only its last line. */
  records: LogRecord[];
  malformed: MalformedLine[];
  /** Human-readable warnings (malformed lines, duplicates, suspicious paths). */
  warnings: string[];
}

/**
 * `Data dumping to:` (or `to::`), the path, any dashes then `>shape:` (or dashes alone, as in
 * the guide's scanned `---shape:`), and a bracketed list.
 */
const RECORD_RE = /Data dumping to\s*:+\s*(.*?)\s*(?:-*>|-+)\s*shape\s*:+\s*\[([^\]]*)\]/g;
const MENTION_RE = /Data dumping to/;
/** The vendor's dump folder name, as logged (same as vendor-pc.ts's DUMP_DIR_NAME). */
const DUMP_LOG_DIR = 'MAGIK_DATA_DUMP';

function parseDims(text: string): number[] | string {
  const t = text.trim();
  if (t === '') return 'empty shape []';
  const parts = t.split(',').map((s) => s.trim());
  const dims: number[] = [];
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return `dimension "${p}" is not a non-negative integer`;
    const d = Number(p);
    if (!Number.isSafeInteger(d)) return `dimension ${p.length > 24 ? `${p.slice(0, 20)}...` : p} is too large`;
    dims.push(d);
  }
  return dims;
}

/** Splits a logged path into directory parts and base name (both separators). */
function splitPath(p: string): { dirs: string[]; base: string; absolute: boolean } {
  const absolute = /^([A-Za-z]:)?[\\/]/.test(p);
  const parts = p.split(/[\\/]+/).filter((s) => s.length > 0);
  const base = parts.pop() ?? '';
  return { dirs: parts, base, absolute };
}

/** True when a logged directory part is the normal `./MAGIK_DATA_DUMP/` (possibly absolute). */
function normalDir(dirs: string[], absolute: boolean): boolean {
  if (dirs.length === 0) return !absolute;
  if (dirs.includes('..')) return false;
  const meaningful = dirs.filter((d) => d !== '.');
  if (meaningful.length === 0) return !absolute;
  return meaningful[meaningful.length - 1] === 'MAGIK_DATA_DUMP';
}

/**
 * Parses a dump log. Never throws: unparsable lines are returned in `malformed` (and
 * `warnings`), with their 1-based line numbers. `source` names the log in warnings.
 */
export function parseDumpLog(text: string, source = 'log'): ParsedLog {
  const lines = text.split('\n');
  const malformed: MalformedLine[] = [];
  const warnings: string[] = [];
  const all: LogRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const clean = stripAnsi(lines[i]!).replace(/\r$/, '');
    if (!MENTION_RE.test(clean)) continue;
    let found = 0;
    const bad = (why: string) => {
      malformed.push({ line: lineNo, text: clean.trim(), why });
      warnings.push(`${source}:${lineNo}: cannot parse dump line (${why}): ${clean.trim().slice(0, 200)}`);
    };
    for (const m of clean.matchAll(RECORD_RE)) {
      found++;
      const loggedPath = m[1]!.trim();
      const dims = parseDims(m[2]!);
      if (typeof dims === 'string') {
        bad(dims);
        continue;
      }
      const { dirs, base, absolute } = splitPath(loggedPath);
      if (base === '' || base === '.' || base === '..' || base.includes('\0') || /[\\/]$/.test(loggedPath)) {
        bad(`no file name in "${loggedPath}"`);
        continue;
      }
      if (!normalDir(dirs, absolute)) {
        warnings.push(
          `${source}:${lineNo}: logged path "${loggedPath}" is not inside MAGIK_DATA_DUMP/; only its base name "${base}" is looked up in the dump folder`,
        );
      }
      all.push({ file: base, shape: dims, line: lineNo, loggedPath });
    }
    if (found === 0) {
      const why = /shape/.test(clean) ? 'shape is not a bracketed list like [1,8,8,3]' : 'no "--->shape:[...]" part';
      bad(why);
    }
  }
  // A file logged twice holds the last write: keep the last line, in its position.
  const lastLine = new Map<string, LogRecord>();
  for (const r of all) {
    const prev = lastLine.get(r.file);
    if (prev) {
      warnings.push(
        `${source}: ${r.file} is logged twice (lines ${prev.line} and ${r.line}); the file holds the last write, so line ${r.line} (shape [${r.shape.join(',')}]) is used`,
      );
    }
    lastLine.set(r.file, r);
  }
  const records = all.filter((r) => lastLine.get(r.file) === r);
  return { records, malformed, warnings };
}

/** Options of {@link formatDumpLogLine}. */
export interface DumpLogLineOptions {
  /** Folder as the vendor program logs it (default `./MAGIK_DATA_DUMP`). */
  dir?: string;
  /** Wrap the line in the vendor's green ANSI colour (`\x1b[32m` ... `\x1b[0m`), as on a terminal. Default false. */
  color?: boolean;
}

/**
 * One dump line in the vendor programs' format (FORMATS.md §1), e.g.
 * `Log: Data dumping to:./MAGIK_DATA_DUMP/411_Quantize.bin--->shape:[1,192,320,12]`.
 * `file` is the dump's base name and must use only the sanitized-name characters
 * `[A-Za-z0-9._-]` and not end in `-` (every `.bin` name the vendor writes qualifies; anything
 * else could not be parsed back unambiguously: the dashes of `--->` would absorb a final `-`); `shape` is the logical shape (NHWC for 4-D), non-negative integers.
 * {@link parseDumpLog} reads the line back to the same file and shape. No trailing newline.
 */
export function formatDumpLogLine(file: string, shape: readonly number[], opts: DumpLogLineOptions = {}): string {
  if (!/^[A-Za-z0-9._-]*[A-Za-z0-9._]$/.test(file) || file === '.' || file === '..') {
    throw new Error(`formatDumpLogLine: "${file}" is not a sanitized file name ([A-Za-z0-9._-] only, not ending in "-")`);
  }
  if (shape.length === 0 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`formatDumpLogLine: shape [${shape.join(',')}] of ${file} must be non-negative integers (at least one)`);
  }
  const dir = (opts.dir ?? `./${DUMP_LOG_DIR}`).replace(/[\\/]+$/, '');
  const line = `Log: Data dumping to:${dir === '' ? '' : `${dir}/`}${file}--->shape:[${shape.join(',')}]`;
  return opts.color ? `\x1b[32m${line}\x1b[0m` : line;
}

/** Reads and parses a saved log file; a missing/unreadable log is a UserError naming it. */
export async function readDumpLog(file: string): Promise<ParsedLog> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read the dump log');
  }
  return parseDumpLog(text, file);
}
