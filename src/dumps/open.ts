/**
 * The one entry point that opens a dump folder of any kind (DESIGN.md convention 2): detects
 * the kind, reads it, applies a `--shapes` map. Bad paths are UserErrors naming the path.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UserError, fsError } from '../errors.js';
import { boardAuxReason, isBoardOutputName, openBoard } from './board.js';
import { DEBUG_SUBS, isDebugSub, openDebugFolder, openDebugSub } from './debug-folder.js';
import { MANIFEST_FILE, openManifestFolder } from './manifest.js';
import { openNpyFile, openNpyFolder } from './npy.js';
import { openPlain } from './plain.js';
import { commonIgnoreReason, isBin, scanFolder, type ScannedFile } from './scan.js';
import { fitShape } from './shape-fit.js';
import { ShapeLookup } from './shapes-map.js';
import type { DumpEntry, DumpSet, FolderKind, OpenOptions } from './types.js';
import { DUMP_DIR_NAME, isVendorInputName, openVendorPc } from './vendor-pc.js';

const KINDS_HINT =
  'expected a dump folder: MAGIK_DATA_DUMP/ (vendor PC), board *_out.bin dumps, a transform-tool debug folder, .npy files, or a folder with manifest.json';

/** Picks the folder kind from what `scanned` (the folder's listing) holds. */
export async function detectKind(dir: string, scanned: ScannedFile[], opts: OpenOptions = {}): Promise<FolderKind> {
  if (opts.kind) return opts.kind;
  const has = (n: string, isDir: boolean) => scanned.some((f) => f.name === n && f.isDir === isDir);
  if (has(MANIFEST_FILE, false)) return 'manifest';
  if (path.basename(dir) === DUMP_DIR_NAME || has(DUMP_DIR_NAME, true)) return 'vendor-pc';
  if (has('float_model', true) && has('ptq_model', true)) return 'debug';
  if (await isDebugSub(dir)) return 'debug-sub';
  const bins = scanned.filter((f) => !f.isDir && !commonIgnoreReason(f) && isBin(f.name));
  const outs = bins.filter((f) => isBoardOutputName(f.name)).length;
  const others = bins.filter((f) => !isBoardOutputName(f.name) && !boardAuxReason(f.name) && !isVendorInputName(f.name)).length;
  if (outs > 0 && outs >= others) return 'board';
  if (opts.log || bins.some((f) => isVendorInputName(f.name))) return 'vendor-pc';
  const npys = scanned.filter((f) => !f.isDir && /\.npy$/i.test(f.name)).length;
  if (npys > 0 && npys >= bins.length) return 'npy';
  return 'plain';
}

/**
 * Returns a copy of `entry` with `shape` set and the dtype inferred from the size (or checked,
 * when the entry's dtype is already known), or with a 'size-mismatch' / 'shape-overflow'
 * problem. For later stages that borrow a shape from the other side of a pair or the model.
 */
export function resolveShape(entry: DumpEntry, shape: readonly number[], source: NonNullable<DumpEntry['shapeSource']> = 'model'): DumpEntry {
  return fitShape(entry, shape, source);
}

/** Applies a `--shapes` map to the entries that have no shape; warns about unused keys. */
export function applyShapes(set: DumpSet, shapes: Readonly<Record<string, number[]>>): DumpSet {
  const look = new ShapeLookup(shapes);
  const entries = set.entries.map((e) => {
    if (e.shape || e.problem?.code === 'missing-file') return e;
    const s = look.get(e.name, e.originalName);
    return s ? fitShape(e, s, 'shapes-map') : e;
  });
  const unused = look.unused();
  const warnings = [...set.warnings];
  if (unused.length > 0) {
    const list = unused.slice(0, 10).join(', ') + (unused.length > 10 ? `, ... (${unused.length} in all)` : '');
    warnings.push(`--shapes: ${unused.length} name(s) matched no file without a shape in ${set.root}: ${list}`);
  }
  return { ...set, entries, warnings };
}

/**
 * Opens a dump folder (or a single `.npy` file) of any kind. Detection: manifest.json ->
 * 'manifest'; MAGIK_DATA_DUMP/ -> 'vendor-pc'; float_model/ + ptq_model/ -> 'debug'; a
 * float_model/ptq_model/ptq_model_dequantize folder inside one -> 'debug-sub'; mostly
 * `*_out.bin` -> 'board'; a log or an `input_data_shape_*` file -> 'vendor-pc'; `.npy` files ->
 * 'npy'; else 'plain'. `opts.shapes` fills in entries that have no shape.
 */
export async function openDumpSet(dir: string, opts: OpenOptions = {}): Promise<DumpSet> {
  const abs = path.resolve(dir);
  let st;
  try {
    st = await fsp.stat(abs);
  } catch (e) {
    const err = fsError(e, abs, 'open the dump folder');
    if (err instanceof UserError && err.code === 'FILE_NOT_FOUND') {
      throw new UserError('FILE_NOT_FOUND', `${abs}: dump folder not found`, 'check the path; ' + KINDS_HINT);
    }
    throw err;
  }
  let set: DumpSet;
  if (!st.isDirectory()) {
    if (!/\.npy$/i.test(abs)) throw new UserError('USAGE', `${abs}: is a file, not a dump folder`, `give the folder that holds it; ${KINDS_HINT}`);
    set = await openNpyFile(abs, st.size);
  } else {
    const scanned = await scanFolder(abs);
    if (scanned.filter((f) => !f.name.startsWith('.')).length === 0) {
      throw new UserError('FOLDER_EMPTY', `${abs}: dump folder is empty`, 'did the program that should have written the dumps run (e.g. MAGIK_CPP_DUMPDATA=true)?');
    }
    const kind = await detectKind(abs, scanned, opts);
    switch (kind) {
      case 'manifest':
        set = await openManifestFolder(abs);
        break;
      case 'vendor-pc':
        set = await openVendorPc(abs, { log: opts.log });
        break;
      case 'board':
        set = await openBoard(abs, { log: opts.log });
        break;
      case 'debug':
        set = await openDebugFolder(abs, { sub: opts.sub });
        break;
      case 'debug-sub':
        set = await openDebugSub(abs);
        break;
      case 'npy':
        set = await openNpyFolder(abs);
        break;
      case 'plain':
        set = await openPlain(abs);
        break;
    }
  }
  if (set.entries.length === 0) {
    const sample = set.ignored.slice(0, 3).map((i) => path.basename(i.file)).join(', ');
    throw new UserError(
      'FOLDER_EMPTY',
      `${abs}: no dump files found (read as ${set.kind}${set.ignored.length ? `; ignored ${set.ignored.length} file(s), e.g. ${sample}` : ''})`,
      KINDS_HINT,
    );
  }
  if (opts.shapes) set = applyShapes(set, opts.shapes);
  return set;
}

/** The sub-folder names of a debug folder (re-exported for CLI choices). */
export { DEBUG_SUBS };
