/**
 * A plain folder of `.bin` files with no log or manifest: shapes come only from input file
 * names or a `--shapes` map (applied in open.ts); order is the natural file-name order.
 */
import * as path from 'node:path';
import { naturalCompare } from './natural-sort.js';
import { commonIgnoreReason, ignore, isBin, scanFolder, type ScannedFile } from './scan.js';
import type { DumpSet, IgnoredFile } from './types.js';
import { assembleEntries } from './assemble.js';
import { isVendorInputName } from './vendor-pc.js';

/** Opens a plain folder of .bin dumps (inputs first, then natural file-name order). */
export async function openPlain(dir: string): Promise<DumpSet> {
  const root = path.resolve(dir);
  const ignored: IgnoredFile[] = [];
  const files: ScannedFile[] = [];
  for (const f of await scanFolder(root)) {
    const why = commonIgnoreReason(f) ?? (isBin(f.name) ? null : 'not a .bin dump');
    if (why) ignore(ignored, f, why);
    else files.push(f);
  }
  files.sort((a, b) => naturalCompare(a.name, b.name));
  const a = assembleEntries({
    files,
    dumpDir: root,
    log: null,
    logName: 'log',
    writer: 'the producer',
    isInput: isVendorInputName,
    noLogHint: 'pass --shapes with a JSON map of name -> shape',
  });
  return { root, kind: 'plain', entries: a.entries, ignored, warnings: a.warnings };
}
