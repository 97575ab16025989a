/**
 * Worker thread body: loads this thread's WebAssembly pair kernel (null: the JS path, e.g. when
 * neither the built .wasm nor wabt is available), then, for each batch the pool posts, claims jobs
 * through the shared counter until none is left, posting each result as it is done. Messages
 * posted before the kernel is loaded wait in the port's queue.
 */
import { parentPort } from 'node:worker_threads';
import { runJob } from './run-job.js';
import { PairKernel } from '../metrics/pair-kernel.js';
import type { WorkerBatch, WorkerReply } from './pool.js';

const kernel = await PairKernel.load().catch(() => null);

parentPort?.on('message', (batch: WorkerBatch) => {
  for (;;) {
    const i = Atomics.add(batch.next, 0, 1);
    if (i >= batch.jobs.length) break;
    parentPort!.postMessage({ kind: 'result', result: runJob(batch.jobs[i]!, kernel) } satisfies WorkerReply);
  }
  parentPort!.postMessage({ kind: 'done' } satisfies WorkerReply);
});
