/**
 * The work splits of the fast kernels (conv1x1.ts, conv-int.ts, requant.ts, eltwise.ts) over the
 * self-scheduling engine: layers large enough to be cut into many jobs give the oracle's result
 * byte for byte on 1, 2 and 3 threads, with spinning workers and with workers that sleep after every
 * call (another assignment of jobs to threads), each layer repeated until its jobs were shared by
 * the caller and a worker in 3 calls (or 300 runs): every output element is computed by exactly one job, and
 * per-thread scratch follows the thread that runs a job (with shared scratch the 1x1 test fails). (The kernels' arithmetic is
 * covered by conv1x1/dw/conv-int/eltwise tests on randomized shapes.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastEngine } from './engine.js';
import { convIntRequantFast, lastDwInRegisters, lastFallback, prepareConvInt, requantizeFast } from './conv-int.js';
import { lastConv1x1Split } from './conv1x1.js';
import { convIntOracle, requantizeOracle } from './conv-int-oracle.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { lutFast } from './eltwise.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { rng, randInt as int, firstDiff } from '../quant/test-random.js';

let engines: FastEngine[] = [];
beforeAll(async () => {
  engines = [
    await FastEngine.create({ threads: 1, fromSource: true }),
    await FastEngine.create({ threads: 2, fromSource: true }),
    await FastEngine.create({ threads: 2, fromSource: true, spinMs: 0 }),
    await FastEngine.create({ threads: 3, fromSource: true }),
  ];
});
afterAll(async () => {
  for (const e of engines) await e.close();
});

function layer(seed: number, c: number, m: number, h: number, w: number, k: number, stride: number, group: number): { p: ConvIntParams; q: RequantParams } {
  const r = rng(seed);
  const pad = k === 1 ? 0 : 1;
  const x = Uint8Array.from({ length: c * h * w }, () => int(r, 0, 255));
  const wt = Int8Array.from({ length: m * (c / group) * k * k }, () => int(r, -127, 127));
  const bias = Int32Array.from({ length: m }, () => int(r, -50000, 50000));
  const p: ConvIntParams = { x, xShape: [1, c, h, w], zx: int(r, 0, 255), w: wt, wShape: [m, c / group, k, k], bias, group, strides: [stride, stride], dilations: [1, 1], pads: [pad, pad, pad, pad] };
  const multipliers: number[] = [];
  const shifts: number[] = [];
  for (let o = 0; o < m; o++) {
    const qm = quantizeMultiplier((0.05 + 3 * r()) / (Math.sqrt((c / group) * k * k) * 127 * 40));
    multipliers.push(qm.m);
    shifts.push(qm.shift);
  }
  return { p, q: { multipliers, shifts, zpOut: int(r, 0, 255), qmin: 0, qmax: 255, bits: 8 } };
}

/**
 * Runs `run` (which checks its result) until a call of it had jobs on the caller and on a worker
 * at least 3 times, at most 300 runs (on a busy machine one thread often takes every job: the
 * other is off its core); returns how many calls shared their jobs.
 */
function untilShared(e: FastEngine, run: () => void): number {
  if (e.threads === 1) {
    run();
    return 0;
  }
  const trace: NonNullable<FastEngine['trace']> = [];
  e.trace = trace;
  let shared = 0;
  try {
    for (let rep = 0; rep < 300 && shared < 3; rep++) {
      const k0 = trace.length;
      run();
      if (trace.slice(k0).some((t) => t.ownJobs > 0 && t.ownJobs < t.jobs)) shared++;
    }
  } finally {
    e.trace = null;
  }
  return shared;
}

const label = (e: FastEngine): string => `${e.threads} thread(s)${engines.indexOf(e) === 2 ? ', sleeping worker' : ''}`;

describe('job splits give the same bytes for any thread count and assignment', () => {
  it('1x1 layers split by pixels (partial last tile) and by output channels', () => {
    for (const [seed, c, m, h, w, split] of [[1, 48, 40, 60, 61, 'pixels'], [2, 200, 77, 13, 13, 'channels'], [3, 33, 130, 29, 31, 'pixels']] as const) {
      const { p, q } = layer(seed, c, m, h, w, 1, 1, 1);
      const prep = prepareConvInt(p.w, p.wShape, p.bias, 1);
      const want = requantizeOracle(convIntOracle(p), h * w, q);
      for (const e of engines) {
        const shared = untilShared(e, () => {
          expect(firstDiff(convIntRequantFast(e, p, q, prep), want), `[${c},${h},${w}] -> ${m}, ${label(e)}`).toBe(-1);
          expect(lastConv1x1Split).toBe(e.threads === 1 ? 'none' : split);
        });
        if (e.threads > 1 && shared === 0) console.warn(`split.test: no call shared its jobs on ${label(e)} (busy machine)`);
      }
    }
  });

  it('depthwise 3x3 (fused, strides 1 and 2), a 3x3 layer with zeroed padding, and a grouped layer', () => {
    for (const [seed, c, m, h, w, k, stride, group] of [[4, 64, 64, 40, 41, 3, 1, 64], [5, 48, 48, 57, 50, 3, 2, 48], [6, 12, 16, 100, 98, 3, 2, 1], [7, 32, 32, 30, 30, 3, 1, 4]] as const) {
      const { p, q } = layer(seed, c, m, h, w, k, stride, group);
      const prep = prepareConvInt(p.w, p.wShape, p.bias, group);
      const acc = convIntOracle(p);
      const want = requantizeOracle(acc, acc.length / m, q);
      for (const e of engines) {
        const shared = untilShared(e, () => {
          expect(firstDiff(convIntRequantFast(e, p, q, prep), want), `seed ${seed}, ${label(e)}`).toBe(-1);
          expect(lastFallback).toBeNull();
          if (group === c) expect(lastDwInRegisters).toBe(true);
        });
        if (e.threads > 1 && shared === 0) console.warn(`split.test: no call shared its jobs on ${label(e)} (busy machine)`);
      }
    }
  });

  it('requantization and table lookups in many jobs', () => {
    const r = rng(8);
    const ch = 24;
    const plane = 9000;
    const acc = Int32Array.from({ length: ch * plane }, () => int(r, -3000000, 3000000));
    const q: RequantParams = { multipliers: [], shifts: [], zpOut: 7, qmin: 0, qmax: 255, bits: 8 };
    for (let o = 0; o < ch; o++) {
      const qm = quantizeMultiplier((1 + r()) / 40000);
      q.multipliers.push(qm.m);
      q.shifts.push(qm.shift);
    }
    const want = requantizeOracle(acc, plane, q);
    const codes = Uint8Array.from({ length: 300001 }, () => int(r, 0, 255));
    const table = Uint8Array.from({ length: 256 }, () => int(r, 0, 255));
    const wantT = Uint8Array.from(codes, (v) => table[v]!);
    for (const e of engines) {
      untilShared(e, () => {
        expect(firstDiff(requantizeFast(e, acc, plane, q), want), label(e)).toBe(-1);
        expect(firstDiff(lutFast(e, codes, table), wantT), label(e)).toBe(-1);
      });
    }
  });
});
