/**
 * Runs measure jobs on a small pool of worker threads (default 2: md5 and metrics are CPU-bound
 * and both cores are needed to stay at md5sum speed), largest jobs first. Falls back to running
 * in-process when threads = 1 or the compiled worker is not available (tests from source).
 */
import { MeasurePool } from './pool.js';
import { fillSharedHashes, shareHashes } from './share-hashes.js';
import type { MeasureJob, MeasureResult } from './types.js';
import type { PairKernel } from '../metrics/pair-kernel.js';

export interface EngineOptions {
  threads?: number;
  onProgress?: (done: number, total: number) => void;
  /** Workers started earlier (MeasurePool.start); used once and terminated. */
  pool?: MeasurePool | null;
}

let inProcessKernel: Promise<PairKernel | null> | null = null;

/**
 * Measures every job; the result map is keyed by job id. Each distinct file is hashed once even
 * when it is on several edges (share-hashes.ts).
 */
export async function measureAll(allJobs: MeasureJob[], o: EngineOptions = {}): Promise<Map<number, MeasureResult>> {
  const plan = shareHashes(allJobs);
  const jobs = plan.jobs;
  let pool = o.pool ?? null;
  if (jobs.length < 2) pool?.close();
  else pool ??= MeasurePool.start(Math.max(1, Math.min(o.threads ?? 2, jobs.length)));
  let results: Map<number, MeasureResult>;
  if (pool && jobs.length >= 2) results = await pool.run(jobs, o.onProgress);
  else {
    results = new Map();
    // loaded only here: with workers, the main thread never needs the kernel nor the metrics code
    const [{ runJob }, { PairKernel }] = await Promise.all([import('./run-job.js'), import('../metrics/pair-kernel.js')]);
    const kernel = await (inProcessKernel ??= PairKernel.load().catch(() => null));
    jobs.forEach((j, i) => {
      results.set(j.id, runJob(j, kernel));
      o.onProgress?.(i + 1, jobs.length);
    });
  }
  fillSharedHashes(plan, results);
  return results;
}
