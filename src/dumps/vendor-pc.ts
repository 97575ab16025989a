/**
 * The vendor PC inference library's dumps (FORMATS.md §1): `MAGIK_DATA_DUMP/*.bin` plus the
 * program's saved stdout, whose `Data dumping to:` lines give shapes and execution order.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { INPUT_NAME_RE } from '../names.js';
import { assembleEntries } from './assemble.js';
import { commonIgnoreReason, ignore, isBin, scanFolder, stemOf, type ScannedFile } from './scan.js';
import type { DumpSet, IgnoredFile } from './types.js';
import { parseDumpLog, readDumpLog, type ParsedLog } from './vendor-log.js';

export const DUMP_DIR_NAME = 'MAGIK_DATA_DUMP';

/** True for the vendor's input dump names (`input_data_shape_*`, `magik_input_nhwc_*`). */
export function isVendorInputName(fileName: string): boolean {
  return INPUT_NAME_RE.test(stemOf(fileName));
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** The folder holding the .bin files: `dir` itself, or `dir/MAGIK_DATA_DUMP`. */
export async function vendorDumpDir(dir: string): Promise<string> {
  if (path.basename(dir) === DUMP_DIR_NAME) return dir;
  const inner = path.join(dir, DUMP_DIR_NAME);
  return (await isDir(inner)) ? inner : dir;
}

/** Largest log we look at when searching for one next to MAGIK_DATA_DUMP/ (bytes). */
const AUTO_LOG_MAX = 64 * 1024 * 1024;

/**
 * When `dir` contains MAGIK_DATA_DUMP/ and no log was given: the first (by name) `*.log` /
 * `*.txt` file in `dir` holding a `Data dumping to` line.
 */
async function findLogNextTo(dir: string, files: ScannedFile[]): Promise<{ file: string; parsed: ParsedLog } | null> {
  const cands = files.filter((f) => !f.isDir && /\.(log|txt)$/i.test(f.name) && f.size > 0 && f.size <= AUTO_LOG_MAX).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const f of cands) {
    let text: string;
    try {
      text = await fsp.readFile(f.path, 'utf8');
    } catch {
      continue;
    }
    if (text.includes('Data dumping to')) return { file: f.path, parsed: parseDumpLog(text, f.path) };
  }
  return null;
}

export interface VendorPcOptions {
  /** Saved stdout of the PC program (`--pc-log`). */
  log?: string;
}

/**
 * Opens a vendor PC dump folder (`MAGIK_DATA_DUMP/` or a folder containing it). Without `log`,
 * a `*.log`/`*.txt` next to MAGIK_DATA_DUMP/ holding dump lines is used (with a warning saying so).
 * Entries: logged files in log order, unlogged inputs first, other unlogged files last.
 */
export async function openVendorPc(dir: string, opts: VendorPcOptions = {}): Promise<DumpSet> {
  const root = path.resolve(dir);
  const dumpDir = await vendorDumpDir(root);
  const warnings: string[] = [];
  const ignored: IgnoredFile[] = [];
  const scanned = await scanFolder(dumpDir);
  let log: ParsedLog | null = null;
  let logName = 'log';
  if (opts.log) {
    log = await readDumpLog(opts.log);
    logName = opts.log;
  } else if (dumpDir !== root) {
    const found = await findLogNextTo(root, await scanFolder(root));
    if (found) {
      log = found.parsed;
      logName = found.file;
      warnings.push(`using the dump log ${found.file} found next to ${DUMP_DIR_NAME}/ (pass --pc-log to choose another)`);
    }
  }
  if (log) warnings.push(...log.warnings);
  const files: ScannedFile[] = [];
  for (const f of scanned) {
    const why = commonIgnoreReason(f) ?? (isBin(f.name) ? null : 'not a .bin dump');
    if (why) ignore(ignored, f, why);
    else files.push(f);
  }
  const a = assembleEntries({
    files,
    dumpDir,
    log,
    logName,
    writer: 'the vendor program',
    isInput: isVendorInputName,
    noLogHint: 'pass --pc-log with the saved stdout of the PC program',
  });
  return { root, kind: 'vendor-pc', entries: a.entries, ignored, warnings: [...warnings, ...a.warnings] };
}
