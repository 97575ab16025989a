/**
 * Turns the files of a raw dump folder plus an optional dump log into ordered entries: logged
 * files in log order, then unlogged ones (inputs first, the rest in natural file-name order).
 * Shared by the vendor-PC and board readers.
 */
import * as path from 'node:path';
import { shapeFromInputName } from '../names.js';
import { naturalCompare } from './natural-sort.js';
import { rawEntry, stemOf, type ScannedFile, type Writer } from './scan.js';
import { VENDOR_DTYPES, fitShape } from './shape-fit.js';
import type { DumpEntry } from './types.js';
import type { LogRecord, ParsedLog } from './vendor-log.js';

export interface AssembleOptions {
  /** Candidate layer/input files (already filtered). */
  files: ScannedFile[];
  /** Folder the files are in (absolute). */
  dumpDir: string;
  log: ParsedLog | null;
  /** How warnings name the log, e.g. the log's path. */
  logName: string;
  writer: Writer;
  /** True when a file is the network input. */
  isInput: (fileName: string) => boolean;
  /** Finds the file a log line names (default: exact base name). */
  lookup?: (loggedBase: string, byName: ReadonlyMap<string, ScannedFile>) => ScannedFile | undefined;
  /** Accept a 4-channel uint8 input where the name/log says 3 channels (board inputs). */
  fourChannelInput?: boolean;
  /** Added to the "no log" warning, e.g. 'pass --pc-log <saved stdout>'. */
  noLogHint: string;
}

export interface Assembled {
  entries: DumpEntry[];
  warnings: string[];
}

/**
 * Fits an input dump's shape: the log's, then the file name's, then (board) the same with 4
 * channels as uint8. The first that fits the size wins; otherwise the first is applied so the
 * entry carries the size-mismatch problem.
 */
function fitInput(e: DumpEntry, fileName: string, logShape: number[] | null, four: boolean, warnings: string[]): DumpEntry {
  const fromName = shapeFromInputName(stemOf(fileName).replace(/_out$/, ''));
  if (logShape && fromName && logShape.join(',') !== fromName.join(',')) {
    warnings.push(`${fileName}: the log says shape [${logShape.join(',')}] but the file name says [${fromName.join(',')}]; the log is used`);
  }
  const tries: { shape: number[]; src: 'log' | 'file-name'; only?: 'uint8' }[] = [];
  if (logShape) tries.push({ shape: logShape, src: 'log' });
  if (fromName) tries.push({ shape: [...fromName], src: 'file-name' });
  if (four) {
    for (const t of [...tries]) {
      if (t.shape.length === 4 && t.shape[3] === 3) tries.push({ shape: [t.shape[0]!, t.shape[1]!, t.shape[2]!, 4], src: t.src, only: 'uint8' });
    }
  }
  if (tries.length === 0) return e;
  for (const t of tries) {
    const r = fitShape(e, t.shape, t.src, t.only ? [t.only] : VENDOR_DTYPES);
    if (!r.problem) return r;
  }
  return fitShape(e, tries[0]!.shape, tries[0]!.src);
}

/** Builds the ordered entry list; `order` is renumbered 0..n-1. */
export function assembleEntries(o: AssembleOptions): Assembled {
  const warnings: string[] = [];
  const byName = new Map(o.files.map((f) => [f.name, f] as const));
  const lookup = o.lookup ?? ((b: string, m: ReadonlyMap<string, ScannedFile>) => m.get(b));
  const used = new Set<string>();
  const logged: DumpEntry[] = [];
  const records: LogRecord[] = o.log?.records ?? [];
  for (const r of records) {
    const f = lookup(r.file, byName);
    const role: DumpEntry['role'] = o.isInput(r.file) ? 'input' : 'layer';
    if (!f) {
      warnings.push(`${o.logName}:${r.line}: ${r.file} is logged but not in ${o.dumpDir}`);
      logged.push({
        name: stemOf(r.file),
        file: path.join(o.dumpDir, r.file),
        dtype: null,
        shape: [...r.shape],
        shapeSource: 'log',
        layout: r.shape.length === 4 ? 'NHWC' : 'row-major',
        size: 0,
        dataOffset: 0,
        order: 0,
        role,
        problem: { code: 'missing-file', reason: `cannot compare: ${r.file} is named in the log (line ${r.line}) but the file does not exist` },
      });
      continue;
    }
    if (used.has(f.name)) {
      warnings.push(`${o.logName}:${r.line}: ${r.file} names ${f.name}, which an earlier log line already names; line ignored`);
      continue;
    }
    used.add(f.name);
    let e = rawEntry(f, 0, o.isInput(f.name) ? 'input' : 'layer', o.writer);
    e = e.role === 'input' ? fitInput(e, f.name, r.shape, Boolean(o.fourChannelInput), warnings) : fitShape(e, r.shape, 'log');
    logged.push(e);
  }
  const rest = o.files.filter((f) => !used.has(f.name)).sort((a, b) => naturalCompare(a.name, b.name));
  const inputs: DumpEntry[] = [];
  const others: DumpEntry[] = [];
  for (const f of rest) {
    const e = rawEntry(f, 0, o.isInput(f.name) ? 'input' : 'layer', o.writer);
    if (e.role === 'input') {
      inputs.push(fitInput(e, f.name, null, Boolean(o.fourChannelInput), warnings));
    } else {
      others.push(e);
      if (o.log) warnings.push(`${f.name} has no line in ${o.logName}: its shape is unknown (it is listed after the logged files)`);
    }
  }
  if (!o.log && others.length > 0) {
    warnings.push(`no dump log given: the shapes of ${others.length} file(s) are unknown and the order is the file-name order (${o.noLogHint})`);
  }
  if (o.log && o.log.records.length === 0) {
    warnings.push(`${o.logName} has no "Data dumping to:" line: is it the saved stdout of a run with MAGIK_CPP_DUMPDATA=true?`);
  }
  const entries = [...inputs, ...logged, ...others];
  entries.forEach((e, i) => (e.order = i));
  return { entries, warnings };
}
