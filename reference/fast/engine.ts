/**
 * The fast-kernel engine: one shared WebAssembly memory, one instance of the kernel module on the
 * calling thread and one per helper worker, and a synchronous fork/join over them.
 *
 * Threads: `threads` computing threads = the calling thread + (threads − 1) worker threads, all
 * running the same module on the same memory. The caller writes each worker's job (export index and
 * i32 arguments) into a small shared control block, wakes it with Atomics.notify, runs its own share
 * and blocks with Atomics.wait until every worker has finished. So kernels stay synchronous (the
 * executor's `int()` is synchronous) and each job costs microseconds, not a postMessage round-trip.
 * Workers are created from an inline script (`eval: true`), so they also work when running from
 * source under vitest; if workers cannot start, the engine runs in-process (threads = 1).
 * Determinism: every output element is computed by exactly one thread with the same code, and the
 * split never changes the arithmetic (integer), so results are identical for any thread count.
 */
import { Worker } from 'node:worker_threads';
import { loadKernelModules } from './wasm-module.js';

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
} as const;
export type FnName = keyof typeof FN;
const FN_NAMES = Object.keys(FN) as FnName[];

/** The export named `n` of whichever instance has it. */
function exportOf(insts: WebAssembly.Instance[], n: string): Kernel {
  for (const i of insts) if (typeof i.exports[n] === 'function') return i.exports[n] as unknown as Kernel;
  throw new Error(`fast kernels: no export ${n}`);
}

const SLOT = 32; // int32 words per worker: [seq, done, fn, nargs, failed, args...]
const ARG0 = 5;
const PAGE = 65536;
const MAX_PAGES = 32768; // 2 GiB
/** Upper bound of the resident region (static layer data kept across runs), bytes. */
const RESIDENT_MAX = 64 * 1024 * 1024;
/** Polls of a shared word before sleeping on it (~tens of microseconds): fork/join without a futex wake-up. */
const SPIN = 2000;

