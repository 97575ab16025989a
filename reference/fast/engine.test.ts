/**
 * The fork/join engine (engine.ts, engine-worker.ts): jobs posted to a spinning, a sleeping, a
 * resting and a re-woken worker all run exactly once and are joined before `parallel` returns;
 * a job that traps on the worker or on the calling thread is reported and leaves the engine usable;
 * the trace records consistent times. (Results' independence of the thread count is asserted by
 * the kernel tests and conv-int-models.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastEngine } from './engine.js';
import { MAX_ARGS, MAX_JOBS } from './engine-worker.js';
import { rng, randInt } from '../quant/test-random.js';

let spinning: FastEngine;
let sleeper: FastEngine;
beforeAll(async () => {
  spinning = await FastEngine.create({ threads: 2, fromSource: true });
  // spinMs 0: the worker sleeps after every job, so every job goes through the futex wake-up path
  sleeper = await FastEngine.create({ threads: 2, fromSource: true, spinMs: 0 });
});
afterAll(async () => {
  await spinning.close();
  await sleeper.close();
});

/** Busy-waits `ms` (lets a worker's spin period run out without yielding to the event loop). */
function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/**
 * Runs `rounds` table lookups split in two jobs over a fresh random buffer, with the given pause
 * before each call; returns the number of wrong output bytes (the expected value is computed in JS).
 */
function lookups(e: FastEngine, rounds: number, pause: (round: number) => void, seed: number): number {
  const r = rng(seed);
  let wrong = 0;
  for (let k = 0; k < rounds; k++) {
    const n = randInt(r, 2, 5000);
    e.reset();
    const tA = e.alloc(256);
    const xA = e.alloc(n);
    const yA = e.alloc(n);
    const table = Uint8Array.from({ length: 256 }, () => randInt(r, 0, 255));
    const x = Uint8Array.from({ length: n }, () => randInt(r, 0, 255));
    new Uint8Array(e.buffer, tA, 256).set(table);
    new Uint8Array(e.buffer, xA, n).set(x);
    new Uint8Array(e.buffer, yA, n).fill(0);
    const mid = randInt(r, 1, n - 1);
    pause(k);
    e.parallel('lut_u8', [[xA, yA, tA, 0, mid], [xA, yA, tA, mid, n]]);
    const y = new Uint8Array(e.buffer, yA, n);
    for (let i = 0; i < n; i++) if (y[i] !== table[x[i]!]) wrong++;
  }
  return wrong;
}

