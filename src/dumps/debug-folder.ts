/**
 * The transform tool's debug folder (FORMATS.md §3): `float_model/` (float32), `ptq_model/`
 * (uint8, or uint16 for 10/12-bit features), `ptq_model_dequantize/` (float32), `input.bin`
 * (float32 after mean/var), `input_uint8.bin` (uint8 before mean/var) and
 * `model_node_info.json` (`{"all_type": [...], "<OpType>": [node names...]}`). No log: shapes
 * stay null unless a `--shapes` map is applied (see open.ts); order is natural file-name order.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UserError, fsError } from '../errors.js';
import { sanitizeName } from '../names.js';
import type { DType } from '../tensor/dtype.js';
import { naturalCompare } from './natural-sort.js';
import { commonIgnoreReason, ignore, isBin, rawEntry, scanFolder, type ScannedFile } from './scan.js';
import type { DumpEntry, DumpSet, FolderKind, IgnoredFile } from './types.js';

export const DEBUG_SUBS = ['float_model', 'ptq_model', 'ptq_model_dequantize'] as const;
export type DebugSub = (typeof DEBUG_SUBS)[number];
export const NODE_INFO_FILE = 'model_node_info.json';

/** model_node_info.json, parsed. */
export interface NodeInfo {
  /** The `all_type` list. */
  allTypes: string[];
  /** Node name -> op type. */
  opTypeByNode: Record<string, string>;
  /** Sanitized node name (the dump file stem) -> node name. */
  nodeBySanitized: Record<string, string>;
  warnings: string[];
}

/** Validates parsed model_node_info.json; UserError DUMP_FORMAT naming the key on bad shape. */
export function parseNodeInfo(value: unknown, src = NODE_INFO_FILE): NodeInfo {
  const hint = 'expected {"all_type": ["Conv", ...], "Conv": ["node name", ...], ...} as written by the transform tool';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UserError('DUMP_FORMAT', `${src}: not a JSON object`, hint);
  const o = value as Record<string, unknown>;
  const isStrList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (!isStrList(o.all_type)) throw new UserError('DUMP_FORMAT', `${src}: "all_type" must be a list of op type names (got ${JSON.stringify(o.all_type)?.slice(0, 80)})`, hint);
  const info: NodeInfo = { allTypes: [...o.all_type], opTypeByNode: {}, nodeBySanitized: {}, warnings: [] };
  for (const [k, v] of Object.entries(o)) {
    if (k === 'all_type') continue;
    if (!isStrList(v)) throw new UserError('DUMP_FORMAT', `${src}: "${k}" must be a list of node names (got ${JSON.stringify(v)?.slice(0, 80)})`, hint);
    if (!info.allTypes.includes(k)) info.warnings.push(`${src}: op type "${k}" is not in all_type`);
    for (const node of v) {
      const prev = info.opTypeByNode[node];
      if (prev !== undefined && prev !== k) info.warnings.push(`${src}: node "${node}" is listed under both ${prev} and ${k}; ${prev} is used`);
      if (prev !== undefined) continue;
      info.opTypeByNode[node] = k;
      const s = sanitizeName(node);
      const other = info.nodeBySanitized[s];
      if (other !== undefined) info.warnings.push(`${src}: nodes "${other}" and "${node}" share the file name ${s}.bin; "${other}" is used`);
      else info.nodeBySanitized[s] = node;
    }
  }
  return info;
}

/** Reads model_node_info.json. */
export async function readNodeInfo(file: string): Promise<NodeInfo> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read the node info');
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UserError('DUMP_FORMAT', `${file}: not valid JSON (${(e as Error).message})`, 'the transform tool writes it; re-run it with "debug": true');
  }
  return parseNodeInfo(v, file);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.access(p);
    return true;
  } catch {
    return false;
  }
}

