/**
 * Acceptance: the float executor equals onnxruntime-node on EVERY intermediate tensor of every
 * shared model (cosine >= 0.99999 and max relative error <= 1e-4 per tensor, with
 * relative error |a-b| / max(|b|, rms(b)); testing/compare.ts explains that floor; integer
 * tensors exactly). onnxruntime's
 * intermediates are read by re-encoding the model with every node output marked as a graph
 * output (testing/proto-model.ts, local to the tests).
 * Inputs: seeded uint8 images -> (u8 - mean) / var with each model's documented preprocessing.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { planGraph, runGraph } from './executor.js';
import { floatTensor, type Tensor } from './tensor.js';
import { diffTensors, seededImageNCHW } from './testing/compare.js';
import { exposeAllOutputs, loadModelForTest } from './testing/proto-model.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODELS = path.resolve(repoRoot, '../shared/data/models');

const CASES = [
  { file: 'yolox_nano_3cls.onnx', mean: 0, scale: 1 },
  { file: 'yunet_n_320_320.onnx', mean: 0, scale: 1 },
  { file: 'fastestdet.onnx', mean: 0, scale: 255 },
  { file: 'ultraface_rfb_320.onnx', mean: 127, scale: 128 },
  { file: 'ultraface_rfb_320_simplified.onnx', mean: 127, scale: 128 },
];

describe('float executor == onnxruntime on every tensor', () => {
  for (const c of CASES) {
    const file = path.join(MODELS, c.file);
    it.skipIf(!existsSync(file))(c.file, async () => {
      const model = loadModelForTest(file);
      const input = model.graph.inputs[0]!;
      const dims = input.shape!.map((d) => (typeof d === 'number' ? d : 1));
      const u8 = seededImageNCHW(dims[1]!, dims[2]!, dims[3]!, 1234);
      const x = floatTensor(dims, Float32Array.from(u8, (v) => (v - c.mean) / c.scale));

      const session = await ort.InferenceSession.create(exposeAllOutputs(model.bytes), { logSeverityLevel: 3 });
      const ortOut = await session.run({ [input.name]: new ort.Tensor('float32', x.data as Float32Array, dims) });

      const worst = { cosine: 1, cosineAt: '', rel: 0, relAt: '', rel2: 0 };
      const failures: string[] = [];
      let compared = 0;
      const independent = planGraph(model).valueIndependent;
      const t0 = performance.now();
      await runGraph(model, new Map([[input.name, x]]), {
        onTensor: (name: string, t: Tensor) => {
          const ref = ortOut[name];
          if (!ref) return;
          compared++;
          if (ref.dims.join(',') !== t.dims.join(',')) {
            failures.push(`${name}: dims [${t.dims.join(',')}] vs onnxruntime [${ref.dims.join(',')}]`);
            return;
          }
          if (t.dtype !== 'float32') {
            if (!independent.has(name)) failures.push(`${name}: ${t.dtype} tensor not recognised as value-independent`);
            const same = Array.from(t.data as ArrayLike<number | bigint>).every((v, i) => v === (ref.data as ArrayLike<number | bigint>)[i]);
            if (!same) failures.push(`${name}: ${t.dtype} values differ`);
            return;
          }
          const d = diffTensors(t.data as Float32Array, ref.data as Float32Array);
          if (d.cosine < worst.cosine) Object.assign(worst, { cosine: d.cosine, cosineAt: name });
          if (d.maxRel > worst.rel) Object.assign(worst, { rel: d.maxRel, relAt: name });
          worst.rel2 = Math.max(worst.rel2, d.maxRelMaxFloor);
          if (!(d.cosine >= 0.99999) || !(d.maxRel <= 1e-4)) failures.push(`${name}: cosine ${d.cosine}, max rel ${d.maxRel.toExponential(2)}, max abs ${d.maxAbs.toExponential(2)}`);
        },
      });
      const ms = performance.now() - t0;
      console.log(`${c.file}: ${compared} tensors, worst 1-cosine ${(1 - worst.cosine).toExponential(2)} (${worst.cosineAt}), worst rel ${worst.rel.toExponential(2)} (${worst.relAt}), worst rel with 1e-3*max floor ${worst.rel2.toExponential(2)}, executor ${(ms / 1000).toFixed(2)} s`);
      await session.release();
      expect(failures).toEqual([]);
      expect(compared).toBe(model.graph.nodes.reduce((p, n) => p + n.outputs.filter((o) => o !== '').length, 0));
    });
  }
});
