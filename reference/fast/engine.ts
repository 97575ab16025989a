/**
 * The fast-kernel engine: one shared WebAssembly memory, one instance of the kernel module on the
 * calling thread and one per helper worker, and a synchronous fork/join over them.
 *
 * Threads: `threads` computing threads = the calling thread + (threads − 1) worker threads, all
 * running the same module on the same memory. A parallel call writes its jobs (export index and i32
 * arguments) into a shared control block; the caller and the (spinning, or notified) workers claim
 * jobs from a shared counter until none is left, then the caller waits for the workers that joined
 * (protocol: engine-worker.ts). So kernels stay synchronous (the executor's `int()` is synchronous)
 * and a call costs about a microsecond, not a postMessage round-trip.
 * Workers are created from an inline script (`eval: true`), so they also work when running from
 * source under vitest; if workers cannot start, the engine runs in-process (threads = 1).
 * Determinism: every output element is computed by exactly one thread with the same code, and the
 * split never changes the arithmetic (integer), so results are identical for any thread count.
 */
import type { Worker } from 'node:worker_threads';
export { DEFAULT_SPIN_MS, JOBS_PER_THREAD, type ForkJoinTrace } from './engine-worker.js';
export { FN, type FastEngineOptions, type FnName } from './engine-start.js';
import { FN, MAX_PAGES, startEngine, type FastEngineOptions, type FnName, type Kernel } from './engine-start.js';
import { COUNTER_STRIDE, JOBS_PER_THREAD, JOIN_SPIN_MS, type ForkJoinTrace, DONE, JOB_NBLOCKS, MAX_BLOCKS, FAILED, GATE, JOB_ARGS, JOB_FN, JOB_NARGS, JOB_NPER, JOB_PER, M_SLEEP, MAX_ARGS, MAX_JOBS, MAX_PER, NJOBS, PING, PREEMPTED_MS, REST, SEQ, SLOT, TRACE, W_SLEEP } from './engine-worker.js';

const PAGE = 65536;
/** Upper bound of the resident region (static layer data kept across runs), bytes. */
const RESIDENT_MAX = 64 * 1024 * 1024;

/** A running engine; see the file header. */
export class FastEngine {
  readonly threads: number;
  private readonly memory: WebAssembly.Memory;
  private readonly fns: Kernel[];
  private readonly workers: Worker[];
  private readonly ctrl: Int32Array;
  private readonly job: Int32Array;
  private readonly traceTimes: Float64Array;
  private seq = 0;
  private top = 0;
  private resting = false;
  private affinity = true;
  /**
   * When an array, every {@link parallel} call with more than one job appends a {@link ForkJoinTrace}
   * (profiling: scripts/profile-int.ts `--trace 1`); null (default) records nothing.
   */
  trace: ForkJoinTrace[] | null = null;

  private constructor(memory: WebAssembly.Memory, fns: Kernel[], workers: Worker[], ctrl: Int32Array, job: Int32Array, traceTimes: Float64Array) {
    this.memory = memory;
    this.fns = fns;
    this.workers = workers;
    this.ctrl = ctrl;
    this.job = job;
    this.traceTimes = traceTimes;
    this.threads = workers.length + 1;
  }

  /** Starts an engine (see {@link FastEngineOptions}). */
  static async create(options: FastEngineOptions = {}): Promise<FastEngine> {
    const { memory, fns, workers, ctrl, job, trace } = await startEngine(options);
    const engine = new FastEngine(memory, fns, workers, ctrl, job, trace);
    engine.affinity = options.affinity ?? true;
    return engine;
  }

