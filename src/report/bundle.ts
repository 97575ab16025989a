/**
 * `magik-parity bundle`: the files guide §8.2 asks users to send to vendor support, as one
 * .tar.gz — input_uint8.bin, the problem layer's input and output dumps from every source in the
 * report, its quantization parameters, the config (if the compare command named one),
 * report.json + report.md, the tool version, md5sums.txt (md5sum format) and README.txt.
 * Member names are sanitized (no `..`, no absolute paths); the total size is bounded; an existing
 * output file is never replaced; the archive appears under its name only when complete.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { AtomicFile } from '../io/atomic.js';
import { UserError, fsError } from '../errors.js';
import { TOOL_NAME, toolVersion } from '../version.js';
import { loadReport } from './load.js';
import { renderMarkdown } from './markdown.js';
import { firstDivergenceText, shapeText } from './format.js';
import { chooseLayer, collectSides, configFromCommand, fileSize, memberName, resolveGiven, type PlannedMember } from './bundle-plan.js';
import type { Report } from './schema.js';

export interface BundleOptions {
  /** report.json written by compare. */
  reportFile: string;
  /** Problem layer (tensor, node or dump name); default: the first divergence of the first diverged edge. */
  layer?: string;
  /** Edge id to look the layer up on (e.g. `float~ptq`). */
  edge?: string;
  /** Output .tar.gz; must not exist. */
  out: string;
  /** Largest allowed total of the members, in MiB (default 200). */
  maxMb?: number;
}

export interface BundleMember {
  /** Name inside the archive (under {@link BUNDLE_ROOT}/). */
  name: string;
  size: number;
  md5: string;
  /** File it was copied from, or null when generated. */
  from: string | null;
}

export interface BundleResult {
  out: string;
  edge: string;
  layer: string;
  members: BundleMember[];
  /** Total member bytes (before compression). */
  bytes: number;
  /** Things that could not be included, and why (also in README.txt). */
  notes: string[];
}

/** Top folder of every member, so unpacking never spills files. */
export const BUNDLE_ROOT = 'magik-parity-bundle';
export const DEFAULT_MAX_MB = 200;

const MiB = 1024 * 1024;

