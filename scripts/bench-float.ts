/**
 * Float-dump benchmark: YOLOX-nano 416 dumped with every tensor (NHWC, written, md5) versus an
 * ordinary onnxruntime run of the unmodified model returning only the final output, in the same
 * process with the same thread count. Run: `npm run build && node dist/scripts/bench-float.js`.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runFloat } from '../src/float/run-float.js';
import { loadModel } from '../src/onnx/load.js';
import { createSession, floatTensor, runSession } from '../src/onnx/ort-session.js';
import { preprocess } from '../src/float/preprocess.js';
import { sharedModel, syntheticImage } from './synthetic-input.js';

export interface BenchFloatResult {
  /** Median wall time of a full float dump (load, preprocess, session, run, transpose, write), ms. */
  dumpMs: number;
  /** Median wall time of an ordinary ORT invocation of the unmodified model (session creation with default optimizations + one run, final output only), ms. */
  ortMs: number;
  /** dumpMs / ortMs. */
  ratio: number;
  /** Peak resident set size of this process, MB. */
  peakRssMb: number;
  /** Break-down: median dump phases, ORT run-only times (optimizations all / disabled), bytes written. */
  detail: {
    threads: number;
    dumpPhasesMs: { prepareMs: number; sessionMs: number; runMs: number; writeMs: number };
    ortRunOnlyMs: number;
    ortRunOnlyDisabledMs: number;
    tensorsWritten: number;
    mbWritten: number;
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Runs the benchmark (`repeats` timed runs after one warm-up each). */
export async function benchFloat(options: { threads?: number; repeats?: number; model?: string } = {}): Promise<BenchFloatResult> {
  const threads = options.threads ?? Math.max(1, os.availableParallelism());
  const repeats = options.repeats ?? 3;
  const modelFile = options.model ?? sharedModel('yolox_nano_3cls.onnx');
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'magik-bench-float-'));
  try {
    const model = await loadModel(modelFile);
    const [n, c, h, w] = model.graph.inputs[0]!.shape as number[];
    const u8 = syntheticImage(n!, h!, w!, c!, 3);
    const input = path.join(tmp, 'input_uint8.bin');
    await fsp.writeFile(input, u8);
    const nchw = preprocess(u8, [n!, h!, w!, c!], { mean: new Float32Array(c!).fill(0), var: new Float32Array(c!).fill(1) }).nchw;
    const feeds = { [model.graph.inputs[0]!.name]: floatTensor(nchw, [n!, c!, h!, w!]) };

    // Ordinary ORT: create a session with default optimizations and run once, final output only.
    const ortOnce = async (optimization: 'all' | 'disabled'): Promise<{ total: number; run: number }> => {
      const t0 = performance.now();
      const s = await createSession(model.bytes, modelFile, { threads, optimization });
      const t1 = performance.now();
      await runSession(s, feeds, modelFile);
      const t2 = performance.now();
      await s.release();
      return { total: t2 - t0, run: t2 - t1 };
    };
    await ortOnce('all');
    const ort = [];
    const ortDisabled = [];
    for (let i = 0; i < repeats; i++) {
      ort.push(await ortOnce('all'));
      ortDisabled.push(await ortOnce('disabled'));
    }

    // Each dump goes to a new folder (the usual case; replacing an earlier run's files costs
    // the file system extra work), the previous one removed outside the timing.
    const dumps = [];
    for (let i = 0; i <= repeats; i++) {
      await fsp.rm(path.join(tmp, `out-${i - 1}`), { recursive: true, force: true });
      const r = await runFloat({ model: modelFile, input, mean: '0', var: '1', out: path.join(tmp, `out-${i}`), threads });
      if (i > 0) dumps.push(r);
    }
    const dumpMs = median(dumps.map((d) => d.timings.totalMs));
    const ortMs = median(ort.map((o) => o.total));
    const last = dumps.at(-1)!;
    let bytes = 0;
    for (const t of last.manifest.tensors) bytes += t.shape.reduce((a, b) => a * b, 1) * 4;
    return {
      dumpMs: Math.round(dumpMs),
      ortMs: Math.round(ortMs),
      ratio: Math.round((dumpMs / ortMs) * 100) / 100,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      detail: {
        threads,
        dumpPhasesMs: {
          prepareMs: Math.round(median(dumps.map((d) => d.timings.prepareMs))),
          sessionMs: Math.round(median(dumps.map((d) => d.timings.sessionMs))),
          runMs: Math.round(median(dumps.map((d) => d.timings.runMs))),
          writeMs: Math.round(median(dumps.map((d) => d.timings.writeMs))),
        },
        ortRunOnlyMs: Math.round(median(ort.map((o) => o.run))),
        ortRunOnlyDisabledMs: Math.round(median(ortDisabled.map((o) => o.run))),
        tensorsWritten: last.written,
        mbWritten: Math.round(bytes / 1e6),
      },
    };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchFloat();
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
