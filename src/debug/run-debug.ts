/**
 * `magik-parity debug`: the guide's json `debug` option (§3.2, §8) as one command. For each debug
 * image: prepare it like the calibration images (stretched to width×height, the config's channel
 * order), run the integer reference (calibrated once, or `--params`) and the float model, and
 * write the transform tool's folder layout (FORMATS.md §3):
 *
 *     <folder>/float_model/            float32 NHWC, one `<sanitized node name>.bin` per node output
 *                                      (+ input.bin, the float input, and our manifest.json)
 *     <folder>/ptq_model/              codes, uint8 (uint16 for 9..16-bit features), NHWC, same
 *                                      names (+ input.bin: the quantized input; manifest.json)
 *     <folder>/ptq_model_dequantize/   the codes dequantized, float32, same names
 *     <folder>/input.bin               float32 NHWC after mean/var
 *     <folder>/input_uint8.bin         uint8 NHWC before mean/var
 *     <folder>/model_node_info.json    {"all_type": [...], "<OpType>": [node names]}
 *     <folder>/params.json             our quantization parameters (not in the vendor's layout)
 *
 * One image: `<folder>` is the output folder itself, as the vendor writes it. Several images:
 * one sub-folder per image, named by the image's file stem (the guide does not say what the
 * vendor does with a folder of debug images; its table's cosine_avg/min/max columns suggest it
 * aggregates over them). The distance table is aggregated over all images (src/debug/distance.ts)
 * and saved as `distance.txt` / `distance.json` in the output folder; each image gets its own
 * compare report, and the output folder gets the report of the worst image (lowest mean cosine
 * over its layers). No MAGIK_DATA_DUMP/ is written: the debug layout does not have one (and a
 * folder holding one would be read as the vendor PC library's dumps).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fsError } from '../errors.js';
import { prepareOutDir, writeFileAtomic } from '../io/atomic.js';
import { loadModel } from '../onnx/load.js';
import type { OnnxModel } from '../onnx/types.js';
import { listCalibrationImages, loadPtqConfig } from '../../reference/config/index.js';
import { readParamsFile } from '../../reference/quantize/params-file.js';
import { checkModelAgainstConfig } from '../../reference/quantize/calibrate.js';
import { prepareImageLoader, type ImageLoader } from '../../reference/quantize/image-source.js';
import { runReference } from '../ptq/run-reference.js';
import { runFloat } from '../float/run-float.js';
import { modelNodeInfo } from '../float/node-info.js';
import { compare } from '../compare/compare.js';
import { labelsOf } from '../compare/model-labels.js';
import type { LayerLabel } from '../compare/edges.js';
import type { Manifest } from '../dumps/manifest-types.js';
import { sanitizeName } from '../names.js';
import type { ThresholdProfile } from '../diagnose/thresholds.js';
import type { Report } from '../report/schema.js';
import { writeAllReports } from '../report/write.js';
import { aggregateLayer, imageStats, type DistanceRow, type ImageLayerStats } from './distance.js';
import { distanceTableJson, formatDistanceTable, type DebugImage, type DistanceTable } from './distance-table.js';
import { resolveDebugInputs } from './debug-inputs.js';

export const DISTANCE_TEXT_FILE = 'distance.txt';
export const DISTANCE_JSON_FILE = 'distance.json';

export type DebugStage = 'prepare' | 'reference' | 'float' | 'compare';

export interface DebugOptions {
  /** The float model file, or a model loaded with loadModel. */
  model: string | OnnxModel;
  /** ptq_config.json with its `debug` section. */
  config: string;
  /** Image or image folder (overrides `debug.debug_input_path`). */
  input?: string;
  /** Output folder (overrides `debug.debug_output_dir`). */
  out?: string;
  /** Reuse these quantization parameters instead of calibrating. */
  params?: string;
  /** Command-line mean/var (override the config's), e.g. "0,0,0". */
  mean?: string;
  var?: string;
  /** Replace files in a non-empty output folder. */
  force?: boolean;
  /** Triage thresholds for the compare (default: classification). */
  profile?: ThresholdProfile;
  /** Worker threads for measuring (default 2). */
  threads?: number;
  /** Image decoder (tests may substitute one); default the calibration loader. */
  loadImage?: ImageLoader;
  /** Called when a stage of an image starts (image is 0-based). */
  onProgress?: (stage: DebugStage, image: number, images: number) => void;
  command?: string[];
}