  /** Stops the workers. The engine must not be used afterwards. */
  async close(): Promise<void> {
    for (let i = 0; i < this.workers.length; i++) {
      Atomics.store(this.ctrl, i * SLOT + SEQ, -1);
      Atomics.notify(this.ctrl, i * SLOT + SEQ);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  /**
   * Gets the workers spinning (ready for a job within ~1 µs) for their spin period: a sleeping
   * worker is notified now, so the futex wake-up overlaps the caller's JavaScript instead of
   * delaying the next {@link parallel} call. Called by {@link beginRun}.
   */
  wake(): void {
    const c = this.ctrl;
    for (let i = 0; i < this.workers.length; i++) {
      const b = i * SLOT;
      Atomics.store(c, b + REST, 0);
      Atomics.add(c, b + PING, 1);
      if (Atomics.load(c, b + W_SLEEP) !== 0) Atomics.notify(c, b + SEQ);
    }
    this.resting = false;
  }

  /** Lets the workers sleep as soon as they are idle instead of spinning (called by {@link endRun}). */
  rest(): void {
    for (let i = 0; i < this.workers.length; i++) Atomics.store(this.ctrl, i * SLOT + REST, 1);
    this.resting = this.workers.length > 0;
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
    this.wake();
    this.arenaTop = this.residentTop;
    this.top = this.residentTop;
    this.arena = true;
  }

  /** Ends the run started by {@link beginRun}; its kept tensors are free again. */
  endRun(): void {
    this.rest();
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
   * {@link reset}, before any scratch allocation. Returns the byte address, 64-byte aligned (a cache
   * line: threads writing disjoint parts of a layer's output then share lines only where their
   * ranges meet inside one).
   */
  allocKeep(bytes: number): number {
    if (this.top !== this.arenaTop) throw new Error('fast kernels: allocKeep after a scratch allocation');
    this.top = Math.ceil(this.top / 64) * 64;
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

  /**
   * Scratch for every thread (`bytes` each, for a {@link parallel} call's `perThread` pair): thread
   * t's block is [at + t · stride, + bytes), each block on its own 128-byte boundary, so no cache
   * line (nor the pair of lines the adjacent-line prefetcher fetches together) holds two threads'
   * scratch. Written per job by the thread running it, a shared line moves between the cores on
   * every write: on YOLOX-nano's 16→32-channel 1x1 layers at 104², 16-byte-aligned tile buffers
   * made 2 threads no faster than 1 (reference/fast/README.md, "False sharing").
   */
  allocPerThread(bytes: number): { at: number; stride: number } {
    const stride = Math.ceil(Math.max(bytes, 1) / 128) * 128;
    const at = Math.ceil(this.alloc(stride * this.threads + 128) / 128) * 128;
    return { at, stride };
  }

  /** The current memory (views must be re-created after `alloc`, which may grow it). */
  get buffer(): SharedArrayBuffer {
    const b = this.memory.buffer as unknown as SharedArrayBuffer;
    if (b !== this.lastBuffer) {
      this.buffers.add(b);
      this.lastBuffer = b;
    }
    return b;
  }
  private lastBuffer: SharedArrayBuffer | null = null;

  /**
   * How many jobs to split `work` units (e.g. multiply-accumulates) into for {@link parallel}: about
   * `perJob` units each (a job should last ≥ ~10 µs: claiming one costs ~0.1–1 µs), at least
   * `threads` when there are ≥ 2 · perJob units, at most {@link JOBS_PER_THREAD} per thread (the
   * last job of a call is what the caller may wait for); 1 on one thread.
   */
  jobCount(work: number, perJob: number): number {
    if (this.threads <= 1 || work < 2 * perJob) return 1;
    return Math.max(this.threads, Math.min(JOBS_PER_THREAD * this.threads, Math.floor(work / perJob)));
  }

  /** Runs one kernel call on the calling thread. */
  call(fn: FnName, args: number[]): void {
    this.fns[FN[fn]]!(...args);
  }

  /**
   * Runs every job (an argument list of kernel `fn`) exactly once, each on whichever thread claims
   * it (the calling thread and the workers, see engine-worker.ts), and returns when all are done.
   * Jobs must write disjoint memory. `perThread` lists (argument index, stride) pairs: the thread
   * running a job adds thread index × stride to that argument (0 = the calling thread, up to
   * threads − 1), so jobs can share per-thread scratch buffers; without it, a job's scratch must be
   * its own. At most {@link MAX_JOBS} jobs of at most {@link MAX_ARGS} arguments.
   * A job that throws makes the call throw (after every thread has stopped).
   */
  parallel(fn: FnName, jobs: number[][], perThread: ReadonlyArray<readonly [number, number]> = []): void {
    this.complete(this.begin(fn, jobs, perThread));
  }

  /**
   * Starts {@link parallel}`(fn, jobs, perThread)` and returns at once: the workers claim jobs while
   * the caller does other work (no other call on this engine), then {@link finish} claims what is
   * left on the calling thread and joins, as `parallel` does. Without workers the jobs run in finish.
   */
  post(fn: FnName, jobs: number[][], perThread: ReadonlyArray<readonly [number, number]> = []): void {
    if (this.pending) throw new Error('fast kernels: post while an earlier post is not finished');
    this.pending = this.begin(fn, jobs, perThread);
  }

  /** Completes the call started by {@link post} (a no-op when none is pending). */
  finish(): void {
    const c = this.pending;
    this.pending = null;
    if (c) this.complete(c);
  }

  private pending: Posted | null = null;

  /** Checks the call and posts its jobs to the workers (see parallel). */
  private begin(fn: FnName, jobs: number[][], perThread: ReadonlyArray<readonly [number, number]>): Posted {
    if (this.pending) throw new Error('fast kernels: a call while a posted one is not finished');
    const nj = jobs.length;
    const nargs = nj > 0 ? jobs[0]!.length : 0;
    if (nj > MAX_JOBS || perThread.length > MAX_PER) throw new RangeError(`fast kernels: ${nj} jobs (at most ${MAX_JOBS}), ${perThread.length} per-thread arguments (at most ${MAX_PER})`);
    if (nargs > MAX_ARGS) throw new RangeError('fast kernels: too many arguments');
    const call: Posted = { fn, jobs, seq: 0, nb: 0, t0: 0, posted: 0 };
    if (nj <= 1 || this.workers.length === 0) return call;
    const c = this.ctrl;
    const j = this.job;
    const seq = (this.seq = (this.seq % 0x1fffffff) + 1);
    const tracing = this.trace !== null;
    call.seq = seq;
    call.t0 = tracing ? now() : 0;
    j[JOB_FN] = FN[fn];
    j[JOB_NARGS] = nargs;
    j[NJOBS] = nj;
    j[JOB_NPER] = perThread.length;
    for (let q = 0; q < perThread.length; q++) {
      const [at, stride] = perThread[q]!;
      if (!(at >= 0 && at < nargs)) throw new RangeError(`fast kernels: per-thread argument ${at} of ${nargs}`);
      j[JOB_PER + 2 * q] = at;
      j[JOB_PER + 2 * q + 1] = stride;
    }
    for (let k = 0, at = JOB_ARGS; k < nj; k++, at += nargs) {
      const args = jobs[k]!;
      if (args.length !== nargs) throw new RangeError('fast kernels: jobs of one call need the same number of arguments');
      for (let a = 0; a < nargs; a++) j[at + a] = args[a]!;
    }
    const nb = this.affinity ? Math.min(this.threads, MAX_BLOCKS, nj) : 1;
    call.nb = nb;
    j[JOB_NBLOCKS] = nb;
    for (let blk = 0; blk < nb; blk++) Atomics.store(j, blk * COUNTER_STRIDE, Math.floor((blk * nj) / nb));
    if (this.resting) {
      for (let i = 0; i < this.workers.length; i++) Atomics.store(c, i * SLOT + REST, 0);
      this.resting = false;
    }
    for (let i = 0; i < this.workers.length; i++) {
      const b = i * SLOT;
      c[b + FAILED] = 0;
      c[b + TRACE] = tracing ? 1 : 0;
      Atomics.store(c, b + GATE, 2 * seq);
      Atomics.store(c, b + SEQ, seq);
      // a spinning worker sees the call by itself; only a sleeping one needs the (slow) notify
      if (Atomics.load(c, b + W_SLEEP) !== 0) Atomics.notify(c, b + SEQ);
    }
    call.posted = tracing ? now() : 0;
    return call;
  }

  /** Runs the caller's share of a posted call and joins the workers (see parallel). */
  private complete(call: Posted): void {
    const { fn, jobs, seq, nb } = call;
    if (seq === 0) {
      for (const job of jobs) this.call(fn, job);
      return;
    }
    const c = this.ctrl;
    const j = this.job;
    const nj = jobs.length;
    const tracing = this.trace !== null;
    const ownStart = performance.now();
    // this thread's share: claim jobs of block 0, then of the others, until none is left (thread
    // index 0: no per-thread offset)
    let err: unknown = null;
    let own = 0;
    for (let blk = 0; blk < nb && err === null; blk++) {
      const cnt = blk * COUNTER_STRIDE;
      const end = Math.floor(((blk + 1) * nj) / nb);
      for (let k = Atomics.add(j, cnt, 1); k < end; k = Atomics.add(j, cnt, 1)) {
        own++;
        try {
          this.call(fn, jobs[k]!);
        } catch (e) {
          err = e;
          break;
        }
      }
    }
    const ownDone = tracing ? now() : 0;
    // spin for a worker's last job for about as long as two of this thread's jobs took
    const spinMs = JOIN_SPIN_MS + (own > 0 ? (2 * (performance.now() - ownStart)) / own : 0);
    let failed = false;
    for (let i = 0; i < this.workers.length; i++) {
      const b = i * SLOT;
      // close the call to a worker that has not joined it; wait for one that has
      if (Atomics.compareExchange(c, b + GATE, 2 * seq, -1) === 2 * seq) continue;
      if (Atomics.load(c, b + DONE) !== seq) this.join(b, seq, spinMs);
      if (c[b + FAILED] !== 0) failed = true;
    }
    if (tracing) {
      const joined = Atomics.load(c, GATE) === 2 * seq + 1;
      const tt = this.traceTimes;
      this.trace!.push({ fn, jobs: nj, ownJobs: own, start: call.t0, posted: call.posted, ownDone, joined: now(), workerStart: joined ? tt[0]! : 0, workerEnd: joined ? tt[1]! : 0, workerJobs: joined ? tt[2]! : 0 });
    }
    if (err) throw err;
    if (failed) throw new Error(`fast kernels: ${fn} failed on a worker thread`);
  }

  /**
   * Waits until the worker of slot offset `b`, which has joined call `seq`, has finished it: spins
   * (it is running its last job) for up to `spinMs`, then, or when this thread was descheduled while
   * spinning, sleeps until the worker's notify.
   */
  private join(b: number, seq: number, spinMs: number): void {
    const c = this.ctrl;
    let last = performance.now();
    const until = last + spinMs;
    for (let i = 1; Atomics.load(c, b + DONE) !== seq; i++) {
      if ((i & 255) !== 0) continue;
      const t = performance.now();
      if (t - last <= PREEMPTED_MS && t < until) {
        last = t;
        continue;
      }
      Atomics.store(c, b + M_SLEEP, 1);
      for (let d = Atomics.load(c, b + DONE); d !== seq; d = Atomics.load(c, b + DONE)) Atomics.wait(c, b + DONE, d);
      Atomics.store(c, b + M_SLEEP, 0);
      return;
    }
  }
}

/** A call between {@link FastEngine.post} (or the start of parallel) and its completion; seq 0: runs on the caller only. */
interface Posted {
  fn: FnName;
  jobs: number[][];
  seq: number;
  nb: number;
  /** Trace times (0 when not tracing). */
  t0: number;
  posted: number;
}

/** Milliseconds since the epoch with sub-microsecond resolution (comparable across threads). */
function now(): number {
  return performance.timeOrigin + performance.now();
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