async function binSizes(dir: string): Promise<Map<string, number>> {
  const m = new Map<string, number>();
  if (!(await exists(dir))) return m;
  for (const f of await scanFolder(dir)) if (!f.isDir && isBin(f.name)) m.set(f.name, f.size);
  return m;
}

/** Dtype of a ptq_model file from its size against the float_model file of the same name. */
function ptqDtype(size: number, floatSize: number | undefined): DType | null {
  if (floatSize === undefined || floatSize <= 0 || floatSize % 4 !== 0) return null;
  const count = floatSize / 4;
  if (size === count) return 'uint8';
  if (size === count * 2) return 'uint16';
  return null;
}

interface SubContext {
  root: string;
  kind: FolderKind;
  sub: DebugSub;
  subDir: string;
  nodeInfo: NodeInfo | null;
  floatSizes: Map<string, number>;
  inputU8: ScannedFile | null;
  ignored: IgnoredFile[];
  warnings: string[];
}

async function openSub(c: SubContext): Promise<DumpSet> {
  const files: ScannedFile[] = [];
  const ignored = [...c.ignored];
  const warnings = [...c.warnings];
  for (const f of await scanFolder(c.subDir)) {
    const why = commonIgnoreReason(f) ?? (isBin(f.name) ? null : 'not a .bin dump');
    if (why) ignore(ignored, f, why);
    else files.push(f);
  }
  files.sort((a, b) => naturalCompare(a.name, b.name));
  const entries: DumpEntry[] = [];
  if (c.inputU8) {
    const e = rawEntry(c.inputU8, 0, 'input', 'the transform tool');
    e.dtype = 'uint8';
    entries.push(e);
  }
  for (const f of files) {
    const e = rawEntry(f, entries.length, 'layer', 'the transform tool');
    if (c.sub === 'ptq_model') {
      e.dtype = e.problem ? null : ptqDtype(e.size, c.floatSizes.get(f.name));
      if (!e.dtype) e.dtypeCandidates = ['uint8', 'uint16'];
      if (!e.problem && !e.dtype) {
        const fs = c.floatSizes.get(f.name);
        warnings.push(
          fs === undefined
            ? `${c.sub}/${f.name}: no float_model/${f.name} to tell uint8 from uint16; dtype unknown until a shape is given`
            : `${c.sub}/${f.name}: ${e.size} bytes fit neither uint8 nor uint16 for the ${fs / 4} elements of float_model/${f.name}`,
        );
      }
    } else {
      e.dtype = 'float32';
    }
    const node = c.nodeInfo?.nodeBySanitized[e.name];
    if (node !== undefined) {
      e.nodeName = node;
      e.originalName = node;
      e.opType = c.nodeInfo!.opTypeByNode[node];
    }
    entries.push(e);
  }
  return { root: c.root, kind: c.kind, entries, ignored, warnings };
}

/** Everything in a debug folder. */
export interface DebugFolder {
  root: string;
  float: DumpSet;
  ptq: DumpSet;
  dequant: DumpSet;
  /** `input.bin` (float32 NHWC after mean/var), absolute path, or null. */
  inputFloat: string | null;
  /** `input_uint8.bin` (uint8 NHWC before mean/var), absolute path, or null. */
  inputU8: string | null;
  nodeInfo: NodeInfo | null;
}

interface RootScan {
  root: string;
  nodeInfo: NodeInfo | null;
  inputFloat: string | null;
  inputU8: ScannedFile | null;
  ignored: IgnoredFile[];
  warnings: string[];
  floatSizes: Map<string, number>;
}