export interface DebugResult {
  out: string;
  images: DebugImage[];
  /** Per image, its dump folder (the output folder itself for one image). */
  folders: string[];
  table: DistanceTable;
  /** The printed table (also saved as distance.txt). */
  tableText: string;
  /** Per image, the compare report of float_model vs ptq_model. */
  reports: Report[];
  /** Index of the worst image (lowest mean of its per-layer cosines); its report is in `out`. */
  worstImage: number;
  /** report.json / .md / .html written to `out`. */
  reportFiles: { json: string; markdown: string; html: string };
  /** Notes for the user (e.g. "open" is false), warnings (config, skipped files, runners). */
  notes: string[];
  warnings: string[];
  timings: { totalMs: number };
}

/** Runs the whole debug flow; nothing is written before the config, images and model are checked. */
export async function runDebug(opts: DebugOptions): Promise<DebugResult> {
  const t0 = performance.now();
  const cfg = await loadPtqConfig(opts.config, { mean: opts.mean, var: opts.var });
  const inputs = await resolveDebugInputs(cfg, { input: opts.input, out: opts.out });
  const model = typeof opts.model === 'string' ? await loadModel(opts.model) : opts.model;
  checkModelAgainstConfig(model, cfg);
  const warnings = [...cfg.warnings, ...inputs.warnings];
  // what the reference needs later, checked now: the parameters file, or the calibration images
  if (opts.params) await readParamsFile(opts.params);
  else await listCalibrationImages(cfg.path, cfg.usedImageNum);
  const load = opts.loadImage ?? prepareImageLoader;
  const n = inputs.images.length;
  // decode every image first: a bad image fails before anything is written
  const pixels: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    opts.onProgress?.('prepare', i, n);
    pixels.push(await load(inputs.images[i]!.file, cfg.width, cfg.height, cfg.format));
  }
  await prepareOutDir(inputs.out, Boolean(opts.force));

  const labels = labelsOf(model);
  const identity = { file: model.file, md5: model.md5 };
  const nodeInfo = `${JSON.stringify(modelNodeInfo(model), null, 1)}\n`;
  let params = opts.params;
  const reports: Report[] = [];
  const stats: Map<string, ImageLayerStats>[] = [];
  for (let i = 0; i < n; i++) {
    const folder = inputs.folders[i]!;
    await mkdir(folder);
    const inputFile = path.join(folder, 'input_uint8.bin');
    await writeFileAtomic(inputFile, pixels[i]!);
    opts.onProgress?.('reference', i, n);
    // the folder is ours (checked above, or a fresh sub-folder): force lets the runners add to it
    const ref = await runReference({ model, config: opts.config, input: inputFile, out: folder, params, mean: opts.mean, var: opts.var, force: true, pcDump: false, fileNames: 'node', loadImage: opts.loadImage });
    warnings.push(...ref.warnings.filter((w) => !warnings.includes(w)));
    params ??= path.join(folder, 'params.json'); // calibrate once: the other images reuse these
    opts.onProgress?.('float', i, n);
    const fl = await runFloat({ model, input: inputFile, out: path.join(folder, 'float_model'), mean: cfg.mean, var: cfg.var, force: true, fileNames: 'node' });
    warnings.push(...fl.warnings.filter((w) => !warnings.includes(w)));
    await copyFile(path.join(fl.out, 'input.bin'), path.join(folder, 'input.bin'));
    // the float runner's extras belong next to the sub-folders in this layout, not inside float_model/
    for (const extra of ['input_uint8.bin', 'model_node_info.json']) await fsp.rm(path.join(fl.out, extra), { force: true });
    await writeFileAtomic(path.join(folder, 'model_node_info.json'), nodeInfo);
    opts.onProgress?.('compare', i, n);
    const report = await compare({ float: fl.out, ptq: folder, input: inputFile, labels: stemLabels(labels, fl.manifest), model: identity, profile: opts.profile, threads: opts.threads, command: opts.command });
    const edge = report.edges.find((e) => e.a === 'float' && e.b === 'ptq');
    if (!edge) throw new Error(`no float~ptq edge in the compare of ${folder}`);
    stats.push(await imageStats(edge.layers));
    reports.push(report);
    if (n > 1) await writeAllReports(folder, report);
  }

  const table: DistanceTable = { images: inputs.images, rows: buildRows(reports[0]!, stats, inputs.images) };
  const worstImage = worstOf(stats);
  const tableText = formatDistanceTable(table);
  await writeFileAtomic(path.join(inputs.out, DISTANCE_TEXT_FILE), tableText);
  await writeFileAtomic(path.join(inputs.out, DISTANCE_JSON_FILE), `${JSON.stringify(distanceTableJson(table), null, 1)}\n`);
  const reportFiles = await writeAllReports(inputs.out, reports[worstImage]!);
  return { out: inputs.out, images: inputs.images, folders: inputs.folders, table, tableText, reports, worstImage, reportFiles, notes: inputs.notes, warnings, timings: { totalMs: performance.now() - t0 } };
}

