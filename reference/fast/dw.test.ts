/**
 * The fused depthwise 3x3 kernel (dw.wat conv_dw_rq: per-channel packing, convolution and
 * requantization on the registers) against convIntOracle + requantizeOracle (+ table) on randomized
 * layers: strides 1 and 2, dilations 1 and 2, asymmetric pads, odd channel counts, planes whose rows
 * are not multiples of 8 (down to one pixel), batches, every zero point, extreme codes and weights,
 * multipliers from 2^-1 to 2^-32 (saturating and vanishing outputs), with and without an output
 * table, in and out of the engine's memory, 1 and 2 threads (shapes that dw-3x3.wat conv_dw_rq2 does
 * not cover — dilation 2, unequal strides — run dw.wat conv_dw_rq).
 *
 * conv_dw_rq2 (3x3, dilation 1, strides 1 and 2): randomized layers with planes from 1 pixel to 110,
 * pads up to 4, edge multipliers that reach each of its four requantization modes (negative exact
 * ties, shift 1 and 31, m = 0, |acc|·m ≥ 2^53), narrow clamps, tables, 1/2/3 threads, and a check
 * that no byte after the output is written; the mode selection itself on chosen values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inRun, useEngines } from './test-engines.js';
import { convIntRequantFast, lastDwInRegisters, lastFallback, prepareConvInt } from './conv-int.js';
import { convIntOracle, requantizeOracle } from './conv-int-oracle.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { rng, randInt as int, firstDiff } from '../quant/test-random.js';
import { lastStaticResident } from './requant.js';
import { FastEngine } from './engine.js';
import { dw3x3Records } from './dw-3x3.js';
import { lastDwRq2 } from './dw-rq.js';

const engines = useEngines();

describe('conv_dw_rq (depthwise 3x3, requantization on the registers)', () => {
  it('equals the oracle on 100 randomized depthwise 3x3 layers', () => {
    let taken = 0;
    for (let s = 0; s < 100; s++) {
      const r = rng(900 + s);
      const c = int(r, 1, 37);
      const [sh, sw] = [int(r, 1, 2), int(r, 1, 2)];
      const [dh, dw] = s % 4 === 3 ? [2, int(r, 1, 2)] : [1, 1];
      const pads = [int(r, 0, 2), int(r, 0, 2), int(r, 0, 2), int(r, 0, 2)];
      const h = int(r, Math.max(1, 2 * dh + 1 - pads[0]! - pads[2]!), s % 10 === 0 ? 70 : 21);
      const w = int(r, Math.max(1, 2 * dw + 1 - pads[1]! - pads[3]!), s % 10 === 0 ? 70 : 21);
      const n = s % 7 === 0 ? 2 : 1;
      const zx = [0, 255, 128, int(r, 0, 255)][s % 4]!;
      const extreme = s % 5 === 0;
      const x = Uint8Array.from({ length: n * c * h * w }, () => (extreme ? [0, 255][int(r, 0, 1)]! : int(r, 0, 255)));
      const wt = Int8Array.from({ length: c * 9 }, () => (extreme ? [-127, 127][int(r, 0, 1)]! : int(r, -127, 127)));
      const bias = s % 3 === 0 ? null : Int32Array.from({ length: c }, () => int(r, -200000, 200000));
      const p: ConvIntParams = { x, xShape: [n, c, h, w], zx, w: wt, wShape: [c, 1, 3, 3], bias, group: c, strides: [sh, sw], dilations: [dh, dw], pads };
      const multipliers: number[] = [];
      const shifts: number[] = [];
      for (let o = 0; o < c; o++) {
        const qm = quantizeMultiplier(s % 3 === 1 ? 2 ** -(1.01 + 30.9 * r()) : (0.05 + 3 * r()) / (3 * 127 * 40));
        multipliers.push(qm.m);
        shifts.push(qm.shift);
      }
      const q: RequantParams = { multipliers, shifts, zpOut: int(r, 0, 255), qmin: 0, qmax: 255, bits: 8 };
      const prep = prepareConvInt(wt, p.wShape, bias, c);
      const acc = convIntOracle(p);
      const plane = acc.length / (n * c);
      const want = requantizeOracle(acc, plane, q);
      const table = Uint8Array.from({ length: 256 }, () => int(r, 0, 255));
      const wantT = Uint8Array.from(want, (v) => table[v]!);
      const label = `seed ${s} [${n},${c},${h},${w}] s ${sh},${sw} d ${dh},${dw} p ${pads.join(',')}`;
      for (const e of engines) {
        const got = convIntRequantFast(e, p, q, prep);
        expect(lastFallback).toBeNull();
        if (lastDwInRegisters) taken++;
        expect(firstDiff(got, want), `${label}, ${e.threads} thread(s)`).toBe(-1);
        expect(firstDiff(convIntRequantFast(e, p, q, prep, table), wantT), `${label} with table`).toBe(-1);
        inRun(e, x, (xin) => {
          const kept = convIntRequantFast(e, { ...p, x: xin }, q, prep, table);
          expect(lastDwInRegisters).toBe(true);
          expect(e.addressOf(kept)).not.toBeNull();
          expect(firstDiff(kept, wantT), `${label} in the engine's memory`).toBe(-1);
        });
        // the next run: the layer's static data is resident (placed at the end of the last run)
        inRun(e, x, (xin) => {
          const again = convIntRequantFast(e, { ...p, x: xin }, q, prep, table);
          expect(lastStaticResident).toBe(true);
          expect(firstDiff(again, wantT), `${label} (resident static data)`).toBe(-1);
        });
        expect(firstDiff(convIntRequantFast(e, p, q, prep), want), `${label} (resident, outside a run)`).toBe(-1);
      }
    }
    expect(taken).toBe(200);
  });
});

/** A multiplier (m, shift) chosen to reach each requantization mode of dw-3x3.wat and the bounds of rqInRegisters. */
function edgeMultiplier(r: () => number, s: number): { m: number; shift: number } {
  switch (s % 6) {
    case 0: // many trailing zero bits: negative exact ties exist (mode 1)
      return { m: 2 ** int(r, 20, 30), shift: int(r, 1, 6) };
    case 1: // multiplier in [1/4, 1/2): shift 1 (r = 32)
      return { m: int(r, 2 ** 30, 2 ** 31 - 1), shift: 1 };
    case 2: // the smallest: shift 31, outputs vanish
      return { m: int(r, 0, 2 ** 31 - 1), shift: 31 };
    case 3: // m = 0 or the largest m
      return { m: r() < 0.5 ? 0 : 2 ** 31 - 1, shift: int(r, 1, 31) };
    default: {
      const qm = quantizeMultiplier(2 ** -(1.01 + 30.9 * r()));
      return { m: qm.m, shift: qm.shift };
    }
  }
}

