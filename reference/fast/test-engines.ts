/**
 * Test helper: a 1-thread and a 2-thread fast engine (kernels compiled from the .wat sources),
 * created before the file's tests and closed after them. The returned array is filled in beforeAll.
 */
import { afterAll, beforeAll } from 'vitest';
import { FastEngine } from './engine.js';

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
