/**
 * Worker threads for the measure stage, started as early as possible: `MeasurePool.start()` at the
 * top of a command lets each worker boot (isolate, modules, WebAssembly kernel) on the otherwise
 * idle second core while the main thread is still loading modules and scanning dump folders; run()
 * then shares the jobs, largest first (each worker claims the next one itself). Idle workers are unref'd, so a command that fails before
 * measuring still exits; run() and close() terminate them.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { packageRoot } from '../version.js';
import { DTYPES } from '../tensor/dtype.js';
import type { MeasureJob, MeasureResult } from './types.js';

/** What run() posts to each worker: all jobs, and the shared index of the next unclaimed one. */
export interface WorkerBatch {
  jobs: MeasureJob[];
  /** next[0]: index of the next job to claim (Atomics.add). */
  next: Int32Array;
}

/** What a worker posts back: one result per job it claimed, then 'done'. */
export type WorkerReply = { kind: 'result'; result: MeasureResult } | { kind: 'done' };

/** The compiled worker script, or null when running from source without a build. */
export function workerFile(): string | null {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'worker.js');
  const built = path.join(packageRoot(), 'dist', 'src', 'measure', 'worker.js');
  return existsSync(built) ? built : null;
}

/** Bytes a job reads (md5-only jobs: unknown sizes, weighed as tiny). */
export function jobWeight(j: MeasureJob): number {
  if (j.mode === 'md5-only') return 1;
  return j.count * (DTYPES[j.a.dtype].bytes + DTYPES[j.b.dtype].bytes) * (j.fitSide ? 2 : 1);
}

export class MeasurePool {
  private readonly workers: Worker[];
  private used = false;

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  /** Number of worker threads. */
  get threads(): number {
    return this.workers.length;
  }

  /**
   * Starts `threads` workers now; null when threads <= 1 or the compiled worker is missing
   * (tests from source without a build): the caller then measures in-process.
   */
  static start(threads: number): MeasurePool | null {
    const wf = threads > 1 ? workerFile() : null;
    if (!wf) return null;
    const workers = Array.from({ length: threads }, () => {
      const w = new Worker(wf);
      w.unref();
      return w;
    });
    return new MeasurePool(workers);
  }

  /**
   * Measures every job and terminates the workers. Only once per pool. Every worker receives the
   * whole list (largest first) and claims the next job itself through a shared atomic counter, so
   * no worker waits for the main thread between jobs (on a loaded machine that round trip cost
   * milliseconds per job). Rejects when a worker thread fails.
   */
  async run(jobs: MeasureJob[], onProgress?: (done: number, total: number) => void): Promise<Map<number, MeasureResult>> {
    if (this.used) throw new Error('MeasurePool.run: a pool runs once');
    this.used = true;
    const results = new Map<number, MeasureResult>();
    const batch: WorkerBatch = { jobs: [...jobs].sort((x, y) => jobWeight(y) - jobWeight(x)), next: new Int32Array(new SharedArrayBuffer(4)) };
    let done = 0;
    try {
      await Promise.all(
        this.workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              w.ref();
              w.on('message', (m: WorkerReply) => {
                if (m.kind === 'done') {
                  w.off('error', reject);
                  resolve();
                  return;
                }
                results.set(m.result.id, m.result);
                onProgress?.(++done, jobs.length);
              });
              w.on('error', reject);
              w.on('exit', (code) => reject(new Error(`measure worker exited (code ${code})`)));
              w.postMessage(batch);
            }),
        ),
      );
    } finally {
      this.close();
    }
    return results;
  }

  /** Terminates the workers (in the background; idempotent). */
  close(): void {
    this.used = true;
    for (const w of this.workers) {
      w.removeAllListeners('exit');
      w.unref();
      void w.terminate();
    }
  }
}

let early: MeasurePool | null = null;

/**
 * Starts a pool before the CLI's own modules load (main.ts does this for `compare`), so the
 * workers boot while yargs and the command load; the command then takes it with takeEarlyPool().
 */
export function startEarlyPool(threads: number): void {
  early?.close();
  early = MeasurePool.start(threads);
}

/** The pool startEarlyPool() started, when it has `threads` workers (else it is closed); null if none. */
export function takeEarlyPool(threads: number): MeasurePool | null {
  const p = early;
  early = null;
  if (p && p.threads === threads) return p;
  p?.close();
  return null;
}