describe('conv_dw_rq2 (depthwise 3x3 s1/s2, dw-3x3.wat)', () => {
  let three: FastEngine;
  beforeAll(async () => {
    three = await FastEngine.create({ threads: 3, fromSource: true });
  });
  afterAll(async () => {
    await three.close();
  });

  it('equals the oracle on 120 randomized layers (odd sizes, pads up to 4, zero points, edge multipliers, clamps, tables, 1/2/3 threads)', () => {
    const modes = [0, 0, 0, 0];
    for (let s = 0; s < 120; s++) {
      const r = rng(5000 + s);
      const c = s % 9 === 0 ? int(r, 40, 70) : int(r, 1, 19);
      const st = int(r, 1, 2);
      const pads = s % 5 === 0 ? [1, 1, 1, 1] : s % 13 === 6 ? [int(r, 0, 4), int(r, 0, 4), int(r, 0, 4), int(r, 0, 4)] : [int(r, 0, 2), int(r, 0, 2), int(r, 0, 2), int(r, 0, 2)];
      const big = s % 23 === 0;
      const h = int(r, Math.max(1, 3 - pads[0]! - pads[2]!), big ? 110 : s % 4 === 0 ? 3 : 40);
      const w = int(r, Math.max(1, 3 - pads[1]! - pads[3]!), big ? 110 : s % 4 === 1 ? 4 : 40);
      const n = s % 11 === 0 ? 2 : 1;
      const zx = [0, 128, 255, int(r, 0, 255)][s % 4]!;
      const extreme = s % 7 === 0;
      const x = Uint8Array.from({ length: n * c * h * w }, () => (extreme ? [0, 255][int(r, 0, 1)]! : int(r, 0, 255)));
      const small = s % 3 === 2; // small weights: many accumulators at exact ties with the edge multipliers
      const wt = Int8Array.from({ length: c * 9 }, () => (extreme ? [-127, 127][int(r, 0, 1)]! : small ? int(r, -2, 2) : int(r, -127, 127)));
      // huge biases make |acc|·m exceed 2^53 (no float64 requantization)
      const bias = s % 4 === 3 ? null : Int32Array.from({ length: c }, () => (s % 8 === 1 ? int(r, -(2 ** 29), 2 ** 29) : int(r, -200000, 200000)));
      const p: ConvIntParams = { x, xShape: [n, c, h, w], zx, w: wt, wShape: [c, 1, 3, 3], bias, group: c, strides: [st, st], dilations: [1, 1], pads };
      const multipliers: number[] = [];
      const shifts: number[] = [];
      for (let o = 0; o < c; o++) {
        const qm = edgeMultiplier(r, s + o);
        multipliers.push(qm.m);
        shifts.push(qm.shift);
      }
      const [qmin, qmax] = s % 3 === 0 ? [int(r, 0, 60), int(r, 180, 255)] : [0, 255];
      const q: RequantParams = { multipliers, shifts, zpOut: [0, 128, 255, int(r, 0, 255)][(s >> 2) % 4]!, qmin, qmax, bits: 8 };
      const prep = prepareConvInt(wt, p.wShape, bias, c);
      const rec = dw3x3Records(prep, zx, q);
      for (let o = 0; o < c; o++) modes[rec[o * 16 + 10]!]!++;
      const acc = convIntOracle(p);
      const want = requantizeOracle(acc, acc.length / (n * c), q);
      const table = Uint8Array.from({ length: 256 }, () => int(r, 0, 255));
      const wantT = Uint8Array.from(want, (v) => table[v]!);
      const label = `seed ${s} [${n},${c},${h},${w}] s ${st} p ${pads.join(',')} zx ${zx} clamp ${qmin}..${qmax}`;
      for (const e of [...engines, three]) {
        const got = convIntRequantFast(e, p, q, prep);
        expect(lastFallback).toBeNull();
        expect(lastDwRq2, label).toBe(true);
        expect(firstDiff(got, want), `${label}, ${e.threads} thread(s)`).toBe(-1);
        expect(firstDiff(convIntRequantFast(e, p, q, prep, table), wantT), `${label} with table, ${e.threads} thread(s)`).toBe(-1);
        inRun(e, x, (xin) => {
          // guard bytes after the input: the output's alignment padding must stay untouched
          const from = (e.addressOf(xin) ?? 0) + xin.length;
          const mem = new Uint8Array(e.buffer);
          mem.fill(0xa5, from, Math.min(mem.length, from + want.length + 4096));
          const kept = convIntRequantFast(e, { ...p, x: xin }, q, prep, s % 2 === 0 ? table : undefined);
          expect(firstDiff(kept, s % 2 === 0 ? wantT : want), `${label} in the engine's memory, ${e.threads} thread(s)`).toBe(-1);
          const end = e.addressOf(kept)! + kept.length;
          const after = new Uint8Array(e.buffer, end, Math.ceil(end / 16) * 16 - end);
          expect(after.every((v) => v === 0xa5), `${label}: bytes written after the output`).toBe(true);
        });
      }
    }
    // every requantization mode of the kernel was exercised
    expect(modes.every((k) => k > 20), `modes ${modes.join(',')}`).toBe(true);
  });

  it('chooses the float64 form only where |acc|·m < 2^53 and no exact ties exist, the signed form only for r ≥ 33', () => {
    const prep = prepareConvInt(Int8Array.from([1, -2, 3, 4, 5, -6, 7, 8, 9]), [1, 1, 3, 3], Int32Array.of(1000), 1);
    const mode = (m: number, shift: number, qmin = 0, qmax = 255, zx = 0): number => dw3x3Records(prep, zx, { multipliers: [m], shifts: [shift], zpOut: 3, qmin, qmax, bits: 8 })[10]!;
    expect(mode(1518500250, 10)).toBe(3); // typical: float64, zero point folded, clamp [0, 255]
    expect(mode(1518500250, 10, 1, 255)).toBe(2); // other clamp: float64, zero point and clamp on int16
    expect(mode(1518500249, 1)).toBe(3); // shift 1, m odd: no ties
    expect(mode(2 ** 30, 5)).toBe(1); // tz(m) = 30 > shift − 1: negative ties possible
    expect(mode(2 ** 30, 31)).toBe(3); // tz(m) = 30 ≤ 30
    expect(mode(0, 7)).toBe(3);
    // |acc| ≤ 1000 + 255·45: m up to 2^53 / 12475 keeps float64 exact
    expect(mode(2 ** 31 - 1, 4, 0, 255, 255)).toBe(3);
    const wide = prepareConvInt(Int8Array.from([127, 127, 127, 127, 127, 127, 127, 127, 127]), [1, 1, 3, 3], Int32Array.of(2 ** 30), 1);
    const wmode = (m: number, shift: number): number => dw3x3Records(wide, 0, { multipliers: [m], shifts: [shift], zpOut: 0, qmin: 0, qmax: 255, bits: 8 })[10]!;
    expect(wmode(2 ** 31 - 1, 9)).toBe(0); // |acc|·m ≥ 2^53: signed int32 form
    expect(wmode(2 ** 31 - 1, 1)).toBe(1); // r = 32: abs form
    // bias with the zero point folded in: bias − zx·Σw, wrapped to int32
    expect(dw3x3Records(prep, 200, { multipliers: [1], shifts: [9], zpOut: 0, qmin: 0, qmax: 255, bits: 8 })[6]).toBe(1000 - 200 * 29);
  });
});
