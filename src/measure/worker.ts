/**
 * Worker thread body: loads this thread's WebAssembly pair kernel (null: the JS path, e.g. when
 * neither the built .wasm nor wabt is available), then measures jobs sent by the engine, one at a
 * time. Messages posted before the kernel is loaded wait in the port's queue.
 */
import { parentPort } from 'node:worker_threads';
import { runJob } from './run-job.js';
import { PairKernel } from '../metrics/pair-kernel.js';
import type { MeasureJob } from './types.js';

const kernel = await PairKernel.load().catch(() => null);

parentPort?.on('message', (job: MeasureJob) => {
  parentPort!.postMessage(runJob(job, kernel));
});