const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', async ({ modules, memory, ctrl, slot, names }) => {
  const insts = [];
  for (const m of modules) insts.push(await WebAssembly.instantiate(m, { env: { memory } }));
  const fns = names.map((n) => { for (const i of insts) if (typeof i.exports[n] === 'function') return i.exports[n]; return null; });
  const c = new Int32Array(ctrl);
  const b = slot * ${SLOT};
  parentPort.postMessage('ready');
  let seq = 0;
  for (;;) {
    // spin briefly before sleeping: the next job of an inference usually follows within microseconds
    for (let i = 0; i < ${SPIN} && Atomics.load(c, b) === seq; i++);
    Atomics.wait(c, b, seq);
    seq = Atomics.load(c, b);
    if (seq < 0) break;
    const n = c[b + 3];
    const args = [];
    for (let i = 0; i < n; i++) args.push(c[b + ${ARG0} + i]);
    try { fns[c[b + 2]](...args); } catch (e) { c[b + 4] = 1; }
    Atomics.store(c, b + 1, seq);
    Atomics.notify(c, b + 1);
  }
});
`;

type Kernel = (...args: number[]) => void;

/** A running engine; see the file header. */
export class FastEngine {
  readonly threads: number;
  private readonly memory: WebAssembly.Memory;
  private readonly fns: Kernel[];
  private readonly workers: Worker[];
  private readonly ctrl: Int32Array;
  private seq = 0;
  private top = 0;

  private constructor(memory: WebAssembly.Memory, fns: Kernel[], workers: Worker[], ctrl: Int32Array) {
    this.memory = memory;
    this.fns = fns;
    this.workers = workers;
    this.ctrl = ctrl;
    this.threads = workers.length + 1;
  }

  /** Starts an engine with `threads` computing threads (default 2; 1 = no workers). */
  static async create(options: { threads?: number; fromSource?: boolean; modules?: WebAssembly.Module[] } = {}): Promise<FastEngine> {
    const threads = Math.max(1, Math.floor(options.threads ?? 2));
    const modules = options.modules ?? (await loadKernelModules({ fromSource: options.fromSource }));
    const memory = new WebAssembly.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
    const insts: WebAssembly.Instance[] = [];
    for (const m of modules) insts.push(await WebAssembly.instantiate(m, { env: { memory } }));
    const fns = FN_NAMES.map((n) => exportOf(insts, n));
    const ctrl = new Int32Array(new SharedArrayBuffer(4 * SLOT * Math.max(1, threads - 1)));
    const workers: Worker[] = [];
    try {
      for (let slot = 0; slot < threads - 1; slot++) {
        const w = new Worker(WORKER_SOURCE, { eval: true });
        try {
          await new Promise<void>((resolve, reject) => {
            w.once('message', () => resolve());
            w.once('error', reject);
            w.once('exit', () => reject(new Error('worker exited during start-up')));
            w.postMessage({ modules, memory, ctrl: ctrl.buffer, slot, names: FN_NAMES });
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
    return new FastEngine(memory, fns, workers, ctrl);
  }

  /** Stops the workers. The engine must not be used afterwards. */
  async close(): Promise<void> {
    for (let i = 0; i < this.workers.length; i++) {
      Atomics.store(this.ctrl, i * SLOT, -1);
      Atomics.notify(this.ctrl, i * SLOT);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  /** Bottom of the scratch space: everything below is kept tensors of the current run (the arena). */
  private arenaTop = 64; // keep address 0 unused (and above the resident region)
  /** Every buffer object the memory has had (a grow gives a new one over the same memory). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  /**
   * True between {@link beginRun} and {@link endRun}: kernels then leave their outputs in the
   * engine's memory ({@link allocKeep}) and read inputs found there in place ({@link addressOf}).
   */
  arena = false;

  /** Frees every scratch allocation (call at the start of each kernel invocation); kept tensors stay. */
  reset(): void {
    this.top = this.arenaTop;
  }

  /**
   * Starts a run whose kernel outputs stay in the engine's memory until {@link endRun} (the caller
   * guarantees nobody holds such a tensor after endRun: it copies what it returns).
   */
  beginRun(): void {
    this.arenaTop = this.residentTop;
    this.top = this.residentTop;
    this.arena = true;
  }

  /** Ends the run started by {@link beginRun}; its kept tensors are free again. */
  endRun(): void {
    this.arena = false;
    this.arenaTop = this.residentTop;
    this.top = this.residentTop;
    // nothing is live now: place the static layer data asked for during the run (see whenIdle)
    const fills = this.idle;
    this.idle = [];
    for (const f of fills) f();
  }

  /** End of the resident region [64, residentTop): static layer data kept across runs ({@link allocResident}). */
  private residentTop = 64;
  private idle: Array<() => void> = [];

  /**
   * Allocates `bytes` of resident memory (kept until the engine is closed, below every run's arena)
   * and returns its address, or 0 when the resident region would exceed {@link RESIDENT_MAX}. Only
   * inside a {@link whenIdle} callback (nothing else is live then).
   */
  allocResident(bytes: number): number {
    if (this.arena || this.top !== this.residentTop) throw new Error('fast kernels: allocResident while kernel data is live');
    if (this.residentTop + bytes > RESIDENT_MAX) return 0;
    const at = this.alloc(bytes);
    this.residentTop = this.arenaTop = this.top;
    return at;
  }

  /** Calls `fill` at the end of the current run (endRun), when resident memory can be allocated. */
  whenIdle(fill: () => void): void {
    this.idle.push(fill);
  }

  /**
   * Allocates `bytes` that outlive the kernel call (until {@link endRun}); must be called right after
   * {@link reset}, before any scratch allocation. Returns the byte address.
   */
  allocKeep(bytes: number): number {
    if (this.top !== this.arenaTop) throw new Error('fast kernels: allocKeep after a scratch allocation');
    const at = this.alloc(bytes);
    this.arenaTop = this.top;
    return at;
  }

  /** The byte address of `view` when it is a view on this engine's memory, else null. */
  addressOf(view: ArrayBufferView): number | null {
    return this.buffers.has(view.buffer) ? view.byteOffset : null;
  }

  /** Allocates `bytes` (16-byte aligned), growing the memory; returns the byte address. */
  alloc(bytes: number): number {
    const at = Math.ceil(this.top / 16) * 16;
    const end = at + Math.max(0, bytes);
    if (end > this.memory.buffer.byteLength) {
      const need = Math.ceil((end - this.memory.buffer.byteLength) / PAGE);
      if (this.memory.buffer.byteLength / PAGE + need > MAX_PAGES) {
        throw new RangeError(`fast kernels: ${end} bytes of working memory exceed the 2 GiB limit`);
      }
      this.memory.grow(need);
    }
    this.top = end;
    return at;
  }

  /** The current memory (views must be re-created after `alloc`, which may grow it). */
  get buffer(): SharedArrayBuffer {
    const b = this.memory.buffer as unknown as SharedArrayBuffer;
    this.buffers.add(b);
    return b;
  }

  /** Runs one kernel call on the calling thread. */
  call(fn: FnName, args: number[]): void {
    this.fns[FN[fn]]!(...args);
  }

  /**
   * Runs `jobs[i]` (argument lists of kernel `fn`) with job 0 on the calling thread and job i on
   * worker i − 1; returns when all are done. `jobs.length` must be ≤ `threads`.
   */
  parallel(fn: FnName, jobs: number[][]): void {
    if (jobs.length > this.threads) throw new RangeError(`fast kernels: ${jobs.length} jobs for ${this.threads} threads`);
    const c = this.ctrl;
    const seq = ++this.seq;
    for (let i = 1; i < jobs.length; i++) {
      const b = (i - 1) * SLOT;
      const args = jobs[i]!;
      if (args.length > SLOT - ARG0) throw new RangeError('fast kernels: too many arguments');
      c[b + 2] = FN[fn];
      c[b + 3] = args.length;
      c[b + 4] = 0;
      for (let k = 0; k < args.length; k++) c[b + ARG0 + k] = args[k]!;
      Atomics.store(c, b, seq);
      Atomics.notify(c, b);
    }
    let err: unknown = null;
    try {
      if (jobs.length > 0) this.call(fn, jobs[0]!);
    } catch (e) {
      err = e;
    }
    let failed = false;
    for (let i = 1; i < jobs.length; i++) {
      const b = (i - 1) * SLOT;
      for (let spin = 0; ; spin++) {
        const d = Atomics.load(c, b + 1);
        if (d === seq) break;
        if (spin > SPIN) Atomics.wait(c, b + 1, d);
      }
      if (c[b + 4] !== 0) failed = true;
    }
    if (err) throw err;
    if (failed) throw new Error(`fast kernels: ${fn} failed on a worker thread`);
  }
}

let shared: Promise<FastEngine> | null = null;
let sharedThreads = 0;

/** The process-wide engine with `threads` threads (re-created when the count changes). */
export async function fastEngine(threads = 2): Promise<FastEngine> {
  if (shared && sharedThreads === threads) return shared;
  if (shared) await (await shared).close();
  sharedThreads = threads;
  shared = FastEngine.create({ threads });
  return shared;
}
