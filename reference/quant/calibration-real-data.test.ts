/**
 * The range methods on real activations: YuNet's 12 outputs (onnxruntime, float) over 4 calibration
 * photos from the shared data. Asserts the properties each method guarantees on real distributions.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as ort from 'onnxruntime-node';
import { calibrateFeature } from './feature-range.js';
import { TensorHistogram } from './histogram.js';
import { binMasses, expectedMse } from './expected-error.js';
import { fakeQuantize } from './quantize-tensor.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = (p: string) => path.resolve(repoRoot, '../shared/data', p);

/** 320×320 BGR, 0..255, NCHW float32 (YuNet's preprocessing). */
async function loadBgr(file: string): Promise<Float32Array> {
  const { data: px } = await sharp(file).resize(320, 320, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const out = new Float32Array(3 * 320 * 320);
  const hw = 320 * 320;
  for (let i = 0; i < hw; i++) {
    out[i] = px[i * 3 + 2]!;
    out[hw + i] = px[i * 3 + 1]!;
    out[2 * hw + i] = px[i * 3]!;
  }
  return out;
}

describe('range methods on real activations (YuNet outputs over calibration photos)', () => {
  it('MSE and ADMM ≤ MAX_ABS in expected error; KL and MSE stay within the observed range', async () => {
    const session = await ort.InferenceSession.create(data('models/yunet_n_320_320.onnx'));
    const hists = new Map<string, TensorHistogram>();
    const samples = new Map<string, Float32Array[]>();
    for (const img of ['baboon.jpg', 'fruits.jpg', 'messi5.jpg', 'home.jpg']) {
      const x = await loadBgr(data(`images/calib/${img}`));
      const out = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x, [1, 3, 320, 320]) });
      for (const name of session.outputNames) {
        const v = out[name]!.data as Float32Array;
        if (!hists.has(name)) hists.set(name, new TensorHistogram());
        hists.get(name)!.add(v);
        samples.set(name, [...(samples.get(name) ?? []), Float32Array.from(v)]);
      }
    }
    expect(hists.size).toBe(12);
    let klClipped = 0;
    const klObj8 = calibrateFeature(hists.get('obj_8')!, 'KL', 8);
    for (const [name, h] of hists) {
      const m = binMasses(h);
      const mx = calibrateFeature(h, 'MAX_ABS', 8);
      expect([mx.observedMin, mx.observedMax]).toEqual([Math.min(h.min, 0), Math.max(h.max, 0)]);
      const mse = calibrateFeature(h, 'MSE', 8);
      const admm = calibrateFeature(h, 'ADMM', 8);
      const kl = calibrateFeature(h, 'KL', 8);
      expect(expectedMse(m, mse), name).toBeLessThanOrEqual(expectedMse(m, mx));
      expect(expectedMse(m, admm), name).toBeLessThanOrEqual(expectedMse(m, mx));
      // On the real samples, MSE's choice is no worse than MAX_ABS beyond 2% (bins are an approximation).
      const all = Float32Array.from(samples.get(name)!.flatMap((a) => [...a]));
      const err = (p: typeof mx) => {
        const y = fakeQuantize(all, p);
        let e = 0;
        for (let i = 0; i < all.length; i++) e += (all[i]! - y[i]!) ** 2;
        return e / all.length;
      };
      expect(err(mse), name).toBeLessThanOrEqual(err(mx) * 1.02);
      for (const c of [kl, mse]) {
        expect(c.min).toBeGreaterThanOrEqual(mx.min - mx.scale);
        expect(c.max).toBeLessThanOrEqual(mx.max + mx.scale);
      }
      if (kl.max < mx.max * 0.99 || kl.min > mx.min * 0.99) klClipped++;
    }
    // Detector heads have long tails: KL clips some of them (measured: 6 of 12). Known KL behaviour
    // (SEMANTICS.md "KL"): a spike near 0 with a sparse tail (sigmoid objectness) is clipped hard —
    // obj_8's observed max 0.989 is clipped to about 0.23 — while MSE keeps it.
    expect(klClipped).toBeGreaterThanOrEqual(3);
    expect(klObj8.max).toBeLessThan(0.5 * hists.get('obj_8')!.max);
    expect(calibrateFeature(hists.get('obj_8')!, 'MSE', 8).max).toBeGreaterThan(0.95 * hists.get('obj_8')!.max);
  });
});
