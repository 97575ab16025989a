/**
 * Test helper: a 1-thread and a 2-thread fast engine (kernels compiled from the .wat sources),
 * created before the file's tests and closed after them. The returned array is filled in beforeAll.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { FastEngine } from './engine.js';
import { convIntRequantFast, lastFallback, lastLutApplied, type PreparedConvInt } from './conv-int.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { firstDiff } from '../quant/test-random.js';

/** Registers the engines' set-up and tear-down; use the array inside tests only. */
export function useEngines(): FastEngine[] {
  const engines: FastEngine[] = [];
  beforeAll(async () => {
    engines.push(await FastEngine.create({ threads: 1, fromSource: true }), await FastEngine.create({ threads: 2, fromSource: true }));
  });
  afterAll(async () => {
    for (const e of engines.splice(0)) await e.close();
  });
  return engines;
}

/**
 * Runs `f` inside an engine run (beginRun … endRun) with a copy of `x` placed in the engine's
 * memory as a kept tensor, as a preceding layer's output would be; returns what `f` returns
 * (views on the engine's memory are only valid inside `f`).
 */
export function inRun<T>(e: FastEngine, x: Uint8Array, f: (xin: Uint8Array) => T): T {
  e.beginRun();
  try {
    e.reset();
    const xin = new Uint8Array(e.buffer, e.allocKeep(x.length), x.length);
    xin.set(x);
    return f(xin);
  } finally {
    e.endRun();
  }
}

/**
 * convIntRequantFast of layer `p` on `e` equals `want` (the oracle's codes) on the fast path, then
 * with the output table `table` (want through the table), also on input kept in the engine's memory.
 * `taken` checks which kernel ran, right after the first call.
 */
export function expectRequantFast(e: FastEngine, p: ConvIntParams, q: RequantParams, prep: PreparedConvInt, want: Uint8Array | Uint16Array, table: Uint8Array, label: string, taken: () => void): void {
  const wantT = Uint8Array.from(want, (v) => table[v]!);
  const got = convIntRequantFast(e, p, q, prep);
  expect(lastFallback, label).toBeNull();
  taken();
  expect(firstDiff(got, want), `${label}, ${e.threads} thread(s)`).toBe(-1);
  const gotT = convIntRequantFast(e, p, q, prep, table);
  expect(lastLutApplied).toBe(true);
  expect(firstDiff(gotT, wantT), `${label} with table, ${e.threads} thread(s)`).toBe(-1);
  inRun(e, p.x as Uint8Array, (xin) => {
    const kept = convIntRequantFast(e, { ...p, x: xin }, q, prep, table);
    expect(e.addressOf(kept)).not.toBeNull();
    expect(firstDiff(kept, wantT), `${label} in the engine's memory, ${e.threads} thread(s)`).toBe(-1);
  });
}

/**
 * acc · m = 193 · 2^47 + 1 = 27162335252578305 (found offline by factoring (2k + 1) · 2^47 + 1 for
 * even k): acc · m / 2^48 = 96.5 + 2^-48 rounds to 97, but the float64 product (≥ 2^54, ulp 4)
 * drops the +1 and 96.5 rounds to 96 (ties to even). m is odd, so only the 2^53 bound of
 * requant.ts f64RequantExact tells the two apart.
 */
export const NEAR_TIE = { acc: 19337123, m: 1404673035, shift: 17, rounded: 97 };

/**
 * A 4-channel requantization (zero point 128, clamp [0, 255]) and bias where channels 0 and 1 are
 * {@link NEAR_TIE} with accumulators +acc and −acc when their weights are all zero, channels 2 and 3
 * ordinary (multiplier 0.003, small bias).
 */
export function nearTieRequant(): { bias: Int32Array; q: RequantParams } {
  const ord = quantizeMultiplier(0.003);
  const { acc, m, shift } = NEAR_TIE;
  return {
    bias: Int32Array.from([acc, -acc, 5000, -300]),
    q: { multipliers: [m, m, ord.m, ord.m], shifts: [shift, shift, ord.shift, ord.shift], zpOut: 128, qmin: 0, qmax: 255, bits: 8 },
  };
}