/** Plans the members (without README / md5sums) from the report. */
async function plan(r: Report, reportFile: string, o: BundleOptions): Promise<{ members: PlannedMember[]; notes: string[]; choice: ReturnType<typeof chooseLayer> }> {
  const reportDir = path.dirname(path.resolve(reportFile));
  const choice = chooseLayer(r, o.layer, o.edge);
  const members: PlannedMember[] = [];
  const notes: string[] = [];
  const names = new Set<string>();
  const addFile = (parts: string[], file: string, what: string) => {
    const size = fileSize(file);
    if (size === null) {
      notes.push(`not included: ${file} (${what}): file not found`);
      return;
    }
    let name = memberName(...parts);
    for (let k = 2; names.has(name); k++) name = memberName(...parts.slice(0, -1), `${k}_${parts[parts.length - 1]}`);
    names.add(name);
    members.push({ name, file, size, what });
  };
  const addData = (name: string, data: string, what: string) => {
    names.add(name);
    members.push({ name, data, size: Buffer.byteLength(data), what });
  };

  // input_uint8.bin: --input of compare, else a 3-channel input dump equal to the others
  const inp = r.inputs.reference?.file ?? r.inputs.checks.find((c) => c.equal === true && c.channels === 3 && c.file)?.file ?? null;
  const inpPath = inp ? resolveGiven(inp, reportDir) : null;
  if (inpPath) addFile(['input_uint8.bin'], inpPath, `the network input every source was made from (${inp})`);
  else notes.push(inp ? `not included: input_uint8.bin (${inp}: not found)` : 'not included: input_uint8.bin (the report names none; pass --input to compare)');

  addFile(['report.json'], path.resolve(reportFile), 'the comparison report (schema v1)');
  const md = path.join(reportDir, 'report.md');
  if (fileSize(md) !== null) addFile(['report.md'], md, 'the comparison report, readable');
  else addData('report.md', renderMarkdown(r), 'the comparison report, readable (rendered from report.json)');

  // the layer's own dumps and its input layer's dumps, from every source
  const sides = collectSides(r, choice.layer.name);
  const quant: Record<string, unknown>[] = [];
  for (const s of sides) {
    const parent = path.basename(path.dirname(s.side.file));
    const what = `${s.role === 'output' ? 'output' : 'input (previous layer in order)'} of the problem layer from ${s.source}: ${s.layer.name}, ${s.side.dtype ?? 'dtype ?'} ${shapeText(s.side.shape)}`;
    addFile(['layer', s.role, s.source, parent, path.basename(s.side.file)], s.side.file, what);
    quant.push({
      role: s.role,
      source: s.source,
      layer: s.layer.name,
      file: s.side.file,
      dtype: s.side.dtype,
      shape: s.side.shape,
      scale: s.side.scale ?? null,
      zeroPoint: s.side.zeroPoint ?? null,
      ...(s.layer.fit ? { fittedScaleZeroPoint: s.layer.fit } : {}),
    });
  }
  if (!sides.some((s) => s.role === 'input')) notes.push(`no input layer for ${choice.layer.name}: it is the first layer in order on every edge, so its input is the network input (input_uint8.bin)`);
  addData(
    memberName('quant_params.json'),
    `${JSON.stringify({ layer: choice.layer.name, note: 'x = (q - zeroPoint) * scale; null where the dump folder does not record it', tensors: quant }, null, 2)}\n`,
    'quantization parameters known for these dumps (scale / zero point, dtype, shape)',
  );
  // params.json next to (or in) the ptq folder
  for (const src of r.sources.filter((s) => s.id === 'ptq')) {
    const root = resolveGiven(src.root, reportDir);
    if (!root) continue;
    const found = [path.join(root, 'params.json'), path.join(path.dirname(root), 'params.json')].find((p) => fileSize(p) !== null);
    if (found) addFile(['ptq_params.json'], found, `quantization parameters of the reference (${found})`);
  }
  const cfg = configFromCommand(r.meta.command);
  if (cfg) {
    const p = resolveGiven(cfg, reportDir);
    if (p) addFile(['config', path.basename(p)], p, `the config named on the compare command line (${cfg})`);
    else notes.push(`not included: config ${cfg} (not found)`);
  } else notes.push('no config: the compare command line named none (add your ptq_config.json by hand if support asks)');
  return { members, notes, choice };
}

function readme(r: Report, choice: ReturnType<typeof chooseLayer>, members: PlannedMember[], notes: string[]): string {
  const l = choice.layer;
  const fd = firstDivergenceText(choice.edge);
  const lines = [
    `${TOOL_NAME} support bundle`,
    '',
    'What the Magik user guide (section 8.2) asks you to send to the MagikTransformKit docking staff',
    'when one layer quantizes badly or the simulation looks wrong.',
    '',
    `problem layer: ${l.name}${l.nodeName ? ` (node ${l.nodeName})` : ''}${l.opType ? `, op ${l.opType}` : ''}, shape ${shapeText(l.shape)}`,
    `chosen as: ${choice.why}`,
    `edge: ${choice.edge.id} (${choice.edge.kind}); layer status: ${l.status}${l.reason ? ` (${l.reason})` : ''}`,
    `first divergence of that edge: ${fd ?? 'none'}`,
    `report verdict: ${r.verdict}`,
    '',
    'Files:',
    ...members.map((m) => `  ${m.name}  —  ${m.what}`),
    '  md5sums.txt  —  md5 of every other file (check with: md5sum -c md5sums.txt)',
    '',
    'Layout of layer/: layer/<output|input>/<source>/<dump folder>/<file>. Sources: float = float',
    'model (float_model), ptq = quantized reference (ptq_model, ptq_model_dequantize), pc = the vendor',
    'PC library (MAGIK_DATA_DUMP), board = the chip. Dumps are raw little-endian values, NHWC for 4-D.',
    'The "input" of the layer is the layer just before it in the report\'s layer order (graph order',
    'when the report was made with --model, else execution order); in a branchy graph check that it',
    'is the real producer of the layer\'s input.',
  ];
  if (notes.length) lines.push('', 'Notes:', ...notes.map((n) => `  - ${n}`));
  lines.push('');
  return lines.join('\n');
}