async function scanRoot(dir: string): Promise<RootScan> {
  const root = path.resolve(dir);
  const scanned = await scanFolder(root);
  const ignored: IgnoredFile[] = [];
  const warnings: string[] = [];
  let nodeInfo: NodeInfo | null = null;
  let inputFloat: string | null = null;
  let inputU8: ScannedFile | null = null;
  for (const f of scanned) {
    if (f.isDir && (DEBUG_SUBS as readonly string[]).includes(f.name)) continue;
    if (f.name === NODE_INFO_FILE) {
      nodeInfo = await readNodeInfo(f.path);
      warnings.push(...nodeInfo.warnings);
      continue;
    }
    if (f.name === 'input_uint8.bin') {
      inputU8 = f;
      continue;
    }
    if (f.name === 'input.bin') {
      inputFloat = f.path;
      ignore(ignored, f, 'float input after mean/var (input_uint8.bin is used as the input entry)');
      continue;
    }
    ignore(ignored, f, commonIgnoreReason(f) ?? 'not part of a debug folder');
  }
  if (!nodeInfo) warnings.push(`${NODE_INFO_FILE} not found in ${root}: op types are unknown`);
  return { root, nodeInfo, inputFloat, inputU8, ignored, warnings, floatSizes: await binSizes(path.join(root, 'float_model')) };
}

/** Opens one sub-folder of a debug folder as a DumpSet of kind 'debug' (default float_model). */
export async function openDebugFolder(dir: string, opts: { sub?: DebugSub } = {}): Promise<DumpSet> {
  const sub = opts.sub ?? 'float_model';
  const r = await scanRoot(dir);
  const subDir = path.join(r.root, sub);
  if (!(await exists(subDir))) {
    throw new UserError('FILE_NOT_FOUND', `${subDir}: the debug folder has no ${sub}/`, `choose another sub-folder (${DEBUG_SUBS.join(', ')})`);
  }
  return openSub({ ...r, kind: 'debug', sub, subDir, nodeInfo: r.nodeInfo });
}

/** Reads all three sub-folders, the input paths and the node info of a debug folder. */
export async function readDebugFolder(dir: string): Promise<DebugFolder> {
  const r = await scanRoot(dir);
  const open = async (sub: DebugSub): Promise<DumpSet> => {
    const subDir = path.join(r.root, sub);
    if (!(await exists(subDir))) return { root: r.root, kind: 'debug', entries: [], ignored: [], warnings: [`${sub}/ is missing from ${r.root}`] };
    return openSub({ ...r, kind: 'debug', sub, subDir });
  };
  return {
    root: r.root,
    float: await open('float_model'),
    ptq: await open('ptq_model'),
    dequant: await open('ptq_model_dequantize'),
    inputFloat: r.inputFloat,
    inputU8: r.inputU8?.path ?? null,
    nodeInfo: r.nodeInfo,
  };
}

/** True when `dir` looks like one sub-folder of a debug folder (by name, next to its siblings). */
export async function isDebugSub(dir: string): Promise<boolean> {
  const base = path.basename(dir);
  if (!(DEBUG_SUBS as readonly string[]).includes(base)) return false;
  const parent = path.dirname(dir);
  return (await exists(path.join(parent, NODE_INFO_FILE))) || (await exists(path.join(parent, base === 'float_model' ? 'ptq_model' : 'float_model')));
}

/**
 * Opens one sub-folder alone (kind 'debug-sub'): node info and float_model sizes are read from
 * the parent debug folder when present; the parent's input is not included.
 */
export async function openDebugSub(dir: string): Promise<DumpSet> {
  const subDir = path.resolve(dir);
  const sub = path.basename(subDir) as DebugSub;
  const parent = path.dirname(subDir);
  const infoFile = path.join(parent, NODE_INFO_FILE);
  const nodeInfo = (await exists(infoFile)) ? await readNodeInfo(infoFile) : null;
  return openSub({
    root: subDir,
    kind: 'debug-sub',
    sub,
    subDir,
    nodeInfo,
    floatSizes: await binSizes(path.join(parent, 'float_model')),
    inputU8: null,
    ignored: [],
    warnings: nodeInfo ? [...nodeInfo.warnings] : [`${NODE_INFO_FILE} not found next to ${subDir}: op types are unknown`],
  });
}
