/**
 * `--kernels ts|fast` and `--threads`: the reference's ptq_model/ dumps are byte-identical (md5 of
 * every file) with the plain-TS kernels, the fast kernels on 1 thread and on 2 threads, for every
 * shared model at 8 bits (one calibration image, MAX_ABS; the parameters of the TS run are reused)
 * and for 12- and 16-bit configurations (16-bit features exercise the high/low split of the
 * activations, wide biases and the TS fallback when int32 sums cannot be proven exact), and for a
 * tiny built model with Conv, ConvTranspose, depthwise Conv, Gemm and MatMul.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { runReference } from './run-reference.js';
import { fastStats } from '../../reference/ops/int-linear-fast.js';
import { tinyLinearModel } from './tiny-linear-model.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = (p: string) => path.resolve(repoRoot, '../shared/data', p);

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-kernels-'));
});
afterAll(async () => {
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

async function md5s(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const f of (await fsp.readdir(path.join(dir, 'ptq_model'))).sort()) out[f] = createHash('md5').update(await fsp.readFile(path.join(dir, 'ptq_model', f))).digest('hex');
  return out;
}

interface Case {
  model: string;
  w: number;
  h: number;
  fb: number;
  wb: number;
  /** Least number of linear-layer calls expected on the fast kernels / on the TS fallback. */
  minFast: number;
  minTs?: number;
  /** Most calls expected on the TS fallback (default: unbounded). */
  maxTs?: number;
}

const CASES: Case[] = [
  { model: 'yolox_nano_3cls.onnx', w: 416, h: 416, fb: 8, wb: 8, minFast: 113, maxTs: 0 },
  { model: 'yunet_n_320_320.onnx', w: 320, h: 320, fb: 8, wb: 8, minFast: 59, maxTs: 0 },
  { model: 'fastestdet.onnx', w: 352, h: 352, fb: 8, wb: 8, minFast: 69, maxTs: 1 }, // one Conv's int32 bound fails: TS
  { model: 'ultraface_rfb_320.onnx', w: 320, h: 240, fb: 8, wb: 8, minFast: 52, maxTs: 0 },
  { model: 'ultraface_rfb_320_simplified.onnx', w: 320, h: 240, fb: 8, wb: 8, minFast: 52, maxTs: 0 },
  { model: 'yunet_n_320_320.onnx', w: 320, h: 320, fb: 16, wb: 8, minFast: 1 },
  { model: 'fastestdet.onnx', w: 352, h: 352, fb: 12, wb: 12, minFast: 1 },
  { model: 'ultraface_rfb_320_simplified.onnx', w: 320, h: 240, fb: 16, wb: 16, minFast: 0, minTs: 1 },
];

/** Runs ts, fast×2 threads (params reused), fast×1 thread; returns the three md5 maps. */
async function threeWays(name: string, model: string, w: number, h: number, fb: number, wb: number): Promise<{ ts: Record<string, string>; f2: Record<string, string>; f1: Record<string, string>; fast: number; tsCalls: number; wideBias: number }> {
  const dir = path.join(tmp, name);
  await fsp.mkdir(dir);
  const cfg = path.join(dir, 'ptq_config.json');
  await fsp.writeFile(cfg, JSON.stringify({ format: 'BGR', width: w, height: h, path: data('images/calib'), used_image_num: 1, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS', feature_quantize_bits: fb, weight_quantize_bits: wb }));
  const input = path.join(dir, 'input_uint8.bin');
  const u = new Uint8Array(w * h * 3);
  for (let i = 0; i < u.length; i++) u[i] = ((i * 2654435761) >>> 24) & 255;
  await fsp.writeFile(input, u);
  await runReference({ model, config: cfg, input, out: path.join(dir, 'ts'), kernels: 'ts' });
  const params = path.join(dir, 'ts', 'params.json');
  fastStats.fast = 0;
  fastStats.ts = 0;
  fastStats.wideBias = 0;
  await runReference({ model, config: cfg, input, params, out: path.join(dir, 'f2'), kernels: 'fast', threads: 2 });
  const stats = { ...fastStats };
  await runReference({ model, config: cfg, input, params, out: path.join(dir, 'f1'), kernels: 'fast', threads: 1 });
  return { ts: await md5s(path.join(dir, 'ts')), f2: await md5s(path.join(dir, 'f2')), f1: await md5s(path.join(dir, 'f1')), fast: stats.fast, tsCalls: stats.ts, wideBias: stats.wideBias };
}

describe('reference --kernels ts vs fast (1 and 2 threads): byte-identical ptq_model/', () => {
  CASES.forEach((c, i) => {
    it(`${c.model} ${c.fb}-bit features, ${c.wb}-bit weights`, async () => {
      const r = await threeWays(`case${i}`, data(`models/${c.model}`), c.w, c.h, c.fb, c.wb);
      expect(Object.keys(r.ts).length).toBeGreaterThan(50);
      expect(r.f2).toEqual(r.ts);
      expect(r.f1).toEqual(r.ts);
      expect(r.fast).toBeGreaterThanOrEqual(c.minFast);
      expect(r.tsCalls).toBeGreaterThanOrEqual(c.minTs ?? 0);
      expect(r.tsCalls).toBeLessThanOrEqual(c.maxTs ?? Infinity);
    }, 300_000);
  });

  it('a tiny model with Conv, ConvTranspose, depthwise Conv, Gemm and MatMul', async () => {
    const f = path.join(tmp, 'tiny.onnx');
    await fsp.writeFile(f, tinyLinearModel());
    for (const [fb, wb] of [[8, 8], [16, 8], [12, 12]] as const) {
      const r = await threeWays(`tiny${fb}-${wb}`, f, 32, 32, fb, wb);
      expect(Object.keys(r.ts).length).toBeGreaterThanOrEqual(9);
      expect(r.f2).toEqual(r.ts);
      expect(r.f1).toEqual(r.ts);
      if (fb === 8) expect(r.fast).toBe(5); // conv1, up, dw, fc, mm all on the fast kernels
    }
    // a bias beyond int32 (16-bit features): the fast kernel accumulates without it, TS adds it exactly
    const big = path.join(tmp, 'tiny-big.onnx');
    await fsp.writeFile(big, tinyLinearModel({ bigBias: true }));
    const r = await threeWays('tiny-big', big, 32, 32, 16, 8);
    expect(r.f2).toEqual(r.ts);
    expect(r.f1).toEqual(r.ts);
    expect(r.wideBias).toBeGreaterThan(0);
  }, 120_000);
});
