/**
 * The fork/join protocol between the fast engine (engine.ts) and its worker threads: the layout of
 * the shared control blocks and the worker's source (run with `eval: true`).
 *
 * A parallel call is a list of jobs (argument lists of one kernel) that every thread may run: the
 * jobs are cut into one contiguous block per thread, and the calling thread and the workers that
 * join the call claim jobs one at a time (Atomics.add on the block's counter), first from their own
 * block, then from the others' until none is left (self-scheduling with affinity, as OpenMP's
 * `schedule(dynamic)` with per-thread queues and stealing). So a worker that starts late (asleep,
 * or descheduled) only does fewer jobs instead of delaying the call, uneven shares even out, and
 * when nothing is stolen each thread works on the same part of every layer (the same pixel range of
 * a plane), whose activations its own L2 cache holds from the layer before. Each job is run by exactly one thread, whichever; jobs write disjoint
 * outputs, and per-thread scratch is chosen by the running thread (see JOB_PER), so results never
 * depend on the assignment.
 *
 * Job block (shared by all threads), int32 words: per block b < NBLOCKS a counter (next job of the
 * block to claim; block b holds jobs [⌊b·NJOBS/NBLOCKS⌋, ⌊(b+1)·NJOBS/NBLOCKS⌋), one cache line
 * apart), NJOBS, FN (kernel index into the names given at start-up), NARGS, NPER, NBLOCKS and up to
 * MAX_PER pairs (argument index, stride): the running thread t (0 = caller, worker i = i + 1) adds
 * t · stride to that argument (per-thread scratch); then the jobs' arguments, NARGS words per job,
 * from JOB_ARGS. Thread t's own block is t mod NBLOCKS.
 *
 * One slot of {@link SLOT} int32 words per worker:
 * - SEQ: the call number (1 ≤ seq < 2^29), stored by the caller after the job block; −1 stops the worker.
 * - GATE: 2·seq while the call is open; the worker joins a call by compareExchange 2·seq → 2·seq + 1;
 *   the caller, once no job is left, closes it by compareExchange 2·seq → −1, so a worker that woke
 *   too late cannot read the job block while the caller rewrites it for the next call; when the
 *   worker has joined, the caller waits for DONE = seq.
 * - DONE: the last call the worker has finished (Atomics.store by the worker).
 * - FAILED: 1 when a job threw on the worker (it then claims no more jobs of that call).
 * - W_SLEEP / M_SLEEP: 1 while the worker / the caller is (about to be) blocked in Atomics.wait, so
 *   the other side calls Atomics.notify only then. A notify that wakes a sleeping thread costs the
 *   notifier ~10–60 µs on this class of machine (a KVM guest; measured), several times a small
 *   layer's work. Dekker's pattern: each side stores its flag, then loads the other's word (all
 *   sequentially consistent Atomics), and Atomics.wait re-checks the word before blocking, so a
 *   notify is never missed.
 * - PING: bumped by the caller (FastEngine.wake) to restart the worker's spin period; REST: 1 asks
 *   the worker to sleep as soon as it is idle (FastEngine.rest, end of a run), so an idle engine
 *   leaves the cores to other work (e.g. onnxruntime in `bench`).
 * - TRACE: 1 asks the worker to record its join time, end time and job count (trace buffer).
 *
 * Spinning: after each call (or a ping) the worker polls SEQ for up to `spinMs` milliseconds before
 * sleeping on it; the same trade as onnxruntime's spinning thread pool (which `bench` compares
 * against): a core busy between the kernels of one inference, a job start in ~1 µs instead of a
 * futex wake-up. A spinner that finds it was descheduled (the clock jumped by more than
 * {@link PREEMPTED_MS} between two polls) shares its core with another runnable process: spinning
 * would only take time from it (and so from the caller, when both compete) and cost the spinner
 * the scheduler's favour that sleepers get on wake-up; so it sleeps at once, and for the next
 * {@link BACKOFF_MS} spins only {@link BACKOFF_SPIN_MS} after each call (the protocol then works by
 * futex wake-ups, as with spinMs 0). Measured (YOLOX-nano 416, 2 threads, load ~6 from other
 * processes on 2 cores): spinning again after every call until descheduled was 2× slower than the
 * previous engine (which slept after ~2 µs of polling); with the back-off, about on par. On Linux a
 * clock jump counts as descheduling only when the thread's run-queue wait grew with it (see
 * {@link RUNQ_SHARE}): a virtual CPU stopped by the hypervisor is not a reason to back off.
 */
import type { FnName } from './engine.js';

