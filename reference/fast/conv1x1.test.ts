/**
 * The 1x1 kernel (conv1x1.ts) against convIntOracle + requantizeOracle (+ table) on randomized layers:
 * odd and even channel counts (1–70), output channels not a multiple of 4, planes not a multiple of
 * 8 (down to one pixel), batches, every zero point, extreme codes and weights, with and without an
 * output table, in and out of the engine's memory (a run), 1 and 2 threads; the YOLOX-nano
 * few-channel shapes (C 16–64) on 3 threads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastEngine } from './engine.js';
import { inRun, NEAR_TIE, nearTieRequant, useEngines } from './test-engines.js';
import { convIntRequantFast, lastFallback, lastLutApplied, prepareConvInt } from './conv-int.js';
import { conv1x1Eligible, lastConv1x1Split } from './conv1x1.js';
import { convIntOracle, requantizeOracle } from './conv-int-oracle.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { rng, randInt as int, firstDiff } from '../quant/test-random.js';
import { lastF64Modes, lastStaticResident } from './requant.js';
import { takePlan } from './node-plan.js';

const engines = useEngines();

describe('conv1x1RequantFast', () => {
  it('equals the oracle on 120 randomized 1x1 layers', () => {
    let taken = 0;
    // the last 3: small planes with enough work to be split by output channels on 2 threads
    const wide: [number, number, number, number][] = [[157, 77, 13, 13], [170, 80, 12, 13], [200, 70, 11, 16]];
    for (let s = 0; s < 120 + wide.length; s++) {
      const r = rng(500 + s);
      const wd = wide[s - 120];
      const c = wd ? wd[0] : int(r, 1, 70);
      const m = wd ? wd[1] : int(r, 1, 40);
      const big = s % 10 === 0;
      const [h, w] = wd ? [wd[2], wd[3]] : big ? [int(r, 30, 60), int(r, 30, 60)] : [int(r, 1, 13), int(r, 1, 13)];
      const n = s % 7 === 0 ? 2 : 1;
      const zx = [0, 255, 128, int(r, 0, 255)][s % 4]!;
      const extreme = s % 5 === 0;
      const x = Uint8Array.from({ length: n * c * h * w }, () => (extreme ? [0, 255][int(r, 0, 1)]! : int(r, 0, 255)));
      const wt = Int8Array.from({ length: m * c }, () => (extreme ? [-127, 127][int(r, 0, 1)]! : int(r, -127, 127)));
      const bias = s % 3 === 0 ? null : Int32Array.from({ length: m }, () => int(r, -200000, 200000));
      const p: ConvIntParams = { x, xShape: [n, c, h, w], zx, w: wt, wShape: [m, c, 1, 1], bias, group: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] };
      const multipliers: number[] = [];
      const shifts: number[] = [];
      for (let o = 0; o < m; o++) {
        // realistic multipliers, or (every third layer) any from 2^-2 to 2^-32 (shifts 1..31: saturating and vanishing outputs)
        const qm = quantizeMultiplier(s % 3 === 1 ? 2 ** -(1.01 + 30.9 * r()) : (0.05 + 3 * r()) / (Math.sqrt(c) * 127 * 40));
        multipliers.push(qm.m);
        shifts.push(qm.shift);
      }
      // every 11th layer a narrow clamp (the float64 form folds the zero point in before clamping, the integer form after)
      const [qmin, qmax] = s % 11 === 5 ? [int(r, 10, 90), int(r, 150, 240)] : [0, 255];
      const q: RequantParams = { multipliers, shifts, zpOut: int(r, 0, 255), qmin, qmax, bits: 8 };
      const prep = prepareConvInt(wt, p.wShape, bias, 1);
      expect(conv1x1Eligible(p, q, prep), `shifts ${shifts.join(',')}`).toBe(true);
      const acc = convIntOracle(p);
      const want = requantizeOracle(acc, h * w, q);
      const table = Uint8Array.from({ length: 256 }, () => int(r, 0, 255));
      const wantT = Uint8Array.from(want, (v) => table[v]!);
      for (const e of engines) {
        const got = convIntRequantFast(e, p, q, prep);
        if (lastFallback === null) taken++;
        if (wd && e.threads === 2) expect(lastConv1x1Split, `seed ${s}`).toBe('channels');
        expect(firstDiff(got, want), `seed ${s} [${n},${c},${h},${w}] -> ${m}, ${e.threads} thread(s)`).toBe(-1);
        const gotT = convIntRequantFast(e, p, q, prep, table);
        expect(lastLutApplied).toBe(true);
        expect(firstDiff(gotT, wantT), `seed ${s} with table`).toBe(-1);
        inRun(e, x, (xin) => {
          const kept = convIntRequantFast(e, { ...p, x: xin }, q, prep, table);
          expect(e.addressOf(kept)).not.toBeNull();
          expect(firstDiff(kept, wantT), `seed ${s} in the engine's memory`).toBe(-1);
        });
        // the next run: the layer's static data is resident (placed at the end of the last run)
        inRun(e, x, (xin) => {
          const again = convIntRequantFast(e, { ...p, x: xin }, q, prep, table);
          expect(lastStaticResident).toBe(true);
          expect(firstDiff(again, wantT), `seed ${s} (resident static data)`).toBe(-1);
        });
        expect(firstDiff(convIntRequantFast(e, p, q, prep), want), `seed ${s} (resident, outside a run)`).toBe(-1);
      }
    }
    expect(taken).toBeGreaterThan(200);
  });

  it('publishes a replayable plan (node-plan.ts) only when int32 exactness follows from the uint8 dtype, not from scanned codes', () => {
    // 1x1, 600 channels of weight ±30000: 128 · Σ|w| > 2^31 − 1, but the codes within zx ± 10 fit;
    // depthwise 3x3 (w = ±100): a bias of 2147400000 does the same. Each layer runs fast (the scan proves it) but must not be replayed
    // on other codes. Control: the same layers with small weights / bias publish.
    const zx = 128;
    const q = (m: number): RequantParams => ({ multipliers: new Array<number>(m).fill(quantizeMultiplier(2 ** -24).m), shifts: new Array<number>(m).fill(quantizeMultiplier(2 ** -24).shift), zpOut: 128, qmin: 0, qmax: 255, bits: 8 });
    const r = rng(31);
    const near = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => zx + int(r, -10, 10));
    for (const big of [true, false]) {
      const c = 600;
      const w1 = Int16Array.from({ length: 8 * c }, () => (big ? 30000 : 3) * (int(r, 0, 1) ? 1 : -1));
      const p1: ConvIntParams = { x: near(c * 36), xShape: [1, c, 6, 6], zx, w: w1, wShape: [8, c, 1, 1], bias: null, group: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] };
      const c2 = 16;
      const w2 = Int16Array.from({ length: c2 * 9 }, () => (int(r, 0, 1) ? 100 : -100));
      const b2 = Int32Array.from({ length: c2 }, () => (big ? 2147400000 : 1000));
      const p2: ConvIntParams = { x: near(c2 * 49), xShape: [1, c2, 7, 7], zx, w: w2, wShape: [c2, 1, 3, 3], bias: b2, group: c2, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1] };
      for (const [p, m] of [[p1, 8], [p2, c2]] as const) {
        const prep = prepareConvInt(p.w, p.wShape, p.bias, p.group);
        for (const e of engines) {
          takePlan();
          const got = convIntRequantFast(e, p, q(m), prep);
          expect(lastFallback, `group ${p.group}`).toBeNull();
          expect(firstDiff(got, requantizeOracle(convIntOracle(p), p.xShape[2] * p.xShape[3], q(m))), `group ${p.group}`).toBe(-1);
          expect(takePlan() !== null, `group ${p.group}, ${big ? 'scanned' : 'dtype'} bound, ${e.threads} thread(s)`).toBe(!big);
        }
      }
    }
  });

  it('multipliers in [1/4, 1/2) (shift 1, run as 2m with r = 33) round exactly like the oracle, ties included', () => {
    for (let s = 0; s < 12; s++) {
      const r = rng(700 + s);
      const [c, m, h, w] = [int(r, 1, 9), int(r, 1, 11), int(r, 1, 9), int(r, 1, 11)];
      const zx = int(r, 0, 255);
      // small sums so the outputs stay inside the clamp range and half-way cases occur
      const x = Uint8Array.from({ length: c * h * w }, () => Math.min(255, Math.max(0, zx + int(r, -6, 6))));
      const wt = Int8Array.from({ length: m * c }, () => int(r, -3, 3));
      const bias = Int32Array.from({ length: m }, () => int(r, -40, 40));
      const p: ConvIntParams = { x, xShape: [1, c, h, w], zx, w: wt, wShape: [m, c, 1, 1], bias, group: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] };
      // 0.25, 0.375, 0.5 − 2^-31 and random values in between: ties at |acc| = 2, 4/3, ... and near 1/2
      const reals = [0.25, 0.375, 0.5 - 2 ** -31];
      const qms = Array.from({ length: m }, (_, o) => quantizeMultiplier(reals[o] ?? 0.25 + 0.25 * r() * 0.999));
      const q: RequantParams = { multipliers: qms.map((v) => v.m), shifts: qms.map((v) => v.shift), zpOut: 128, qmin: 0, qmax: 255, bits: 8 };
      expect(q.shifts.every((v) => v === 1)).toBe(true);
      const prep = prepareConvInt(wt, p.wShape, bias, 1);
      expect(conv1x1Eligible(p, q, prep)).toBe(true);
      const want = requantizeOracle(convIntOracle(p), h * w, q);
      for (const e of engines) expect(firstDiff(convIntRequantFast(e, p, q, prep), want), `seed ${s}, ${e.threads} thread(s)`).toBe(-1);
    }
  });
  it('requantizes in float64 only where that is exact: a product beyond 2^53 one unit above a tie keeps the integer form', () => {
    const { acc, m: mul, rounded } = NEAR_TIE;
    expect(BigInt(acc) * BigInt(mul)).toBe(193n * 2n ** 47n + 1n);
    // channels 0 / 1: the accumulator is the bias (zero weights), +acc and −acc; channels 2 / 3 ordinary
    const r = rng(77);
    const [c, h, w] = [2, 5, 7];
    const x = Uint8Array.from({ length: c * h * w }, () => int(r, 0, 255));
    const wt = Int8Array.from([0, 0, 0, 0, 100, -70, -127, 3]);
    const { bias, q } = nearTieRequant();
    const p: ConvIntParams = { x, xShape: [1, c, h, w], zx: 9, w: wt, wShape: [4, c, 1, 1], bias, group: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] };
    const prep = prepareConvInt(wt, p.wShape, bias, 1);
    expect(conv1x1Eligible(p, q, prep)).toBe(true);
    const want = requantizeOracle(convIntOracle(p), h * w, q);
    expect([want[0], want[h * w]]).toEqual([128 + rounded, 128 - rounded]);
    for (const e of engines) {
      const got = convIntRequantFast(e, p, q, prep);
      expect(lastFallback).toBeNull();
      if (e === engines[0]) expect(lastF64Modes).toEqual({ f64: 2, integer: 2 });
      expect(firstDiff(got, want), `${e.threads} thread(s)`).toBe(-1);
    }
  });

  describe('on 3 threads', () => {
    let e3: FastEngine;
    beforeAll(async () => {
      e3 = await FastEngine.create({ threads: 3, fromSource: true });
    });
    afterAll(async () => {
      await e3.close();
    });

    it('equals the oracle on the few-channel YOLOX-nano shapes (C 16–64, planes split by pixels), table on and off', () => {
      // [c, m, h, w]: the shape groups that dominate YOLOX-nano, planes cut down (and not multiples of 8)
      const shapes: [number, number, number, number][] = [[16, 32, 21, 27], [16, 16, 19, 23], [32, 32, 26, 27], [32, 16, 17, 29], [32, 64, 13, 25], [64, 64, 26, 26], [64, 32, 15, 21], [33, 31, 9, 43]];
      shapes.forEach(([c, m, h, w], s) => {
        const r = rng(900 + s);
        const zx = [0, 255, 128, int(r, 0, 255)][s % 4]!;
        const extreme = s % 2 === 0;
        const x = Uint8Array.from({ length: c * h * w }, () => (extreme ? [0, 255][int(r, 0, 1)]! : int(r, 0, 255)));
        const wt = Int8Array.from({ length: m * c }, () => (extreme ? [-127, 127][int(r, 0, 1)]! : int(r, -127, 127)));
        const bias = Int32Array.from({ length: m }, () => int(r, -100000, 100000));
        const p: ConvIntParams = { x, xShape: [1, c, h, w], zx, w: wt, wShape: [m, c, 1, 1], bias, group: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] };
        // shifts over the whole register range: 1 (multiplier in [1/4, 1/2)) up to 31
        const qms = Array.from({ length: m }, (_, o) => quantizeMultiplier(o % 2 === 0 ? 2 ** -(1.01 + 30.9 * r()) : (0.05 + 3 * r()) / (Math.sqrt(c) * 127 * 40)));
        const q: RequantParams = { multipliers: qms.map((v) => v.m), shifts: qms.map((v) => v.shift), zpOut: int(r, 0, 255), qmin: 0, qmax: 255, bits: 8 };
        const prep = prepareConvInt(wt, p.wShape, bias, 1);
        expect(conv1x1Eligible(p, q, prep)).toBe(true);
        const want = requantizeOracle(convIntOracle(p), h * w, q);
        const table = Uint8Array.from({ length: 256 }, () => int(r, 0, 255));
        const got = convIntRequantFast(e3, p, q, prep);
        expect(lastFallback, `shape ${s}`).toBeNull();
        expect(firstDiff(got, want), `shape ${s} [${c},${h},${w}] -> ${m}, 3 threads`).toBe(-1);
        const gotT = convIntRequantFast(e3, p, q, prep, table);
        expect(firstDiff(gotT, Uint8Array.from(want, (v) => table[v]!)), `shape ${s} with table, 3 threads`).toBe(-1);
      });
    });
  });
});
