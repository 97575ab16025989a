/**
 * Golden triage cases built from a real model (acceptance tests and `scripts/`): a float run
 * (onnxruntime), the integer reference under a test config, `compare` with the model's labels,
 * so the report is exactly what a user gets from dumps. Each case's known answer is set by how it
 * is built (channel order swapped on the float side, one node at 4 bits, 16-bit everything, ...).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { runFloat } from '../float/run-float.js';
import { runReference } from '../ptq/run-reference.js';
import { compare } from '../compare/compare.js';
import { modelLabels } from '../compare/model-labels.js';
import type { ThresholdProfile } from '../diagnose/thresholds.js';
import type { Report } from '../report/schema.js';

export interface GoldenCase {
  /** Folder of the case (config, input, float/, ref/). */
  dir: string;
  config: string;
  input: string;
  report: Report;
}

export interface GoldenOptions {
  model: string;
  /** A photo, resized to the model input, written as input_uint8.bin in `format` order. */
  image: string;
  width: number;
  height: number;
  /** ptq_config.json keys (format, path, used_image_num, methods, bits, node_quantize_bits, ...). */
  config: Record<string, unknown>;
  /** Float side's mean/var (default: the config's, else 0 / 1). */
  mean?: number[];
  var?: number[];
  /** Float side reads the input with R and B swapped (phenomenon A). */
  floatSwapRb?: boolean;
  profile: ThresholdProfile;
}

/** Builds one case under `dir` (created). */
export async function buildGoldenCase(dir: string, o: GoldenOptions): Promise<GoldenCase> {
  await fsp.mkdir(dir, { recursive: true });
  const config = path.join(dir, 'ptq_config.json');
  await fsp.writeFile(config, JSON.stringify(o.config, null, 2));
  const px = await sharp(o.image).removeAlpha().resize(o.width, o.height, { fit: 'fill' }).raw().toBuffer();
  if (o.config.format === 'BGR') for (let i = 0; i < px.length; i += 3) [px[i], px[i + 2]] = [px[i + 2]!, px[i]!];
  const input = path.join(dir, 'input_uint8.bin');
  await fsp.writeFile(input, px);
  const mean = o.mean ?? (o.config.mean as number[] | undefined) ?? [0, 0, 0];
  const vr = o.var ?? (o.config.var as number[] | undefined) ?? [1, 1, 1];
  const floatDir = path.join(dir, 'float');
  await runFloat({ model: o.model, input, mean, var: vr, swapRb: o.floatSwapRb, out: floatDir, force: true });
  const refDir = path.join(dir, 'ref');
  await runReference({ model: o.model, config, input, out: refDir, force: true });
  const { labels, identity } = await modelLabels(o.model);
  const report = await compare({ float: floatDir, ptq: refDir, input, labels, model: identity, profile: o.profile, threads: 1 });
  return { dir, config, input, report };
}