/**
 * Default time a worker spins after its last job before sleeping, ms: longer than nearly every gap
 * between two fork/joins of an inference (YOLOX-nano 416: median 50 µs, p99 ~2 ms of JS between
 * kernels; measured with FastEngine.trace), short enough that an idle engine soon sleeps.
 */
export const DEFAULT_SPIN_MS = 3;
/** Most jobs per thread that FastEngine.jobCount proposes. */
export const JOBS_PER_THREAD = 4;
/**
 * The calling thread, out of jobs, spins for a worker to finish its last job for at most this long
 * (ms) plus twice its own mean job time, then sleeps: a longer wait means the worker is off its
 * core, and spinning would only keep it off longer when foreign processes compete for the cores
 * (at load 6–8 on 2 cores, 2-thread runs with a fixed 1 ms spin here were ~1.4× slower than the
 * previous engine, which slept after ~2 µs; with this bound, ~1.2×).
 */
export const JOIN_SPIN_MS = 0.03;

/**
 * One traced fork/join (FastEngine.trace); times in ms since the epoch
 * (performance.timeOrigin + performance.now(), comparable across threads).
 */
export interface ForkJoinTrace {
  fn: FnName;
  jobs: number;
  /** Jobs run by the calling thread (the rest ran on the workers). */
  ownJobs: number;
  /** Call start; jobs posted (and sleeping workers notified); no job left for the caller; all done. */
  start: number;
  posted: number;
  ownDone: number;
  joined: number;
  /** When worker 0 joined the call and finished it (0, 0: it did not join). */
  workerStart: number;
  workerEnd: number;
  /** Jobs run by worker 0. */
  workerJobs: number;
}

/** int32 words per worker slot. */
export const SLOT = 16;
export const SEQ = 0;
export const GATE = 1;
export const DONE = 2;
export const FAILED = 3;
export const W_SLEEP = 4;
export const M_SLEEP = 5;
export const PING = 6;
export const REST = 7;
export const TRACE = 8;

/** Most job blocks (one per thread, up to this many threads; more threads share blocks). */
export const MAX_BLOCKS = 16;
/** int32 words between two block counters (a cache line each: no false sharing between claimers). */
export const COUNTER_STRIDE = 16;
export const NJOBS = MAX_BLOCKS * COUNTER_STRIDE;
export const JOB_FN = NJOBS + 1;
export const JOB_NARGS = NJOBS + 2;
export const JOB_NPER = NJOBS + 3;
export const JOB_NBLOCKS = NJOBS + 4;
export const JOB_PER = NJOBS + 5;
/** Per-thread argument adjustments per call. */
export const MAX_PER = 4;
export const JOB_ARGS = JOB_PER + 2 * MAX_PER;
/** Most arguments per job. */
export const MAX_ARGS = 24;
/** Most jobs per call. */
export const MAX_JOBS = 256;
/** int32 words of the job block. */
export const JOB_WORDS = JOB_ARGS + MAX_ARGS * MAX_JOBS;

/** float64 words per worker in the trace buffer: [joined the call, finished it, jobs run]. */
export const TRACE_WORDS = 3;

/**
 * A clock jump between two polls of a spin loop beyond this (ms) means the thread was descheduled
 * (a scheduler time slice is ≥ ~1 ms; shorter jumps, e.g. interrupts on a VM, do not count).
 */
export const PREEMPTED_MS = 0.5;
/**
 * On Linux the worker tells the two causes of a clock jump apart by its own run-queue wait
 * (/proc/thread-self/schedstat, read only on a jump): another runnable process of this machine
 * took its core when the wait grew by at least this share of the jump, and it backs off; otherwise
 * the hypervisor stopped the virtual CPU (steal), nobody else here wanted the core, and it keeps
 * spinning. Measured on this 2-vCPU guest when quiet: ~2 jumps per second, 4 of 6 without a
 * run-queue wait (steal); with the back-off switched off entirely, 2-thread YOLOX-nano runs were
 * ~3.5 % faster (bench, three alternated rounds). Without schedstat every jump counts as preemption.
 */
export const RUNQ_SHARE = 0.5;
/** After being descheduled while spinning, the worker spins at most BACKOFF_SPIN_MS per idle period for this long (ms). */
export const BACKOFF_MS = 100;
/** Spin period during a back-off (ms): back-to-back calls only. */
export const BACKOFF_SPIN_MS = 0.02;

/**
 * The worker's program. Message: { modules, memory, ctrl, job, trace, slot, names, spinMs };
 * answers 'ready' once its kernel instances exist, then serves calls until SEQ = −1.
 */
