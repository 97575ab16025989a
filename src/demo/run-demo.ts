/**
 * `magik-parity demo`: the whole flow on a real model and photo from the shared data folder —
 * prepare -> float -> reference (integer, calibrated on real photos) -> a simulated board copy
 * with one corrupted layer -> compare (with triage) -> report.json / .md / .html.
 *
 * The board is simulated because no board is attached: its dumps are the reference's vendor-style
 * dumps renamed `<name>_out.bin`, its input 4-channel, and one middle layer altered the way a
 * chip bug would (a block of channels off by one step), so phenomenon D has something to find.
 */
import { promises as fsp, existsSync } from 'node:fs';
import * as path from 'node:path';
import { prepareImage, writePreparedInput } from '../prepare/prepare-image.js';
import { runFloat } from '../float/run-float.js';
import { runReference } from '../ptq/run-reference.js';
import { compare } from '../compare/compare.js';
import { modelLabels } from '../compare/model-labels.js';
import { writeAllReports } from '../report/write.js';
import { prepareOutDir, writeFileAtomic } from '../io/atomic.js';
import { readDumpLog } from '../dumps/vendor-log.js';
import { packageRoot } from '../version.js';
import { UserError } from '../errors.js';
import type { Report } from '../report/schema.js';
import { verifyReport } from '../verify/verify-report.js';
import { CLASSIFICATION } from '../diagnose/thresholds.js';

export interface DemoOptions {
  /** The shared data folder (models/, images/); default ../shared/data next to the package. */
  data?: string;
  out: string;
  force?: boolean;
  /** Calibration images to use (default 4, to keep the demo quick). */
  calibImages?: number;
  /** Also re-run the reference to verify the recommended fixes, within this many seconds (0: skip). */
  verifySeconds?: number;
  log?: (line: string) => void;
}

export interface DemoResult {
  report: Report;
  files: { json: string; markdown: string; html: string };
  corrupted: { layer: string; values: number };
}

/** The demo's model and its preprocessing (from the model's own repository, see data/README.md). */
export const DEMO = {
  model: 'models/yolox_nano_3cls.onnx',
  image: 'images/dog.jpg',
  calib: 'images/calib',
  width: 416,
  height: 416,
  format: 'BGR' as const,
  padValue: 114,
  mean: [0, 0, 0],
  var: [1, 1, 1],
};

export function defaultDataDir(): string {
  return path.resolve(packageRoot(), '..', 'shared', 'data');
}

/** Copies the reference's MAGIK_DATA_DUMP/ to a board-style folder and corrupts one middle layer. */
async function simulateBoard(refOut: string, board: string): Promise<{ layer: string; values: number }> {
  const dumpDir = path.join(refOut, 'MAGIK_DATA_DUMP');
  const log = await readDumpLog(path.join(refOut, 'pc.log'));
  await fsp.mkdir(board, { recursive: true });
  const quantized = log.records.filter((r) => r.file.endsWith('_Quantize.bin') && r.shape.length === 4);
  const victim = quantized[Math.floor(quantized.length * 0.45)]!;
  let changed = 0;
  for (const r of log.records) {
    const src = path.join(dumpDir, r.file);
    const stem = r.file.replace(/\.bin$/, '');
    let bytes = new Uint8Array(await fsp.readFile(src));
    if (stem.startsWith('input_data_shape_')) {
      // the board's input is 4-channel NHWC, channel 3 zero (FORMATS.md §2)
      const px = bytes.length / 3;
      const four = new Uint8Array(px * 4);
      for (let i = 0; i < px; i++) four.set(bytes.subarray(i * 3, i * 3 + 3), i * 4);
      bytes = four;
    } else if (r === victim) {
      // a block of 4 channels on rows 2..4 off by one step, as a faulty chip kernel might leave it
      const [, h, w, c] = r.shape as [number, number, number, number];
      for (let y = 2; y < Math.min(5, h); y++)
        for (let x = 0; x < w; x++)
          for (let ch = 0; ch < Math.min(4, c); ch++) {
            const i = (y * w + x) * c + ch;
            bytes[i] = bytes[i] === 255 ? 254 : bytes[i]! + 1;
            changed++;
          }
    }
    await writeFileAtomic(path.join(board, `${stem}_out.bin`), bytes);
  }
  return { layer: victim.file.replace(/\.bin$/, ''), values: changed };
}

export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const say = o.log ?? (() => undefined);
  const data = path.resolve(o.data ?? defaultDataDir());
  const model = path.join(data, DEMO.model);
  const image = path.join(data, DEMO.image);
  for (const f of [model, image, path.join(data, DEMO.calib)]) {
    if (!existsSync(f)) throw new UserError('FILE_NOT_FOUND', `${f}: not found (the demo uses the shared data folder)`, 'pass --data DIR pointing at the folder that holds models/ and images/');
  }
  const out = path.resolve(o.out);
  await prepareOutDir(out, Boolean(o.force), 'report.json');

  say(`1/5 prepare: ${DEMO.image} -> ${DEMO.width}x${DEMO.height} ${DEMO.format}, letterbox pad ${DEMO.padValue}`);
  const prepared = await prepareImage({ image, width: DEMO.width, height: DEMO.height, format: DEMO.format, mode: 'letterbox', padValue: DEMO.padValue });
  const input = await writePreparedInput(prepared, `${out}/`);

  say(`2/5 float: every tensor of ${path.basename(model)} (onnxruntime)`);
  const floatDir = path.join(out, 'float');
  await runFloat({ model, input, mean: DEMO.mean, var: DEMO.var, out: floatDir });

  say(`3/5 reference: 8-bit integer run, calibrated on ${o.calibImages ?? 4} photos of ${DEMO.calib}`);
  const config = path.join(out, 'ptq_config.json');
  await writeFileAtomic(
    config,
    `${JSON.stringify(
      {
        format: DEMO.format,
        width: DEMO.width,
        height: DEMO.height,
        path: path.join(data, DEMO.calib),
        used_image_num: o.calibImages ?? 4,
        feature_quantize_method: 'MAX_ABS',
        weight_quantize_method: 'MAX_ABS',
        feature_quantize_bits: 8,
        weight_quantize_bits: 8,
        mean: DEMO.mean,
        var: DEMO.var,
      },
      null,
      2,
    )}\n`,
  );
  const refDir = path.join(out, 'reference');
  await runReference({ model, config, input, out: refDir });

  say('4/5 board: a simulated board copy of the reference dumps, one middle layer corrupted');
  const boardDir = path.join(out, 'board');
  const corrupted = await simulateBoard(refDir, boardDir);

  say('5/5 compare + triage: float ~ reference ~ board');
  const labels = await modelLabels(model);
  const report = await compare({
    float: floatDir,
    ptq: refDir,
    board: boardDir,
    boardLog: path.join(refDir, 'pc.log'),
    input,
    labels: labels.labels,
    model: labels.identity,
    command: ['demo'],
  });
  let final = report;
  if (o.verifySeconds && o.verifySeconds > 0) {
    say(`6/6 verify: single-layer errors and the recommended fixes, re-run on the reference (budget ${o.verifySeconds} s)`);
    const v = await verifyReport(report, { model, config, input, params: path.join(refDir, 'params.json'), budgetSeconds: o.verifySeconds, profile: CLASSIFICATION, command: ['demo'], onProgress: (m) => say(`   ${m}`) });
    final = v.report;
  }
  const files = await writeAllReports(path.join(out, 'report'), final);
  return { report: final, files, corrupted };
}
