/**
 * Integer-reference fidelity report over the shared models: for each configuration variant
 * (uniform 8-bit, plus the model's named variants, e.g. YOLOX's stem at 16 bits) and feature
 * method, calibrate on the first N images of images/calib/ (8-bit features, 8-bit MAX_ABS
 * weights), run the integer reference on one evaluation photo and print the final-output cosines
 * vs the float executor, the lowest layer cosine and the first layer below 0.99 (the per-layer
 * curve is written as CSV: model, variant, method, order, tensor, op, cosine).
 * Run: `npm run build && node dist/scripts/quant-report.js [images=4] [out.csv] [model key]`.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModel } from '../src/onnx/load.js';
import { runGraph } from '../reference/executor.js';
import { calibrate } from '../reference/quantize/calibrate.js';
import { pixelsToInput, prepareImageLoader } from '../reference/quantize/image-source.js';
import { prepareQuant } from '../reference/quantize/prepare.js';
import { resultAsFloat, runQuantized } from '../reference/quantize/run-quantized.js';
import { cosine as metricsCosine } from '../src/metrics/pairwise.js';
import { DATA, REPORT_MODELS, reportConfig } from './report-models.js';

/** Cosine of two vectors (src/metrics: finite pairs, both-zero = 1, one-zero = 0). */
const cosineValue = (a: ArrayLike<number>, b: ArrayLike<number>): number => metricsCosine(a, b).value;

const METHODS = ['KL', 'MSE', 'MAX_ABS', 'ADMM'] as const;

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 4);
  const only = process.argv[4];
  const csv: string[] = ['model,variant,method,order,tensor,op,cosine'];
  console.log('| model | variant | method | final cosine | lowest layer | first layer < 0.99 | calibration | integer run |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const m of REPORT_MODELS) {
    if (only && m.key !== only) continue;
    const model = await loadModel(path.join(DATA, m.file));
    const x = pixelsToInput(await prepareImageLoader(path.join(DATA, m.image), m.width, m.height, m.format), m.height, m.width, m.mean, m.var);
    for (const [variant, extra] of Object.entries({ uniform: {}, ...m.variants })) {
      for (const method of METHODS) {
        const t0 = performance.now();
        const cal = await calibrate(model, { config: reportConfig(m, method, n, extra) });
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
            csv.push(`${path.basename(m.file)},${variant},${method},${order++},${JSON.stringify(o)},${node.opType},${c.toFixed(6)}`);
            if (c < min) [min, minName] = [c, o];
            if (!first && c < 0.99) first = `${o} (${node.opType}, ${c.toFixed(4)})`;
          }
        }
        const finals = prep.model.graph.outputs.map((o) => `${o.name} ${cosineValue(resultAsFloat(prep, o.name, q.outputs.get(o.name)!), f.get(o.name)!.data as Float32Array).toFixed(5)}`);
        console.log(`| ${path.basename(m.file)} | ${variant} | ${method} | ${finals.join(', ')} | ${min.toFixed(4)} (${minName}) | ${first || '—'} | ${((t1 - t0) / 1000).toFixed(1)} s | ${((t3 - t2) / 1000).toFixed(2)} s |`);
      }
    }
  }
  if (process.argv[3]) await fsp.writeFile(process.argv[3], `${csv.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