export const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', async ({ modules, memory, ctrl, job, trace, slot, names, spinMs }) => {
  const insts = [];
  for (const m of modules) insts.push(await WebAssembly.instantiate(m, { env: { memory } }));
  const fns = names.map((n) => { for (const i of insts) if (typeof i.exports[n] === 'function') return i.exports[n]; return null; });
  const c = new Int32Array(ctrl);
  const j = new Int32Array(job);
  const tr = new Float64Array(trace);
  const b = slot * ${SLOT};
  const tid = slot + 1;
  const T0 = performance.timeOrigin;
  // this thread's run-queue wait, ns (-1: unknown, e.g. not Linux); see RUNQ_SHARE
  const fs = require('node:fs');
  let statOk = true;
  const runqWait = () => {
    if (!statOk) return -1;
    try { return Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[1]); } catch { statOk = false; return -1; }
  };
  // the wait at the last reading, taken while spinning (fresh: no sleep since, < 50 ms old)
  let waited = runqWait();
  let tWait = performance.now();
  let fresh = waited >= 0;
  parentPort.postMessage('ready');
  let seq = 0;
  let ping = Atomics.load(c, b + ${PING});
  let since = performance.now();
  let calmUntil = 0;
  for (;;) {
    let s;
    let last = since;
    for (let i = 1; (s = Atomics.load(c, b + ${SEQ})) === seq; i++) {
      if ((i & 255) !== 0) continue;
      const t = performance.now();
      let preempted = false;
      if (t - last > ${PREEMPTED_MS}) {
        const w = runqWait();
        preempted = !fresh || w < 0 || w - waited >= ${RUNQ_SHARE} * (t - last) * 1e6;
        [waited, tWait, fresh] = [w, t, w >= 0];
      } else if (statOk && (!fresh || t - tWait > 50)) {
        waited = runqWait();
        [tWait, fresh] = [t, waited >= 0];
      }
      last = t;
      if (preempted) calmUntil = t + ${BACKOFF_MS};
      const p = Atomics.load(c, b + ${PING});
      if (p !== ping && !preempted) { ping = p; since = t; continue; }
      if (!preempted && Atomics.load(c, b + ${REST}) === 0 && t - since < (t < calmUntil ? ${BACKOFF_SPIN_MS} : spinMs)) continue;
      Atomics.store(c, b + ${W_SLEEP}, 1);
      Atomics.wait(c, b + ${SEQ}, seq);
      Atomics.store(c, b + ${W_SLEEP}, 0);
      fresh = false;
      ping = Atomics.load(c, b + ${PING});
      last = since = performance.now();
    }
    seq = s;
    if (seq < 0) break;
    // join the call unless the caller has already closed it (then its job block may be rewritten)
    if (Atomics.compareExchange(c, b + ${GATE}, 2 * seq, 2 * seq + 1) !== 2 * seq) continue;
    const traced = c[b + ${TRACE}] !== 0;
    if (traced) tr[slot * ${TRACE_WORDS}] = T0 + performance.now();
    const f = fns[j[${JOB_FN}]];
    const nargs = j[${JOB_NARGS}];
    const njobs = j[${NJOBS}];
    const nper = j[${JOB_NPER}];
    const nb = j[${JOB_NBLOCKS}];
    const args = new Array(nargs);
    let ran = 0;
    let failed = false;
    // this thread's own block first, then the others' (see claimBlocks in engine.ts)
    for (let i = 0; i < nb && !failed; i++) {
      const blk = (tid + i) % nb;
      const cnt = blk * ${COUNTER_STRIDE};
      const end = Math.floor(((blk + 1) * njobs) / nb);
      for (let k = Atomics.add(j, cnt, 1); k < end; k = Atomics.add(j, cnt, 1)) {
        const at = ${JOB_ARGS} + k * nargs;
        for (let a = 0; a < nargs; a++) args[a] = j[at + a];
        for (let q = 0; q < nper; q++) args[j[${JOB_PER} + 2 * q]] += tid * j[${JOB_PER} + 2 * q + 1];
        ran++;
        try { f(...args); } catch (e) { c[b + ${FAILED}] = 1; failed = true; break; }
      }
    }
    if (traced) { tr[slot * ${TRACE_WORDS} + 1] = T0 + performance.now(); tr[slot * ${TRACE_WORDS} + 2] = ran; }
    Atomics.store(c, b + ${DONE}, seq);
    if (Atomics.load(c, b + ${M_SLEEP}) !== 0) Atomics.notify(c, b + ${DONE});
    since = performance.now();
  }
});
`;
