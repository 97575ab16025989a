/**
 * Float-dump benchmark: YOLOX-nano 416 dumped with every tensor (NHWC, written, md5, manifest)
 * next to an ordinary onnxruntime run of the unmodified model returning only the final output,
 * in the same process with the same intra-op thread count.
 *
 * Fair comparison: run against run. Both sides create their session once, outside the timing,
 * and are warmed up once; then the three timed things are interleaved (ORT with its default
 * optimizations, ORT with optimizations disabled like the dump's, one dump), each dump into a new
 * folder, and medians reported. The folders are removed only at the end: on an ext4 without a
 * journal (this machine's /tmp) creating a file right after many were deleted costs ~0.4 ms in
 * the kernel's inode allocator (recently_deleted(), seen with perf), so removing each dump
 * before the next would slow the next one's 370 file creations. The dump is given
 * the preprocessed input as ORT is given its tensor; input preparation is reported apart.
 *
 * The ratio is reported against both baselines: `ratio` against ORT's default optimizations (an
 * ordinary user's run; the dump cannot use them, fused nodes lose their tensors) and
 * `ratioSameOptimization` against the same model run with optimizations disabled, as the dump
 * runs it (the dump's own overhead). The dump's session does not let idle intra-op threads
 * spin (float-session.ts); each baseline is timed both with onnxruntime's default spinning and
 * without, and the faster median is the baseline, so the baseline never loses by that setting. The single-shot cost (session creation included, as one
 * `magik-parity float` pays it) is reported in `detail.coldMs`.
 *
 * Run: `npm run build && node dist/scripts/bench-float.js`.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { AtomicFile, prepareOutDir, writeFileAtomic } from '../src/io/atomic.js';
import { dumpWithSession, runFloat } from '../src/float/run-float.js';
import { FloatSession } from '../src/float/float-session.js';
import { prepareFloatInput } from '../src/float/float-input.js';
import { loadModel } from '../src/onnx/load.js';
import { createSession, floatTensor, runSession, type OrtTensor } from '../src/onnx/ort-session.js';
import { nchwToNhwc } from '../src/tensor/layout.js';
import { sharedModel, syntheticImage } from './synthetic-input.js';

export interface BenchFloatResult {
  /** Median wall time of one dump with a warm session (prepare the folder, run, transpose, md5, write, manifest), ms. */
  dumpMs: number;
  /** Median wall time of one run of the unmodified model, default (all) optimizations, final output only (faster of spinning / not), ms. */
  ortMs: number;
  /** Same, optimizations disabled (as the dump runs the model; faster of spinning / not), ms. */
  ortDisabledMs: number;
  /** dumpMs / ortMs. */
  ratio: number;
  /** dumpMs / ortDisabledMs. */
  ratioSameOptimization: number;
  /** Peak resident set size of this process (both ORT sessions, the dump session, buffers), MB. */
  peakRssMb: number;
  detail: {
    threads: number;
    repeats: number;
    /** Medians of the timed dumps: the ORT run with every output, then transposes + md5 + writes + manifest (overlapped). */
    dumpPhasesMs: { runMs: number; writeMs: number };
    /** Medians of the four baseline runs (optimizations all / disabled, idle threads spinning or not). */
    baselinesMs: { allSpin: number; allNoSpin: number; disabledSpin: number; disabledNoSpin: number };
    /**
     * What each part of the write phase costs on its own (one thread, not overlapped; medians over
     * the repeats): NCHW->NHWC transposes of every float output (layout.ts, JS), md5 of every
     * file's bytes (node crypto, one stream: the dump itself uses the 8-stream SIMD md5 on its hash
     * thread), writing every file atomically (temporary + rename), the manifest (JSON + atomic write).
     */
    writePartsMs: { transposeMs: number; md5Ms: number; filesMs: number; manifestMs: number };
    /** One-time costs: model load + input preparation, dump session creation (exposed model + md5 threads). */
    setupMs: { prepareMs: number; sessionMs: number };
    /** Single-shot, as one CLI invocation: runFloat (load, session, run, write) vs ORT session creation + one run (default optimizations). */
    coldMs: { dumpMs: number; ortMs: number };
    tensorsWritten: number;
    mbWritten: number;
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const round = (x: number, digits = 0): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs the benchmark (`repeats` timed rounds after one warm-up). */
export async function benchFloat(options: { threads?: number; repeats?: number; model?: string } = {}): Promise<BenchFloatResult> {
  const threads = options.threads ?? Math.max(1, os.availableParallelism());
  const repeats = options.repeats ?? 7;
  const modelFile = options.model ?? sharedModel('yolox_nano_3cls.onnx');
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'magik-bench-float-'));
  try {
    const t0 = performance.now();
    const model = await loadModel(modelFile);
    const [n, c, h, w] = model.graph.inputs[0]!.shape as number[];
    const inputFile = path.join(tmp, 'input_uint8.bin');
    await fsp.writeFile(inputFile, syntheticImage(n!, h!, w!, c!, 3));
    const input = await prepareFloatInput(model, { input: inputFile, mean: '0', var: '1' });
    const prepareMs = performance.now() - t0;
    const feeds = { [model.graph.inputs[0]!.name]: floatTensor(input.nchw, [n!, c!, h!, w!]) };

    const ortAll = await createSession(model.bytes, modelFile, { threads, optimization: 'all' });
    const ortDisabled = await createSession(model.bytes, modelFile, { threads, optimization: 'disabled' });
    const ortAllNoSpin = await createSession(model.bytes, modelFile, { threads, optimization: 'all', spinning: false });
    const ortDisabledNoSpin = await createSession(model.bytes, modelFile, { threads, optimization: 'disabled', spinning: false });
    const dumper = await FloatSession.create(model, { threads });
    const timeRun = async (s: typeof ortAll): Promise<number> => {
      const t = performance.now();
      await runSession(s, feeds, modelFile);
      return performance.now() - t;
    };
    let k = 0;
    const dumpOnce = async () => {
      const out = path.join(tmp, `out-${k++}`);
      const t = performance.now();
      await prepareOutDir(out, false);
      const r = await dumpWithSession(dumper, input, out, {}, []);
      const ms = performance.now() - t;
      return { ...r, ms, out };
    };
    const rows: { all: number; disabled: number; allNoSpin: number; disabledNoSpin: number; dump: number; runMs: number; writeMs: number }[] = [];
    let last: Awaited<ReturnType<typeof dumpOnce>> | null = null;
    let parts: Awaited<ReturnType<typeof writeParts>>;
    try {
      for (let i = 0; i <= repeats; i++) {
        const all = await timeRun(ortAll);
        const disabled = await timeRun(ortDisabled);
        const allNoSpin = await timeRun(ortAllNoSpin);
        const disabledNoSpin = await timeRun(ortDisabledNoSpin);
        last = await dumpOnce();
        if (i > 0) rows.push({ all, disabled, allNoSpin, disabledNoSpin, dump: last.ms, runMs: last.runMs, writeMs: last.writeMs });
      }
      parts = await writeParts(dumper, input, tmp, repeats);
    } finally {
      await dumper.close();
    }
    const manifestMs = await timeManifest(last!.manifest, tmp, repeats);

    // Single shot, as the CLI pays it.
    const c0 = performance.now();
    const s = await createSession(model.bytes, modelFile, { threads, optimization: 'all' });
    await runSession(s, feeds, modelFile);
    const coldOrt = performance.now() - c0;
    await s.release();
    const cold = await runFloat({ model: modelFile, input: inputFile, mean: '0', var: '1', out: path.join(tmp, 'cold'), threads });
    await Promise.all([ortAll.release(), ortDisabled.release(), ortAllNoSpin.release(), ortDisabledNoSpin.release()]);

    let bytes = 0;
    for (const t of last!.manifest.tensors) bytes += t.shape.reduce((a, b) => a * b, 1) * 4;
    const dumpMs = median(rows.map((r) => r.dump));
    const baselines = {
      allSpin: median(rows.map((r) => r.all)),
      allNoSpin: median(rows.map((r) => r.allNoSpin)),
      disabledSpin: median(rows.map((r) => r.disabled)),
      disabledNoSpin: median(rows.map((r) => r.disabledNoSpin)),
    };
    const ortMs = Math.min(baselines.allSpin, baselines.allNoSpin);
    const ortDisabledMs = Math.min(baselines.disabledSpin, baselines.disabledNoSpin);
    return {
      dumpMs: round(dumpMs),
      ortMs: round(ortMs, 1),
      ortDisabledMs: round(ortDisabledMs, 1),
      ratio: round(dumpMs / ortMs, 2),
      ratioSameOptimization: round(dumpMs / ortDisabledMs, 2),
      peakRssMb: round(process.resourceUsage().maxRSS / 1024),
      detail: {
        threads,
        repeats,
        dumpPhasesMs: { runMs: round(median(rows.map((r) => r.runMs))), writeMs: round(median(rows.map((r) => r.writeMs))) },
        baselinesMs: { allSpin: round(baselines.allSpin, 1), allNoSpin: round(baselines.allNoSpin, 1), disabledSpin: round(baselines.disabledSpin, 1), disabledNoSpin: round(baselines.disabledNoSpin, 1) },
        writePartsMs: { ...parts, manifestMs },
        setupMs: { prepareMs: round(prepareMs), sessionMs: round(dumper.createMs) },
        coldMs: { dumpMs: round(cold.timings.totalMs), ortMs: round(coldOrt) },
        tensorsWritten: last!.manifest.tensors.length,
        mbWritten: round(bytes / 1e6),
      },
    };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/** The write phase's parts on their own, one thread each, on one run's outputs (medians, ms). */
async function writeParts(dumper: FloatSession, input: Awaited<ReturnType<typeof prepareFloatInput>>, tmp: string, repeats: number): Promise<{ transposeMs: number; md5Ms: number; filesMs: number }> {
  const results = await dumper.run(input);
  const floats = Object.values(results).filter((t): t is OrtTensor => t !== undefined && t.type === 'float32');
  const nhwc = floats.map((t) => new Float32Array(t.size));
  const tr: number[] = [];
  const md: number[] = [];
  const fi: number[] = [];
  for (let r = 0; r < repeats; r++) {
    let t = performance.now();
    floats.forEach((x, i) => (x.dims.length === 4 ? nchwToNhwc(x.data as Float32Array, x.dims, nhwc[i]!) : nhwc[i]!.set(x.data as Float32Array)));
    tr.push(performance.now() - t);
    t = performance.now();
    for (const a of nhwc) createHash('md5').update(new Uint8Array(a.buffer)).digest('hex');
    md.push(performance.now() - t);
    const dir = path.join(tmp, `files-${r}`);
    await fsp.mkdir(dir);
    t = performance.now();
    nhwc.forEach((a, i) => {
      const f = new AtomicFile(path.join(dir, `t${i}.bin`));
      f.write(new Uint8Array(a.buffer));
      f.commit();
    });
    fi.push(performance.now() - t);
    await fsp.rm(dir, { recursive: true });
  }
  return { transposeMs: round(median(tr), 1), md5Ms: round(median(md), 1), filesMs: round(median(fi), 1) };
}

async function timeManifest(manifest: unknown, tmp: string, repeats: number): Promise<number> {
  const ms: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    await writeFileAtomic(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
    ms.push(performance.now() - t);
  }
  return round(median(ms), 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchFloat({ threads: 2 });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
}
