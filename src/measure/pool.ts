/**
 * Worker threads for the measure stage, started as early as possible: `MeasurePool.start()` at the
 * top of a command lets each worker boot (isolate, modules, WebAssembly kernel) on the otherwise
 * idle second core while the main thread is still loading modules and scanning dump folders; run()
 * then hands out the jobs, largest first. Idle workers are unref'd, so a command that fails before
 * measuring still exits; run() and close() terminate them.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { packageRoot } from '../version.js';
import { DTYPES } from '../tensor/dtype.js';
import type { MeasureJob, MeasureResult } from './types.js';

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
   * Measures every job (largest first, each worker taking the next job when it finishes one) and
   * terminates the workers. Only once per pool. Rejects when a worker thread fails.
   */
  async run(jobs: MeasureJob[], onProgress?: (done: number, total: number) => void): Promise<Map<number, MeasureResult>> {
    if (this.used) throw new Error('MeasurePool.run: a pool runs once');
    this.used = true;
    const results = new Map<number, MeasureResult>();
    const queue = [...jobs].sort((x, y) => jobWeight(y) - jobWeight(x));
    let done = 0;
    try {
      await Promise.all(
        this.workers.map(
          (w) =>
            new Promise<void>((resolve, reject) => {
              const next = () => {
                const j = queue.shift();
                if (!j) {
                  w.off('error', reject);
                  resolve();
                  return;
                }
                w.postMessage(j);
              };
              w.ref();
              w.on('message', (r: MeasureResult) => {
                results.set(r.id, r);
                onProgress?.(++done, jobs.length);
                next();
              });
              w.on('error', reject);
              w.on('exit', (code) => reject(new Error(`measure worker exited (code ${code})`)));
              next();
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
