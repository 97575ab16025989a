// temporary probe: traces every fork/join of a model run (2 threads) and summarizes per kernel
import * as path from 'node:path';
import * as os from 'node:os';
import { promises as fsp } from 'node:fs';
import { loadModel } from '../src/onnx/load.js';
import { engineFor } from '../src/ptq/run-reference.js';
import { calibrate } from '../reference/quantize/calibrate.js';
import { prepareQuant } from '../reference/quantize/prepare.js';
import { parsePtqConfig } from '../reference/config/index.js';
import { planGraph, runGraph } from '../reference/executor.js';
import { makeIntStep } from '../reference/quantize/int-step.js';
import { floatTensor } from '../reference/tensor.js';
import { sharedModel, syntheticImage } from './synthetic-input.js';
import type { ForkJoinTrace } from '../reference/fast/engine.js';

const threads = Number(process.argv[2] ?? '2');
const reps = Number(process.argv[3] ?? '10');
const model = await loadModel(sharedModel('yolox_nano_3cls.onnx'));
const input = model.graph.inputs[0]!;
const [n, c, h, w] = input.shape as number[];
const u8 = syntheticImage(n!, h!, w!, c!, 7);
const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-prof-'));
const img = path.join(tmp, 'x.bin');
await fsp.writeFile(img, u8);
const cfg = parsePtqConfig(JSON.stringify({ format: 'BGR', width: w, height: h, path: tmp, used_image_num: 1, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS', feature_quantize_bits: 8, weight_quantize_bits: 8, mean: '0,0,0', var: '1,1,1' }), 'profile');
const cal = await calibrate(model, { config: cfg, images: [img], loadImage: async () => u8 });
const prep = prepareQuant(model, cal.params);
const nchw = new Float32Array(n! * c! * h! * w!);
for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++) for (let k = 0; k < c!; k++) nchw[(k * h! + y) * w! + x] = u8[(y * w! + x) * c! + k]!;
const xT = floatTensor([n!, c!, h!, w!], nchw);
const fast = (await engineFor('fast', threads))!;
const plan = planGraph(prep.model);
const totals: number[] = [];
const gaps: number[] = [];
const wakes: number[] = [];
let missed = 0, ownJ = 0, allJ = 0;
let agg = new Map<string, { n: number; main: number; wait: number; wake: number; wcomp: number; lateEnd: number; total: number; notify: number }>();
let nodeSum = 0, parSum = 0;
for (let r = 0; r <= reps; r++) {
  const tr: ForkJoinTrace[] = [];
  fast.trace = r > 0 ? tr : null;
  const step = makeIntStep(prep, plan, { fast, fuse: true });
  fast.beginRun();
  const t0 = performance.now();
  await runGraph(prep.model, new Map([[input.name, xT]]), { execute: (st, ins) => step.execute(st, ins) });
  const dt = performance.now() - t0;
  fast.endRun();
  fast.trace = null;
  if (r === 0) continue;
  totals.push(dt);
  const trs = tr;
  for (let i = 1; i < trs.length; i++) gaps.push(trs[i]!.start - trs[i - 1]!.joined);
  for (const t of trs) if (t.workerStart) wakes.push(t.workerStart - t.start); else missed++;
  for (const t of trs) { ownJ += t.ownJobs; allJ += t.jobs; }
  for (const t of trs) {
    const a = agg.get(t.fn) ?? { n: 0, main: 0, wait: 0, wake: 0, wcomp: 0, lateEnd: 0, total: 0, notify: 0 };
    a.n++;
    a.notify += t.posted - t.start;
    a.main += t.ownDone - t.start;
    a.wait += t.joined - t.ownDone;
    if (t.workerStart) {
      a.wake += t.workerStart - t.start;
      a.wcomp += t.workerEnd - t.workerStart;
      a.lateEnd += t.joined - t.workerEnd;
    }
    a.total += t.joined - t.start;
    agg.set(t.fn, a);
    parSum += t.joined - t.start;
  }
}
totals.sort((a, b) => a - b);
console.log(`threads ${threads}: median run ${totals[totals.length >> 1]!.toFixed(2)} ms; parallel regions ${(parSum / reps).toFixed(2)} ms per run (load ${os.loadavg()[0]!.toFixed(1)})`);
console.log('fn            calls/run  total   main-share  wait   worker-wake  worker-comp  join-after-wend notify  (ms per run)');
for (const [fn, a] of [...agg].sort((x, y) => y[1].total - x[1].total)) {
  const f = (v: number): string => (v / reps).toFixed(2).padStart(8);
  console.log(`${fn.padEnd(14)} ${String(a.n / reps).padStart(6)} ${f(a.total)} ${f(a.main)} ${f(a.wait)} ${f(a.wake)} ${f(a.wcomp)} ${f(a.lateEnd)} ${f(a.notify)}`);
}
gaps.sort((a, b) => a - b);
const q = (f: number): string => (gaps[Math.floor(f * (gaps.length - 1))]! * 1000).toFixed(0);
console.log(`gaps between fork/joins (us): p10 ${q(0.1)} p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${q(1)}; sum/run ${(gaps.reduce((a, b) => a + b, 0) / reps).toFixed(2)} ms; >1ms: ${gaps.filter((g) => g > 1).length / reps}/run`);
wakes.sort((a, b) => a - b);
const qw = (f: number): string => (wakes[Math.floor(f * (wakes.length - 1))]! * 1000).toFixed(0);
console.log(`calls the worker missed: ${missed / reps}/run; jobs run by the caller ${ownJ}/${allJ}`);
console.log(`worker start delay (us): p10 ${qw(0.1)} p50 ${qw(0.5)} p90 ${qw(0.9)} p99 ${qw(0.99)} max ${qw(1)}; >20us: ${wakes.filter((g) => g > 0.02).length / reps}/run, their sum ${(wakes.filter((g) => g > 0.02).reduce((a, b) => a + b, 0) / reps).toFixed(2)} ms/run`);
await fsp.rm(tmp, { recursive: true, force: true });
process.exit(0);