/** Builds the bundle and writes it atomically to `o.out` (never replacing an existing file). */
export async function createBundle(o: BundleOptions): Promise<BundleResult> {
  const out = path.resolve(o.out);
  const maxMb = o.maxMb ?? DEFAULT_MAX_MB;
  if (!(maxMb > 0)) throw new UserError('USAGE', `--max-mb ${maxMb}: must be a positive number of MiB`, `the default is ${DEFAULT_MAX_MB}`);
  try {
    await fsp.access(out);
    throw new UserError('OUTPUT_EXISTS', `${o.out}: already exists; refusing to overwrite it`, 'choose another --out, or remove the file first');
  } catch (e) {
    if (e instanceof UserError) throw e;
  }
  const r = await loadReport(o.reportFile);
  const { members, notes, choice } = await plan(r, o.reportFile, o);
  const version = `report made by ${r.tool.name} ${r.tool.version} (report.json schema v${r.schemaVersion})\nbundle made by ${TOOL_NAME} ${toolVersion()}\n`;
  members.push({ name: 'VERSION.txt', data: version, size: Buffer.byteLength(version), what: 'tool versions' });
  const text = readme(r, choice, members, notes);
  members.unshift({ name: 'README.txt', data: text, size: Buffer.byteLength(text), what: 'this file' });
  const total = members.reduce((s, m) => s + m.size, 0);
  if (total > maxMb * MiB) {
    const big = [...members].sort((a, b) => b.size - a.size).slice(0, 3).map((m) => `${m.name} ${(m.size / MiB).toFixed(1)} MiB`);
    throw new UserError('USAGE', `the bundle would hold ${(total / MiB).toFixed(1)} MiB, above --max-mb ${maxMb} (largest: ${big.join(', ')})`, `raise --max-mb (e.g. --max-mb ${Math.ceil(total / MiB) + 1}) or pick another --layer`);
  }
  const mtime = Number.isNaN(Date.parse(r.meta.createdAt)) ? new Date(0) : new Date(r.meta.createdAt);
  const done: BundleMember[] = [];
  const pack = tar.pack();
  const file = new AtomicFile(out);
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      try {
        file.write(chunk);
        cb();
      } catch (e) {
        cb(e as Error);
      }
    },
  });
  const piping = pipeline(pack, createGzip({ level: 6 }), sink);
  // A write error (e.g. ENOSPC) rejects `piping` while an entry is pending: it must neither go
  // unhandled (that crashed the process) nor leave the pending entry waiting forever.
  piping.catch(() => undefined);
  const entry = (name: string, data: Uint8Array) =>
    Promise.race([
      new Promise<void>((res, rej) => pack.entry({ name: `${BUNDLE_ROOT}/${name}`, size: data.byteLength, mode: 0o644, mtime }, Buffer.from(data.buffer, data.byteOffset, data.byteLength), (err) => (err ? rej(err) : res()))),
      piping.then(() => undefined),
    ]);
  try {
    for (const m of members) {
      let data: Uint8Array;
      if (m.file) {
        try {
          data = await fsp.readFile(m.file);
        } catch (e) {
          throw fsError(e, m.file, 'read a file for the bundle');
        }
      } else data = typeof m.data === 'string' ? Buffer.from(m.data, 'utf8') : m.data!;
      await entry(m.name, data);
      done.push({ name: m.name, size: data.byteLength, md5: createHash('md5').update(data).digest('hex'), from: m.file ?? null });
    }
    const sums = done.map((m) => `${m.md5}  ${m.name}\n`).join('');
    await entry('md5sums.txt', Buffer.from(sums, 'utf8'));
    done.push({ name: 'md5sums.txt', size: Buffer.byteLength(sums), md5: createHash('md5').update(sums).digest('hex'), from: null });
    pack.finalize();
    await piping;
    file.commitExclusive();
  } catch (e) {
    pack.destroy();
    // the write error (UserError, e.g. ENOSPC) explains more than tar's "destroyed" that follows it
    const pipeErr: unknown = await piping.then(() => null, (x: unknown) => x);
    file.abort();
    throw pipeErr instanceof UserError ? pipeErr : e;
  }
  return { out, edge: choice.edge.id, layer: choice.layer.name, members: done, bytes: done.reduce((s, m) => s + m.size, 0), notes };
}
