/**
 * Integer-reference fidelity report over the shared models: for each feature method, calibrate on
 * the first N images of images/calib/ (8-bit features, 8-bit MAX_ABS weights), run the integer
 * reference on one evaluation photo and print the final-output cosines vs the float executor, the
 * lowest layer cosine and the first layer below 0.99 (the per-layer curve is written as CSV).
 * Run: `npm run build && node dist/scripts/quant-report.js [images=4] [out.csv]`.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModel } from '../src/onnx/load.js';
import { parsePtqConfig } from '../reference/config/index.js';
import { runGraph } from '../reference/executor.js';
import { calibrate } from '../reference/quantize/calibrate.js';
import { pixelsToInput, prepareImageLoader } from '../reference/quantize/image-source.js';
import { prepareQuant } from '../reference/quantize/prepare.js';
import { resultAsFloat, runQuantized } from '../reference/quantize/run-quantized.js';
import { cosine as metricsCosine } from '../src/metrics/pairwise.js';

/** Cosine of two vectors (src/metrics: finite pairs, both-zero = 1, one-zero = 0). */
const cosineValue = (a: ArrayLike<number>, b: ArrayLike<number>): number => metricsCosine(a, b).value;

const DATA = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/data');

const MODELS = [
  { file: 'models/yolox_nano_3cls.onnx', format: 'BGR', width: 416, height: 416, mean: [0, 0, 0], var: [1, 1, 1], image: 'images/dog.jpg' },
  { file: 'models/yunet_n_320_320.onnx', format: 'BGR', width: 320, height: 320, mean: [0, 0, 0], var: [1, 1, 1], image: 'images/faces_1.jpg' },
  { file: 'models/fastestdet.onnx', format: 'RGB', width: 352, height: 352, mean: [0, 0, 0], var: [255, 255, 255], image: 'images/dog.jpg' },
  { file: 'models/ultraface_rfb_320.onnx', format: 'RGB', width: 320, height: 240, mean: [127, 127, 127], var: [128, 128, 128], image: 'images/faces_1.jpg' },
] as const;
const METHODS = ['KL', 'MSE', 'MAX_ABS', 'ADMM'] as const;


async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 4);
  const csv: string[] = ['model,method,order,tensor,op,cosine'];
  for (const m of MODELS) {
    const model = await loadModel(path.join(DATA, m.file));
    const x = pixelsToInput(await prepareImageLoader(path.join(DATA, m.image), m.width, m.height, m.format), m.height, m.width, m.mean, m.var);
    for (const method of METHODS) {
      const cfg = parsePtqConfig(JSON.stringify({ format: m.format, width: m.width, height: m.height, path: path.join(DATA, 'images/calib'), used_image_num: n, mean: m.mean, var: m.var, feature_quantize_method: method }), path.join(DATA, 'ptq_config.json'));
      const t0 = performance.now();
      const cal = await calibrate(model, { config: cfg });
      const t1 = performance.now();
      const prep = prepareQuant(model, cal.params);
      const inputName = prep.model.graph.inputs[0]!.name;
      const f = await runGraph(prep.model, new Map([[inputName, x]]), { keep: 'all' });
      const t2 = performance.now();
      const q = await runQuantized(prep, inputName, x, { keep: 'all' });
      const t3 = performance.now();
      let min = 1;
      let minName = '';
      let first = '';
      let order = 0;
      for (const node of prep.model.graph.nodes) {
        for (const o of node.outputs) {
          const ft = f.get(o);
          const qt = q.outputs.get(o);
          if (!ft || !qt || ft.dtype !== 'float32' || !prep.features.has(o)) continue;
          const c = cosineValue(resultAsFloat(prep, o, qt), ft.data as Float32Array);
          csv.push(`${path.basename(m.file)},${method},${order++},${JSON.stringify(o)},${node.opType},${c.toFixed(6)}`);
          if (c < min) [min, minName] = [c, o];
          if (!first && c < 0.99) first = `${o} (${node.opType}, ${c.toFixed(4)})`;
        }
      }
      const finals = prep.model.graph.outputs.map((o) => `${o.name} ${cosineValue(resultAsFloat(prep, o.name, q.outputs.get(o.name)!), f.get(o.name)!.data as Float32Array).toFixed(5)}`);
      console.log(`| ${path.basename(m.file)} | ${method} | ${finals.join(', ')} | ${min.toFixed(4)} (${minName}) | ${first || '—'} | ${((t1 - t0) / 1000).toFixed(1)} s | ${((t3 - t2) / 1000).toFixed(2)} s |`);
    }
  }
  if (process.argv[3]) await fsp.writeFile(process.argv[3], `${csv.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
