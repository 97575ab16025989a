/**
 * The fused depthwise 3x3 kernel (dw.wat conv_dw_rq: per-channel packing, convolution and
 * requantization on the registers) against convIntOracle + requantizeOracle (+ table) on randomized
 * layers: strides 1 and 2, dilations 1 and 2, asymmetric pads, odd channel counts, planes whose rows
 * are not multiples of 8 (down to one pixel), batches, every zero point, extreme codes and weights,
 * multipliers from 2^-1 to 2^-32 (saturating and vanishing outputs), with and without an output
 * table, in and out of the engine's memory, 1 and 2 threads.
 */
import { describe, expect, it } from 'vitest';
import { inRun, useEngines } from './test-engines.js';
import { convIntRequantFast, lastDwInRegisters, lastFallback, prepareConvInt } from './conv-int.js';
import { convIntOracle, requantizeOracle } from './conv-int-oracle.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { rng, randInt as int, firstDiff } from '../quant/test-random.js';
import { lastStaticResident } from './requant.js';

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
