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
 * `magik-parity float` pays it) is reported in `detail.coldMs`, from a child process whose peak RSS
 * is `peakRssMb`.
 *
 * The floor (`detail.floorMs`, bench-float-floor.ts, printed by {@link formatFloatFloor}): each
 * round also times, alone, onnxruntime running the dump's model (every tensor an output), the
 * binding's output copies, plain writes of the same files, md5 (node:crypto and ours) and the
 * transposes, so the ratio is explained by what the parts cost on this machine at that moment.
 *
 * Run: `npm run build && node dist/scripts/bench-float.js [repeats]` (JSON, then the lines `npm run bench` prints).
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { prepareOutDir, writeFileAtomic } from '../src/io/atomic.js';
import { dumpWithSession, type runFloat } from '../src/float/run-float.js';
import { FloatSession } from '../src/float/float-session.js';
import { prepareFloatInput } from '../src/float/float-input.js';
import { loadModel } from '../src/onnx/load.js';
import { exposeTensors } from '../src/onnx/expose.js';
import { createSession, floatTensor, runSession, type OrtTensor } from '../src/onnx/ort-session.js';
import { FloatFloor, type FloorRound } from './bench-float-floor.js';
import { repoRoot, sharedModel, syntheticImage } from './synthetic-input.js';

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
  /** Peak resident set size of one float run (runFloat: load, session, run, write) in a process of its own, MB. */
  peakRssMb: number;
  detail: {
    threads: number;
    repeats: number;
    /** Medians of the timed dumps: the ORT run with every output, then transposes + md5 + writes + manifest (overlapped). */
    dumpPhasesMs: { runMs: number; writeMs: number };
    /** Medians of the four baseline runs (optimizations all / disabled, idle threads spinning or not). */
    baselinesMs: { allSpin: number; allNoSpin: number; disabledSpin: number; disabledNoSpin: number };
    /**
     * The floor (bench-float-floor.ts; medians over the repeats, each part alone on one thread,
     * interleaved with the dumps): onnxruntime running the dump's model (every tensor an output)
     * with pre-allocated outputs as the dump does and without, the binding's copy of every output
     * (allocate + copy), plain fs.writeFileSync of the dump's files into a fresh folder and the
     * creation of as many empty files, md5 with node:crypto and with our 8-lane SIMD md5, the
     * SIMD transposes, the manifest (JSON + atomic write).
     */
    floorMs: FloorRound & { ortExposedPreMs: number; ortExposedMs: number; manifestMs: number };
    /** One-time costs: model load + input preparation, dump session creation (exposed model + md5 threads). */
    setupMs: { prepareMs: number; sessionMs: number };
    /** Single-shot, as one CLI invocation: runFloat (load, session, run, write) vs ORT session creation + one run (default optimizations). */
    coldMs: { dumpMs: number; ortMs: number };
    /** Peak resident set size of the benchmark process (every session above, the floor's buffers), MB. */
    benchRssMb: number;
    tensorsWritten: number;
    mbWritten: number;
    /** Bytes of the floor's files (the float outputs, input.bin excluded), MB. */
    floorMb: number;
  };
}

