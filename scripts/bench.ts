/**
 * `npm run bench`: the project's speed and memory targets, each measured side by side with its
 * baseline in the same run on the same machine, printed as ratios: compare throughput, float-dump
 * overhead, the integer reference's inference time against onnxruntime float (YOLOX-nano 416, TS
 * and fast kernels, 1 and 2 threads), and the fast kernels' GMAC/s per kernel kind.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchCompare } from './bench-compare.js';
import { benchFloat, formatFloat } from './bench-float.js';
import { benchWasm, formatBenchWasm } from './bench-wasm.js';
import { formatKinds, profileInt } from './profile-int.js';
import { benchInference } from '../src/ptq/bench-inference.js';
import { sharedModel, syntheticImage } from './synthetic-input.js';

const lines: string[] = [];
const say = (s: string) => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

say(`magik-parity benchmarks (medians; same machine, same run; ${os.availableParallelism()} cores, load ${os.loadavg()[0]!.toFixed(1)})`);
const c = await benchCompare();
say(`compare  ${c.mbPerSide} MB/side, ${c.layers} layers (md5 + all metrics): ${c.compareMs.toFixed(0)} ms vs md5sum ${c.md5sumMs.toFixed(0)} ms -> ratio ${c.ratio.toFixed(2)} (target <= 1.0); ${c.throughputMbS.toFixed(0)} MB/s; peak RSS ${c.peakRssMb.toFixed(0)} MB (target <= 300); CPU ${c.compareCpuMs.toFixed(0)} ms (2 threads) vs md5sum ${c.md5sumCpuMs.toFixed(0)} ms`);
const f = await benchFloat({ threads: 2 });
for (const l of formatFloat(f)) say(l);

const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-bench-'));
try {
  const input = path.join(tmp, 'input_uint8.bin');
  await fsp.writeFile(input, syntheticImage(1, 416, 416, 3, 7));
  for (const kernels of ['ts', 'fast'] as const) {
    for (const threads of [1, 2]) {
      // fast: 25 interleaved pairs (about 1 s), since onnxruntime's own time varies by ±20 % here from run to run
      const r = await benchInference({ model: sharedModel('yolox_nano_3cls.onnx'), input, kernels, threads, repeat: kernels === 'ts' ? 3 : 25 });
      const top = Object.entries(r.per_op).slice(0, 5).map(([op, ms]) => `${op} ${ms.toFixed(1)}`).join(', ');
      say(`int ref  YOLOX-nano 416 int8 inference, ${kernels} kernels, ${threads} thread(s): ${r.reference_ms.toFixed(1)} ms vs ORT float final-output-only ${r.ort_float_ms.toFixed(1)} ms -> ratio ${r.ratio.toFixed(2)} (target <= 2 with fast; median of ${r.repeat}); ${r.gmacs.toFixed(1)} GMAC/s (${top})`);
    }
  }
} finally {
  await fsp.rm(tmp, { recursive: true, force: true });
}
for (const threads of [1, 2]) {
  say(`int ref  YOLOX-nano 416 per kernel kind (fast kernels, ${threads} thread(s), per-node wall-time medians; scripts/profile-int.ts):`);
  for (const l of formatKinds(await profileInt({ model: sharedModel('yolox_nano_3cls.onnx'), threads, kernels: 'fast', repeat: 15, fuse: true }))) say(`  ${l}`);
}
for (const l of formatBenchWasm(await benchWasm())) say(l);
