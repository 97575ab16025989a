/**
 * Runs measure jobs on a small pool of worker threads (default 2: md5 and metrics are CPU-bound
 * and both cores are needed to stay at md5sum speed), largest jobs first. Falls back to running
 * in-process when threads = 1 or the compiled worker is not available (tests from source).
 */
import { runJob } from './run-job.js';
import { MeasurePool } from './pool.js';
import type { MeasureJob, MeasureResult } from './types.js';
import { PairKernel } from '../metrics/pair-kernel.js';

export interface EngineOptions {
  threads?: number;
  onProgress?: (done: number, total: number) => void;
  /** Workers started earlier (MeasurePool.start); used once and terminated. */
  pool?: MeasurePool | null;
}

let inProcessKernel: Promise<PairKernel | null> | null = null;

export async function measureAll(jobs: MeasureJob[], o: EngineOptions = {}): Promise<Map<number, MeasureResult>> {
  let pool = o.pool ?? null;
  if (jobs.length < 2) pool?.close();
  else pool ??= MeasurePool.start(Math.max(1, Math.min(o.threads ?? 2, jobs.length)));
  if (pool && jobs.length >= 2) return pool.run(jobs, o.onProgress);
  const results = new Map<number, MeasureResult>();
  const kernel = await (inProcessKernel ??= PairKernel.load().catch(() => null));
  jobs.forEach((j, i) => {
    results.set(j.id, runJob(j, kernel));
    o.onProgress?.(i + 1, jobs.length);
  });
  return results;
}
