/**
 * Board dumps (FORMATS.md §2): `<name>_out.bin` layer outputs (the PC names plus `_out`),
 * `_bt` / `_weight` / `_mean` / `_variance` files that are not layer outputs, and a 4-channel
 * input. An optional board log in the PC log's line format gives shapes and order.
 */
import * as path from 'node:path';
import { assembleEntries } from './assemble.js';
import { commonIgnoreReason, ignore, isBin, scanFolder, stemOf, type ScannedFile } from './scan.js';
import type { DumpSet, IgnoredFile } from './types.js';
import { readDumpLog, type ParsedLog } from './vendor-log.js';
import { isVendorInputName } from './vendor-pc.js';

/** Board files that are not layer outputs, by stem suffix, with the reason shown to users. */
export const BOARD_AUX_SUFFIXES: Readonly<Record<string, string>> = {
  _bt: 'board bias/threshold table (_bt), not a layer output',
  _weight: 'board weights (_weight), not a layer output',
  _mean: 'board mean table (_mean), not a layer output',
  _variance: 'board variance table (_variance), not a layer output',
};

/** True for a board layer-output name (`*_out.bin`). */
export function isBoardOutputName(fileName: string): boolean {
  return /_out\.bin$/i.test(fileName);
}

/** The ignore reason of a board file that is not a layer output, or null. */
export function boardAuxReason(fileName: string): string | null {
  const stem = stemOf(fileName);
  for (const [suf, why] of Object.entries(BOARD_AUX_SUFFIXES)) if (stem.endsWith(suf)) return why;
  return null;
}

function isBoardInput(fileName: string): boolean {
  return isVendorInputName(stemOf(fileName).replace(/_out$/, ''));
}

export interface BoardOptions {
  /** Saved stdout of the board program (`--board-log`), same line format as the PC log. */
  log?: string;
}

/**
 * Opens a board dump folder. Entry names are the file stems (`414_Quantize_out`); alignment
 * strips the suffix. Without a log: shapes null (except the input's, from its name) and the
 * order is the natural file-name order, inputs first.
 */
export async function openBoard(dir: string, opts: BoardOptions = {}): Promise<DumpSet> {
  const root = path.resolve(dir);
  const scanned = await scanFolder(root);
  const ignored: IgnoredFile[] = [];
  const files: ScannedFile[] = [];
  for (const f of scanned) {
    let why = commonIgnoreReason(f) ?? (isBin(f.name) ? null : 'not a .bin dump');
    if (!why && !isBoardOutputName(f.name) && !isBoardInput(f.name)) {
      why = boardAuxReason(f.name) ?? 'not a layer output: board layer dumps end in _out.bin';
    }
    if (why) ignore(ignored, f, why);
    else files.push(f);
  }
  let log: ParsedLog | null = null;
  if (opts.log) log = await readDumpLog(opts.log);
  const a = assembleEntries({
    files,
    dumpDir: root,
    log,
    logName: opts.log ?? 'log',
    writer: 'the board program',
    isInput: isBoardInput,
    lookup: (b, m) => m.get(b) ?? m.get(`${stemOf(b)}_out.bin`),
    fourChannelInput: true,
    noLogHint: 'pass --board-log with the saved stdout of the board program, or --shapes',
  });
  return { root, kind: 'board', entries: a.entries, ignored, warnings: [...(log?.warnings ?? []), ...a.warnings] };
}