describe('FastEngine.parallel', () => {
  it('starts its worker (2 threads)', () => {
    expect([spinning.threads, sleeper.threads]).toEqual([2, 2]);
  });

  it('runs and joins both shares back to back, after pauses beyond the spin period, and around rest/wake', () => {
    // back to back (worker spinning), 5 ms pauses (worker asleep: notify path), rest() then calls
    // (worker sleeps at once), wake() then calls
    expect(lookups(spinning, 60, () => {}, 1)).toBe(0);
    expect(lookups(spinning, 6, () => busy(5), 2)).toBe(0);
    spinning.rest();
    expect(lookups(spinning, 20, (k) => (k % 2 ? busy(0.5) : undefined), 3)).toBe(0);
    spinning.wake();
    expect(lookups(spinning, 20, (k) => (k % 3 === 0 ? spinning.wake() : busy(0.05)), 4)).toBe(0);
    spinning.beginRun();
    expect(lookups(spinning, 20, () => {}, 5)).toBe(0);
    spinning.endRun();
  });

  it('works when the worker sleeps after every job (spinMs 0) and when the caller sleeps in the join', () => {
    expect(lookups(sleeper, 40, (k) => (k % 4 === 0 ? busy(0.3) : undefined), 6)).toBe(0);
    // a worker share much longer than the caller's: the caller's join spin budget runs out and it sleeps
    const r = rng(7);
    for (const e of [spinning, sleeper]) {
      const n = 4 << 20;
      e.reset();
      const tA = e.alloc(256);
      const xA = e.alloc(n);
      const table = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
      const x = Uint8Array.from({ length: n }, () => randInt(r, 0, 255));
      new Uint8Array(e.buffer, tA, 256).set(table);
      new Uint8Array(e.buffer, xA, n).set(x);
      for (let rep = 0; rep < 4; rep++) e.parallel('lut_u8', [[xA, xA, tA, 0, 16], [xA, xA, tA, 16, n]]);
      const y = new Uint8Array(e.buffer, xA, n);
      let wrong = 0;
      for (let i = 0; i < n; i++) if (y[i] !== x[i]) wrong++; // the table applied 4 times is the identity
      expect(wrong).toBe(0);
    }
  });

  it('post / finish: the workers run posted jobs while the caller works, finish completes them exactly once', async () => {
    const one = await FastEngine.create({ threads: 1, fromSource: true });
    try {
      const r = rng(9);
      for (const e of [spinning, sleeper, one]) {
        for (let round = 0; round < 20; round++) {
          const n = randInt(r, 64, 200000);
          e.reset();
          const tA = e.alloc(256);
          const xA = e.alloc(n);
          const table = Uint8Array.from({ length: 256 }, (_, i) => (i + 1) & 255);
          const x = Uint8Array.from({ length: n }, () => randInt(r, 0, 255));
          new Uint8Array(e.buffer, tA, 256).set(table);
          new Uint8Array(e.buffer, xA, n).set(x);
          // in place +1 per job: a job run twice (or not at all) leaves a wrong byte
          const jobs: number[][] = [];
          const parts = randInt(r, 1, 12);
          for (let j = 0; j < parts; j++) jobs.push([xA, xA, tA, Math.floor((j * n) / parts), Math.floor(((j + 1) * n) / parts)]);
          e.post('lut_u8', jobs);
          if (round % 3 === 0) busy(0.2); // the caller busy: the worker claims jobs meanwhile
          expect(() => e.post('lut_u8', jobs)).toThrow(/not finished/);
          expect(() => e.parallel('lut_u8', jobs)).toThrow(/not finished/);
          e.finish();
          e.finish(); // nothing pending: a no-op
          const y = new Uint8Array(e.buffer, xA, n);
          let wrong = 0;
          for (let i = 0; i < n; i++) if (y[i] !== ((x[i]! + 1) & 255)) wrong++;
          expect(wrong, `${e.threads} thread(s), round ${round}`).toBe(0);
        }
      }
    } finally {
      await one.close();
    }
  });

  it('reports a job that traps on the worker, and on the calling thread, and stays usable', () => {
    for (const e of [spinning, sleeper]) {
      e.reset();
      const ok = e.alloc(1 << 20);
      const end = e.buffer.byteLength;
      const trace: NonNullable<FastEngine['trace']> = [];
      e.trace = trace;
      // 64 jobs zeroing 1 MiB; the per-thread offset moves the address past the end of the memory
      // on the worker (memory.fill traps) and keeps it in range on the calling thread, or the
      // reverse. Which thread runs which job depends on timing: each call is checked against what
      // its trace says happened, until each case has been seen twice (a loaded machine can keep the
      // worker off its core for a while).
      const onWorker = new Array(64).fill([ok, 1 << 20]);
      const onCaller = new Array(64).fill([end - 8, 1 << 20]);
      let workerFailures = 0;
      let callerFailures = 0;
      for (let rep = 0; rep < 400 && (workerFailures < 2 || callerFailures < 2); rep++) {
        let thrown: unknown = null;
        try {
          e.parallel('zero', onWorker, [[0, end]]);
        } catch (x) {
          thrown = x;
        }
        const t = trace[trace.length - 1]!;
        if (t.ownJobs < t.jobs) {
          expect(String(thrown)).toMatch(/zero failed on a worker thread/);
          workerFailures++;
        } else expect(thrown).toBeNull();
        thrown = null;
        try {
          e.parallel('zero', onCaller, [[0, ok - (end - 8)]]);
        } catch (x) {
          thrown = x;
        }
        const u = trace[trace.length - 1]!;
        if (u.ownJobs > 0) {
          expect(thrown).toBeInstanceOf(WebAssembly.RuntimeError);
          callerFailures++;
        } else expect(thrown).toBeNull(); // the worker took every job (the caller was descheduled)
        expect(lookups(e, 2, () => {}, 8 + rep)).toBe(0);
      }
      e.trace = null;
      expect(Math.min(workerFailures, callerFailures)).toBeGreaterThanOrEqual(2);
    }
  });

  it('keeps working on the calling thread when a worker thread is gone', async () => {
    const e = await FastEngine.create({ threads: 2, fromSource: true });
    try {
      expect(lookups(e, 5, () => {}, 12)).toBe(0);
      // a dead worker never joins a call: the caller closes it and runs every job itself
      await (e as unknown as { workers: { terminate(): Promise<number> }[] }).workers[0]!.terminate();
      const trace: NonNullable<FastEngine['trace']> = [];
      e.trace = trace;
      expect(lookups(e, 20, (k) => (k % 5 === 0 ? busy(4) : undefined), 13)).toBe(0);
      expect(trace.every((t) => t.ownJobs === t.jobs && t.workerStart === 0)).toBe(true);
    } finally {
      e.trace = null;
      await e.close();
    }
  });

  it('refuses too many jobs, too many arguments and jobs of unequal length', () => {
    expect(() => spinning.parallel('zero', new Array(MAX_JOBS + 1).fill([64, 0]))).toThrow(RangeError);
    expect(() => spinning.parallel('zero', [new Array(MAX_ARGS + 1).fill(0), new Array(MAX_ARGS + 1).fill(0)])).toThrow(/too many arguments/);
    expect(() => spinning.parallel('zero', [[64, 0], [64, 0, 0]])).toThrow(/same number of arguments/);
    expect(lookups(spinning, 3, () => {}, 9)).toBe(0);
  });

  it('allocPerThread gives each thread its own 128-byte-aligned block, inside the allocation (no cache line shared between threads)', () => {
    for (const bytes of [1, 16, 100, 128, 129, 8 * 32, 1000]) {
      spinning.reset();
      spinning.alloc(bytes % 48); // an unaligned start
      const { at, stride } = spinning.allocPerThread(bytes);
      expect(at % 128, `${bytes} bytes`).toBe(0);
      expect(stride % 128).toBe(0);
      expect(stride).toBeGreaterThanOrEqual(bytes);
      expect(stride).toBeLessThan(bytes + 128);
      // the next allocation starts after the last thread's block
      expect(spinning.alloc(1)).toBeGreaterThanOrEqual(at + spinning.threads * stride);
    }
  });

  it('traces each fork/join with ordered times and job counts when asked', () => {
    const trace: NonNullable<FastEngine['trace']> = [];
    spinning.trace = trace;
    lookups(spinning, 5, () => {}, 10);
    spinning.reset();
    const xA = spinning.alloc(1 << 20);
    // until the worker has run some of the jobs (at once, unless the machine is very busy)
    let calls = 0;
    do spinning.parallel('zero', new Array(32).fill([xA, 1 << 20]));
    while (++calls < 200 && trace[trace.length - 1]!.ownJobs === 32);
    spinning.trace = null;
    lookups(spinning, 2, () => {}, 11);
    expect(trace.map((t) => [t.fn, t.jobs])).toEqual([...new Array(5).fill(['lut_u8', 2]), ...new Array(calls).fill(['zero', 32])]);
    for (const t of trace) {
      expect(t.start <= t.posted && t.posted <= t.ownDone && t.ownDone <= t.joined).toBe(true);
      expect(t.ownJobs + t.workerJobs).toBe(t.jobs);
      if (t.workerStart > 0) expect(t.workerEnd).toBeGreaterThanOrEqual(t.workerStart);
      else expect([t.workerEnd, t.workerJobs]).toEqual([0, 0]);
    }
    expect(trace[trace.length - 1]!.workerJobs).toBeGreaterThan(0);
  });
});
