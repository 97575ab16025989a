/** Worker thread body: measures jobs sent by the engine, one at a time. */
import { parentPort } from 'node:worker_threads';
import { runJob } from './run-job.js';
import type { MeasureJob } from './types.js';

parentPort?.on('message', (job: MeasureJob) => {
  parentPort!.postMessage(runJob(job));
});
