/**
 * The sources a compare run looks at, opened from the command line's folders.
 * A debug folder (`--debug-dir`) supplies two sources: float (float_model/) and ptq
 * (ptq_model/, with ptq_model_dequantize/ as its float view).
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { openDumpSet } from '../dumps/open.js';
import type { DumpSet, OpenOptions } from '../dumps/types.js';
import type { SourceId } from '../report/schema.js';
import { UserError } from '../errors.js';

export interface Source {
  id: SourceId;
  /** Folder as given by the user. */
  given: string;
  set: DumpSet;
  /** Float view of an integer source (ptq_model_dequantize/), used on edges against float. */
  dequant?: DumpSet;
  /** Whether the source's layer dumps are integer (quantized) values. */
  integer: boolean;
  log?: string;
}

export interface SourceOptions {
  float?: string;
  ptq?: string;
  pc?: string;
  pcLog?: string;
  board?: string;
  boardLog?: string;
  debugDir?: string;
  shapes?: Record<string, number[]>;
}

/** Canonical order of sources: edges are named `<earlier>~<later>`. */
export const SOURCE_ORDER: SourceId[] = ['float', 'ptq', 'pc', 'board'];

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Opens every source named on the command line. Needs at least two. */
export async function openSources(o: SourceOptions): Promise<Source[]> {
  const given = (o.debugDir ? 2 : 0) + [o.float, o.ptq, o.pc, o.board].filter(Boolean).length;
  if (given < 2) {
    throw new UserError('USAGE', `compare needs at least two sources, got ${given === 0 ? 'none' : 'one'}`, 'pass two or more of --float, --ptq, --pc, --board, or --debug-dir');
  }
  const out: Source[] = [];
  const base: OpenOptions = o.shapes ? { shapes: o.shapes } : {};
  if (o.debugDir) {
    if (o.float || o.ptq) throw new UserError('USAGE', '--debug-dir already supplies float_model/ and ptq_model/; do not also pass --float or --ptq', 'drop one of them');
    const d = path.resolve(o.debugDir);
    out.push({ id: 'float', given: o.debugDir, set: await openDumpSet(d, { ...base, sub: 'float_model' }), integer: false });
    const ptq = await openDumpSet(d, { ...base, sub: 'ptq_model' });
    const deq = isDir(path.join(d, 'ptq_model_dequantize')) ? await openDumpSet(d, { ...base, sub: 'ptq_model_dequantize' }) : undefined;
    out.push({ id: 'ptq', given: o.debugDir, set: ptq, dequant: deq, integer: true });
  }
  if (o.float) out.push({ id: 'float', given: o.float, set: await openDumpSet(path.resolve(o.float), base), integer: false });
  if (o.ptq) {
    // A reference output folder holds ptq_model/ (+ ptq_model_dequantize/); a bare folder is the ptq dumps.
    const root = path.resolve(o.ptq);
    const sub = path.join(root, 'ptq_model');
    const set = await openDumpSet(isDir(sub) ? sub : root, base);
    const deqDir = path.join(root, 'ptq_model_dequantize');
    const dequant = isDir(sub) && isDir(deqDir) ? await openDumpSet(deqDir, base) : undefined;
    out.push({ id: 'ptq', given: o.ptq, set, dequant, integer: true });
  }
  if (o.pc) {
    if (o.pcLog && !existsSync(o.pcLog)) throw new UserError('FILE_NOT_FOUND', `--pc-log ${o.pcLog}: not found`, 'give the saved stdout of the vendor PC program');
    out.push({ id: 'pc', given: o.pc, set: await openDumpSet(path.resolve(o.pc), { ...base, log: o.pcLog }), integer: true, log: o.pcLog });
  }
  if (o.board) {
    if (o.boardLog && !existsSync(o.boardLog)) throw new UserError('FILE_NOT_FOUND', `--board-log ${o.boardLog}: not found`, 'give the saved stdout of the board program');
    out.push({ id: 'board', given: o.board, set: await openDumpSet(path.resolve(o.board), { ...base, log: o.boardLog }), integer: true, log: o.boardLog });
  } else if (o.boardLog) {
    throw new UserError('USAGE', '--board-log given without --board', 'add --board DIR');
  }
  if (o.pcLog && !o.pc) throw new UserError('USAGE', '--pc-log given without --pc', 'add --pc DIR');
  out.sort((x, y) => SOURCE_ORDER.indexOf(x.id) - SOURCE_ORDER.indexOf(y.id));
  return out;
}
