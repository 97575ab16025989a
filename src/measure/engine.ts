/**
 * Runs measure jobs on a small pool of worker threads (default 2: md5 and metrics are CPU-bound
 * and both cores are needed to stay at md5sum speed), largest jobs first. Falls back to running
 * in-process when threads = 1 or the compiled worker is not available (tests from source).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { packageRoot } from '../version.js';
import { runJob } from './run-job.js';
import type { MeasureJob, MeasureResult } from './types.js';
import { DTYPES } from '../tensor/dtype.js';
import { PairKernel } from '../metrics/pair-kernel.js';

let inProcessKernel: Promise<PairKernel | null> | null = null;

export interface EngineOptions {
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

function workerFile(): string | null {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return path.join(path.dirname(here), 'worker.js');
  const built = path.join(packageRoot(), 'dist', 'src', 'measure', 'worker.js');
  return existsSync(built) ? built : null;
}

function weight(j: MeasureJob): number {
  if (j.mode === 'md5-only') return 1;
  return j.count * (DTYPES[j.a.dtype].bytes + DTYPES[j.b.dtype].bytes) * (j.fitSide ? 2 : 1);
}

export async function measureAll(jobs: MeasureJob[], o: EngineOptions = {}): Promise<Map<number, MeasureResult>> {
  const results = new Map<number, MeasureResult>();
  const threads = Math.max(1, Math.min(o.threads ?? 2, jobs.length));
  const wf = threads > 1 ? workerFile() : null;
  if (!wf) {
    const kernel = await (inProcessKernel ??= PairKernel.load().catch(() => null));
    jobs.forEach((j, i) => {
      results.set(j.id, runJob(j, kernel));
      o.onProgress?.(i + 1, jobs.length);
    });
    return results;
  }
  const queue = [...jobs].sort((x, y) => weight(y) - weight(x));
  let done = 0;
  await Promise.all(
    Array.from({ length: threads }, () =>
      new Promise<void>((resolve, reject) => {
        const w = new Worker(wf);
        const next = () => {
          const j = queue.shift();
          if (!j) {
            void w.terminate().then(() => resolve());
            return;
          }
          w.postMessage(j);
        };
        w.on('message', (r: MeasureResult) => {
          results.set(r.id, r);
          o.onProgress?.(++done, jobs.length);
          next();
        });
        w.on('error', reject);
        next();
      }),
    ),
  );
  return results;
}
