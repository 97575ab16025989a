/**
 * `magik-parity bench` (benchInference): on a tiny built model with every linear kernel (known MAC
 * count), on YuNet (self-calibration on the input; MACs equal the sum over its Conv layers computed
 * independently by reference/fast/model-conv-layers) and on FastestDet calibrated with a config;
 * fields, ratio, per-op breakdown, ts vs fast kernels, and bad options as UserErrors.
 * No timing assertions beyond positivity.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchInference } from './bench-inference.js';
import { tinyLinearModel } from './tiny-linear-model.js';
import { loadModel } from '../onnx/load.js';
import { convLayers } from '../../reference/fast/model-conv-layers.js';
import { checkThreads } from '../cli/commands/kernel-options.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = (p: string) => path.resolve(repoRoot, '../shared/data', p);
let tmp: string;

async function noise(file: string, n: number): Promise<string> {
  const u = new Uint8Array(n);
  for (let i = 0; i < n; i++) u[i] = ((i * 2654435761) >>> 24) & 255;
  await fsp.writeFile(file, u);
  return file;
}

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-bench-'));
});
afterAll(async () => {
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('benchInference', () => {
  it('tiny model: MACs of Conv + ConvTranspose + depthwise Conv + Gemm + MatMul, both kernel sets', async () => {
    const f = path.join(tmp, 'tiny.onnx');
    await fsp.writeFile(f, tinyLinearModel());
    const input = await noise(path.join(tmp, 'tiny.bin'), 32 * 32 * 3);
    // conv1 8·16·16·27 + convT (8·16·16)·(4·9) + dw 4·32·32·9 + gemm 6·4 + matmul 5·6
    const macs = 8 * 16 * 16 * 27 + 8 * 16 * 16 * 36 + 4 * 32 * 32 * 9 + 24 + 30;
    for (const kernels of ['ts', 'fast'] as const) {
      const r = await benchInference({ model: f, input, repeat: 2, threads: 1, kernels });
      expect(r.calibration).toBe('input-max-abs-8bit');
      expect(r.macs).toBe(macs);
      expect(r.kernels).toBe(kernels);
      expect(r.reference_ms).toBeGreaterThan(0);
      expect(r.ort_float_ms).toBeGreaterThan(0);
      expect(r.ratio).toBeCloseTo(r.reference_ms / r.ort_float_ms, 10);
      expect(r.gmacs).toBeCloseTo(macs / (r.reference_ms * 1e6), 10);
      expect(Object.keys(r.per_op).sort()).toEqual(['Conv', 'ConvTranspose', 'Flatten', 'Gemm', 'GlobalAveragePool', 'MatMul', 'Relu']);
    }
  }, 60_000);

  it('YuNet, self-calibrated: MACs equal the sum over its Conv layers; per-op times cover the run', async () => {
    const file = data('models/yunet_n_320_320.onnx');
    const input = await noise(path.join(tmp, 'yunet.bin'), 320 * 320 * 3);
    const r = await benchInference({ model: file, input, repeat: 1, threads: 2 });
    const layers = await convLayers(await loadModel(file));
    expect(r.macs).toBe(layers.reduce((a, l) => a + l.macs, 0));
    expect(r.threads).toBe(2);
    expect(r.kernels).toBe('fast');
    const opSum = Object.values(r.per_op).reduce((a, b) => a + b, 0);
    expect(opSum).toBeLessThanOrEqual(r.reference_ms * 1.01);
    expect(r.per_op.Conv).toBeGreaterThan(0);
  }, 120_000);

  it('FastestDet calibrated with a config (mean/var from it); bad options are UserErrors', async () => {
    const cfg = path.join(tmp, 'cfg.json');
    await fsp.writeFile(cfg, JSON.stringify({ format: 'RGB', width: 352, height: 352, path: data('images/calib'), used_image_num: 1, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS', mean: '0,0,0', var: '255,255,255' }));
    const input = await noise(path.join(tmp, 'fd.bin'), 352 * 352 * 3);
    const r = await benchInference({ model: data('models/fastestdet.onnx'), config: cfg, input, repeat: 1, threads: 1 });
    expect(r.calibration).toBe('config');
    expect(r.macs).toBeGreaterThan(1e8);
    await expect(benchInference({ model: data('models/fastestdet.onnx'), config: cfg, input, repeat: 0 })).rejects.toMatchObject({ name: 'UserError', code: 'USAGE' });
    expect(() => checkThreads(0)).toThrow(/--threads 0/);
    expect(checkThreads(3)).toBe(3);
  }, 120_000);
});
