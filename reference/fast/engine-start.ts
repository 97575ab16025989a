/**
 * Start-up of the fast engine (engine.ts): the table of kernel exports, the kernel modules
 * instantiated on one shared memory, the control blocks, and the worker threads (engine-worker.ts)
 * started on the same modules and memory.
 */
import { Worker } from 'node:worker_threads';
import { loadKernelModules } from './wasm-module.js';
import { DEFAULT_SPIN_MS, JOB_WORDS, SLOT, TRACE_WORDS, WORKER_SOURCE } from './engine-worker.js';

/** Exports of the kernel modules (conv-int.wat, eltwise.wat), by index in the control block. */
export const FN = {
  conv_pairs: 0,
  conv_dw: 1,
  requant: 2,
  pack_u8: 3,
  pack_dw_u8: 4,
  zero: 5,
  lut_u8: 6,
  pair_lut_u8: 7,
  quant_f32: 8,
  maxpool_u8: 9,
  conv1x1_job: 10,
  conv_dw_rq: 11,
  gather_u8: 12,
  conv_pairs_rq: 13,
  conv_dw_rq2: 14,
  conv_rows_band: 15,
} as const;
export type FnName = keyof typeof FN;
const FN_NAMES = Object.keys(FN) as FnName[];

/** The export named `n` of whichever instance has it. */
function exportOf(insts: WebAssembly.Instance[], n: string): Kernel {
  for (const i of insts) if (typeof i.exports[n] === 'function') return i.exports[n] as unknown as Kernel;
  throw new Error(`fast kernels: no export ${n}`);
}

/** Most pages of the engine's memory (2 GiB). */
export const MAX_PAGES = 32768;
/** A kernel export: i32 arguments, no result. */
export type Kernel = (...args: number[]) => void;

/** Options of {@link FastEngine.create}. */
export interface FastEngineOptions {
  /** Computing threads (default 2; 1 = no workers). */
  threads?: number;
  /** Compile the kernels from their `.wat` sources (tests). */
  fromSource?: boolean;
  /** Already compiled kernel modules (FAST_WAT_SOURCES order). */
  modules?: WebAssembly.Module[];
  /** How long a worker spins after its last job before sleeping, ms (default {@link DEFAULT_SPIN_MS}; 0 = sleep at once). */
  spinMs?: number;
  /**
   * Each thread claims the jobs of its own contiguous block first (default true; see
   * engine-worker.ts); false: one shared queue (for measurements).
   */
  affinity?: boolean;
}

/** What an engine runs on (see {@link startEngine}). */
export interface EngineParts {
  memory: WebAssembly.Memory;
  /** Kernel exports of the calling thread's instances, by {@link FN} index. */
  fns: Kernel[];
  /** The workers that started (fewer than asked when workers are unavailable). */
  workers: Worker[];
  ctrl: Int32Array;
  job: Int32Array;
  trace: Float64Array;
}

/** Instantiates the kernels on a new shared memory and starts `threads − 1` workers (see {@link FastEngineOptions}). */
export async function startEngine(options: FastEngineOptions): Promise<EngineParts> {
  const threads = Math.max(1, Math.floor(options.threads ?? 2));
  const spinMs = Math.max(0, options.spinMs ?? DEFAULT_SPIN_MS);
  const modules = options.modules ?? (await loadKernelModules({ fromSource: options.fromSource }));
  const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const insts: WebAssembly.Instance[] = [];
  for (const m of modules) insts.push(await WebAssembly.instantiate(m, { env: { memory } }));
  const fns = FN_NAMES.map((n) => exportOf(insts, n));
  const slots = Math.max(1, threads - 1);
  const ctrl = new Int32Array(new SharedArrayBuffer(4 * SLOT * slots));
  const job = new Int32Array(new SharedArrayBuffer(4 * JOB_WORDS));
  const trace = new Float64Array(new SharedArrayBuffer(8 * TRACE_WORDS * slots));
  const workers: Worker[] = [];
  try {
    for (let slot = 0; slot < threads - 1; slot++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      try {
        await new Promise<void>((resolve, reject) => {
          w.once('message', () => resolve());
          w.once('error', reject);
          w.once('exit', () => reject(new Error('worker exited during start-up')));
          w.postMessage({ modules, memory, ctrl: ctrl.buffer, job: job.buffer, trace: trace.buffer, slot, names: FN_NAMES, spinMs });
        });
      } catch (e) {
        void w.terminate();
        throw e;
      }
      w.removeAllListeners('exit');
      w.unref();
      workers.push(w);
    }
  } catch {
    // workers unavailable (sandbox, no worker_threads): run in-process with what started
  }
  return { memory, fns, workers, ctrl, job, trace };
}
