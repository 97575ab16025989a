/**
 * Test helper: a 1-thread and a 2-thread fast engine (kernels compiled from the .wat sources),
 * created before the file's tests and closed after them. The returned array is filled in beforeAll.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { FastEngine } from './engine.js';
import { convIntRequantFast, lastFallback, lastLutApplied, type PreparedConvInt } from './conv-int.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
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