const execFileP = promisify(execFile);
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
    const exposed = exposeTensors(model, { include: (nd) => !(nd.opType === 'Constant' && nd.domain === '') }).bytes;
    const ortExposed = await createSession(exposed, modelFile, { threads, exposedAll: true, spinning: false });
    const ortExposedPre = await createSession(exposed, modelFile, { threads, exposedAll: true, spinning: false });
    const dumper = await FloatSession.create(model, { threads });
    // the floor's data: the dump's own outputs, as written; pre-allocated fetches like FloatSession's
    const first = await runSession(ortExposedPre, feeds, modelFile);
    const floor = new FloatFloor(Object.values(first));
    const preFetches = Object.fromEntries(Object.entries(first).map(([k, t]) => [k, floatLike(t)]));
    const timeRun = async (s: typeof ortAll, fetches?: Record<string, OrtTensor | null>): Promise<number> => {
      const t = performance.now();
      await runSession(s, feeds, modelFile, fetches);
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
    const rows: { all: number; disabled: number; allNoSpin: number; disabledNoSpin: number; dump: number; runMs: number; writeMs: number; exposed: number; exposedPre: number; floor: FloorRound }[] = [];
    let last: Awaited<ReturnType<typeof dumpOnce>> | null = null;
    try {
      for (let i = 0; i <= repeats; i++) {
        const all = await timeRun(ortAll);
        const disabled = await timeRun(ortDisabled);
        const allNoSpin = await timeRun(ortAllNoSpin);
        const disabledNoSpin = await timeRun(ortDisabledNoSpin);
        const exposedPre = await timeRun(ortExposedPre, preFetches);
        const exposedMs = await timeRun(ortExposed);
        last = await dumpOnce();
        const fl = floor.round(tmp);
        if (i > 0) rows.push({ all, disabled, allNoSpin, disabledNoSpin, dump: last.ms, runMs: last.runMs, writeMs: last.writeMs, exposed: exposedMs, exposedPre, floor: fl });
      }
    } finally {
      await dumper.close();
      await Promise.all([ortExposed.release(), ortExposedPre.release()]);
    }
    const manifestMs = await timeManifest(last!.manifest, tmp, repeats);

    // Single shot, as the CLI pays it.
    const c0 = performance.now();
    const s = await createSession(model.bytes, modelFile, { threads, optimization: 'all' });
    await runSession(s, feeds, modelFile);
    const coldOrt = performance.now() - c0;
    await s.release();
    const cold = await coldRun({ model: modelFile, input: inputFile, mean: '0', var: '1', out: path.join(tmp, 'cold'), threads });
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
      peakRssMb: cold.peakRssMb,
      detail: {
        threads,
        repeats,
        dumpPhasesMs: { runMs: round(median(rows.map((r) => r.runMs))), writeMs: round(median(rows.map((r) => r.writeMs))) },
        baselinesMs: { allSpin: round(baselines.allSpin, 1), allNoSpin: round(baselines.allNoSpin, 1), disabledSpin: round(baselines.disabledSpin, 1), disabledNoSpin: round(baselines.disabledNoSpin, 1) },
        floorMs: {
          ortExposedPreMs: round(median(rows.map((r) => r.exposedPre)), 1),
          ortExposedMs: round(median(rows.map((r) => r.exposed)), 1),
          ...(Object.fromEntries((Object.keys(rows[0]!.floor) as (keyof FloorRound)[]).map((k) => [k, round(median(rows.map((r) => r.floor[k])), 1)])) as unknown as FloorRound),
          manifestMs,
        },
        setupMs: { prepareMs: round(prepareMs), sessionMs: round(dumper.createMs) },
        coldMs: { dumpMs: round(cold.totalMs), ortMs: round(coldOrt) },
        benchRssMb: round(process.resourceUsage().maxRSS / 1024),
        tensorsWritten: last!.manifest.tensors.length,
        mbWritten: round(bytes / 1e6),
        floorMb: round(floor.bytes / 1e6),
      },
    };
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/** One runFloat in a child process (as one CLI invocation pays it): its total time and peak RSS. */
async function coldRun(opts: Parameters<typeof runFloat>[0]): Promise<{ totalMs: number; peakRssMb: number }> {
  // the built module (also when this file runs from source under vitest: npm test builds first)
  const url = pathToFileURL(path.join(repoRoot(), 'dist/src/float/run-float.js')).href;
  // peak RSS from /proc (VmHWM, this process image only): after fork + exec, getrusage's maxrss
  // also counts the forking parent's resident size (Linux keeps the larger of the two)
  const code = [
    `import { readFileSync } from 'node:fs';`,
    `const { runFloat } = await import(${JSON.stringify(url)});`,
    `const r = await runFloat(${JSON.stringify(opts)});`,
    `let kb = process.resourceUsage().maxRSS;`,
    `try { kb = Number(/VmHWM:\\s*(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}`,
    `process.stdout.write(JSON.stringify({ totalMs: r.timings.totalMs, peakRssMb: kb / 1024 }));`,
  ].join('\n');
  // a file, not `-e`: `--input-type=module` would pass to the file threads' (CommonJS) eval'd source
  const script = path.join(path.dirname(opts.out), 'cold-run.mjs');
  await fsp.writeFile(script, code);
  const { stdout } = await execFileP(process.execPath, [script], { maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout) as { totalMs: number; peakRssMb: number };
  return { totalMs: r.totalMs, peakRssMb: round(r.peakRssMb) };
}

/** The float section of `npm run bench`: the target line, then the floor lines (indented). */
export function formatFloat(f: BenchFloatResult): string[] {
  return [
    `float    YOLOX-nano 416 dump of every tensor (warm session, run + write): ${f.dumpMs.toFixed(0)} ms (run ${f.detail.dumpPhasesMs.runMs}, write ${f.detail.dumpPhasesMs.writeMs}) vs ORT final-output-only ${f.ortMs.toFixed(0)} ms -> ratio ${f.ratio.toFixed(2)} (target <= 4); vs ORT with optimizations disabled as the dump runs it ${f.ortDisabledMs.toFixed(0)} ms -> ratio ${f.ratioSameOptimization.toFixed(2)}; cold (one CLI run) ${f.detail.coldMs.dumpMs} vs ${f.detail.coldMs.ortMs} ms; peak RSS ${f.peakRssMb.toFixed(0)} MB (one run, own process; bench process ${f.detail.benchRssMb} MB)`,
    ...formatFloatFloor(f).map((l) => `  ${l}`),
  ];
}

/**
 * The floor lines of `npm run bench` (float section): the parts of a dump timed alone beside it,
 * and the arithmetic they give (every file is written after the run: onnxruntime returns every
 * output at once, at the end of the run, on the calling thread).
 */
export function formatFloatFloor(r: BenchFloatResult): string[] {
  const f = r.detail.floorMs;
  const n = r.detail.tensorsWritten - 1;
  const mb = r.detail.floorMb;
  const after = f.writeMs + f.md5LanesMs + f.transposeMs;
  const best = f.ortExposedPreMs + after / 2;
  const x = (v: number, base: number) => (v / base).toFixed(1);
  return [
    `floor: ORT running the dump's model (every tensor an output, optimizations disabled): ${f.ortExposedPreMs} ms with pre-allocated outputs (as the dump), ${f.ortExposedMs} ms without; final output only ${r.ortDisabledMs} ms disabled / ${r.ortMs} ms all; the binding's copy of every output into a new buffer (${n} allocations + copies, ${mb} MB, part of each run) ${f.copyOutMs} ms`,
    `floor: plain fs.writeFileSync of the same ${n} files (${mb} MB, in memory, no transpose / md5 / rename) into a fresh folder beside the dumps: ${f.writeMs} ms (= ${x(f.writeMs, r.ortMs)}x ORT final-only); creating ${n} empty files there: ${f.createMs} ms`,
    `floor: md5 of the same bytes: node:crypto ${f.md5CryptoMs} ms, our 8-lane SIMD md5 ${f.md5LanesMs} ms (one thread each); SIMD NCHW->NHWC transposes ${f.transposeMs} ms; manifest ${f.manifestMs} ms`,
    `floor: after the run, write + md5 + transpose = ${after.toFixed(0)} ms of work, ${(after / 2).toFixed(0)} ms on 2 cores at best -> dump >= ${best.toFixed(0)} ms = ${x(best, r.ortMs)}x ORT final-only (all), ${x(best, r.ortDisabledMs)}x (disabled); measured ${r.dumpMs} ms`,
  ];
}

/** A tensor of the same type and shape over its own copy of `t`'s data (a pre-allocated fetch). */
function floatLike(t: OrtTensor): OrtTensor | null {
  const d = t.data as unknown;
  if (d instanceof Float32Array) return floatTensor(new Float32Array(d), t.dims);
  return null;
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
  const r = await benchFloat({ threads: 2, repeats: Number(process.argv[2] ?? 7) });
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n(load ${os.loadavg()[0]!.toFixed(1)})\n${formatFloat(r).join('\n')}\n`);
}
