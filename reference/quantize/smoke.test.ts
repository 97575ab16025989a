import { it } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadModel } from '../../src/onnx/load.js';
import { parsePtqConfig } from '../config/index.js';
import { calibrate } from './calibrate.js';
import { prepareQuant } from './prepare.js';
import { runQuantized, resultAsFloat } from './run-quantized.js';
import { pixelsToInput, sharpImageLoader } from './image-source.js';
import { runGraph } from '../executor.js';
import { foldBatchNorms } from './fold-batch-norm.js';
import { fakeQuantize } from '../quant/quantize-tensor.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = (p: string) => path.resolve(repoRoot, '../shared/data', p);
function cos(a: Float32Array, b: Float32Array) { let ab = 0, aa = 0, bb = 0; for (let i = 0; i < a.length; i++) { ab += a[i]! * b[i]!; aa += a[i]! ** 2; bb += b[i]! ** 2; } return ab / Math.sqrt(aa * bb); }

it('smoke', async () => {
  const model = await loadModel(data('models/yolox_nano_3cls.onnx'));
  for (const [method, bits] of [['KL', 8]] as const) {
    const cfg = parsePtqConfig(JSON.stringify({ format: 'BGR', width: 416, height: 416, path: data('images/calib'), used_image_num: 4, feature_quantize_method: method, feature_quantize_bits: bits, weight_quantize_bits: bits }), '/tmp/cfg.json');
    const cal = await calibrate(model, { config: cfg });
    const prep = prepareQuant(model, cal.params);
    const x = pixelsToInput(await sharpImageLoader(data('images/dog.jpg'), 416, 416, 'BGR'), 416, 416, cfg.mean, cfg.var);
    const f = await runGraph(foldBatchNorms(model).model, new Map([['images', x]]), { keep: 'all' });
    for (const o of [{}, { weightFakeQuant: false }, { featureFakeQuant: false }, { skipOpQuant: ['Conv'] }, {skipOpQuant: ['Mul', 'Sigmoid']}]) {
      const r = await runQuantized(prep, 'images', x, { keep: 'all', ...o });
      const line = ['onnx::Sigmoid_1180', 'input.15', 'onnx::Sigmoid_1183', 'output'].map((n) => cos(resultAsFloat(prep, n, r.outputs.get(n)!), f.get(n)!.data as Float32Array).toFixed(5));
      console.log('MODE', JSON.stringify(o), line.join(' '));
    }
  }
}, 600000);