/**
 * One row per compared layer, in graph order, named by the producing node (the vendor keys its
 * table by node name); a node with several compared outputs gets `node:tensor` rows.
 */
function buildRows(first: Report, stats: readonly Map<string, ImageLayerStats>[], images: readonly DebugImage[]): DistanceRow[] {
  const edge = first.edges.find((e) => e.a === 'float' && e.b === 'ptq')!;
  const layers = edge.layers.filter((l) => stats.some((s) => s.has(l.name))).sort((x, y) => x.order - y.order);
  const perNode = new Map<string, number>();
  for (const l of layers) if (l.nodeName) perNode.set(l.nodeName, (perNode.get(l.nodeName) ?? 0) + 1);
  const labels = images.map((im) => im.label);
  return layers.map((l) => {
    const node = l.nodeName && l.nodeName !== '' ? l.nodeName : l.name;
    const name = (perNode.get(node) ?? 0) > 1 ? `${node}:${l.name}` : node;
    const agg = aggregateLayer(stats.map((s) => s.get(l.name) ?? null), labels);
    return { name, tensor: l.name, ...(l.opType ? { opType: l.opType } : {}), order: l.order, ...agg };
  });
}

/**
 * The model's labels keyed by the file stems actually written (node names here, where compare
 * expects sanitized tensor names), with each label's data inputs re-keyed the same way.
 */
function stemLabels(labels: ReadonlyMap<string, LayerLabel>, manifest: Manifest): Map<string, LayerLabel> {
  const stemOf = new Map<string, string>();
  for (const t of manifest.tensors) stemOf.set(sanitizeName(t.tensorName), t.file.replace(/\.bin$/, ''));
  const out = new Map<string, LayerLabel>();
  const stems = new Set(stemOf.values());
  for (const [key, l] of labels) {
    const k = stemOf.get(key) ?? key;
    if (k === key && stems.has(key) && !stemOf.has(key)) continue; // a stem of another tensor: that one wins
    out.set(k, { ...l, dataInputs: l.dataInputs.map((d) => stemOf.get(d) ?? d) });
  }
  return out;
}

/** The image with the lowest mean per-layer cosine (NaN counts as worst; first on ties). */
function worstOf(stats: readonly Map<string, ImageLayerStats>[]): number {
  let worst = 0;
  let worstMean = Infinity;
  stats.forEach((s, i) => {
    let sum = 0;
    for (const v of s.values()) sum += v.cosine;
    const mean = s.size > 0 ? sum / s.size : Infinity;
    if (mean !== mean ? worstMean === worstMean : mean < worstMean) {
      worst = i;
      worstMean = mean;
    }
  });
  return worst;
}

async function mkdir(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
  } catch (e) {
    throw fsError(e, dir, 'create the output folder');
  }
}

async function copyFile(from: string, to: string): Promise<void> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(from);
  } catch (e) {
    throw fsError(e, from, 'read');
  }
  await writeFileAtomic(to, bytes);
}
