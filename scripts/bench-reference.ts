/**
 * Reference-executor benchmark (float mode, plain TypeScript kernels): median wall time of
 * `runGraph` per shared model, the time per op type, and onnxruntime's run time for context.
 * Run: `npm run build && node dist/scripts/bench-reference.js [model.onnx ...]`.
 */
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { floatStep, runGraph } from '../reference/executor.js';
import { floatTensor } from '../reference/tensor.js';
import { preprocess } from '../src/float/preprocess.js';
import { loadModel } from '../src/onnx/load.js';
import { createSession, floatTensor as ortFloat, runSession } from '../src/onnx/ort-session.js';
import { sharedModel, syntheticImage } from './synthetic-input.js';

export interface BenchReferenceResult {
  model: string;
  /** Median wall time of one `runGraph` (float mode, keep 'needed', no onTensor), ms. */
  referenceMs: number;
  /** Median wall time of one onnxruntime run (session made once, optimizations off like the float runner), ms. */
  ortMs: number;
  /** Time per op type in the median-or-last run, ms, largest first. */
  perOp: [string, number][];
  /** Peak resident set size of this process so far, MB. */
  peakRssMb: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

export async function benchReference(file: string, repeats = 3): Promise<BenchReferenceResult> {
  const model = await loadModel(file);
  const input = model.graph.inputs[0]!;
  const [n, c, h, w] = input.shape as number[];
  const u8 = syntheticImage(n!, h!, w!, c!, 7);
  const nchw = preprocess(u8, [n!, h!, w!, c!], { mean: new Float32Array(c!).fill(0), var: new Float32Array(c!).fill(255) }).nchw;
  const x = floatTensor([n!, c!, h!, w!], nchw);

  const times: number[] = [];
  let perOp = new Map<string, number>();
  for (let r = 0; r <= repeats; r++) {
    const ops = new Map<string, number>();
    const t0 = performance.now();
    await runGraph(model, new Map([[input.name, x]]), {
      execute: (step, ins) => {
        const t = performance.now();
        const out = floatStep(step, ins);
        ops.set(step.node.opType, (ops.get(step.node.opType) ?? 0) + performance.now() - t);
        return out;
      },
    });
    if (r > 0) times.push(performance.now() - t0); // r = 0 is the warm-up
    perOp = ops;
  }

  const session = await createSession(model.bytes, file, {});
  const feeds = { [input.name]: ortFloat(nchw, [n!, c!, h!, w!]) };
  await runSession(session, feeds, file);
  const ortTimes: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await runSession(session, feeds, file);
    ortTimes.push(performance.now() - t0);
  }
  await session.release();
  return {
    model: file,
    referenceMs: median(times),
    ortMs: median(ortTimes),
    perOp: [...perOp].sort((a, b) => b[1] - a[1]),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

async function main(): Promise<void> {
  const files = process.argv.slice(2);
  const models = files.length > 0 ? files : ['yolox_nano_3cls.onnx', 'yunet_n_320_320.onnx', 'fastestdet.onnx', 'ultraface_rfb_320.onnx', 'ultraface_rfb_320_simplified.onnx'].map(sharedModel);
  process.stdout.write(`reference executor (float), ${os.cpus()[0]?.model ?? 'cpu'}, node ${process.version}\n`);
  for (const m of models) {
    const r = await benchReference(m);
    const top = r.perOp.slice(0, 4).map(([op, ms]) => `${op} ${ms.toFixed(0)}`).join(', ');
    process.stdout.write(`${m.replace(/^.*[\\/]/, '').padEnd(36)} reference ${r.referenceMs.toFixed(0).padStart(5)} ms   onnxruntime ${r.ortMs.toFixed(0).padStart(4)} ms   (${top})   peak RSS ${r.peakRssMb.toFixed(0)} MB\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    process.stderr.write(`bench-reference: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
