/**
 * The general kernel with requantization on the registers (conv-pairs-rq.wat, used by
 * convIntRequantFast for one-group uint8 layers with an 8-bit output) against convIntOracle +
 * requantizeOracle (+ table) on randomized layers: kernel sizes 1–7 (1x1 only strided or padded:
 * unstrided 1x1 layers go to conv1x1.wat), strides, dilations, asymmetric pads, odd input channel
 * counts, output channels not a multiple of 8, planes leaving a partial last tile of 1–3 pixels,
 * batches, every zero point, extreme codes and weights, multipliers from 2^-1 to 2^-32 (saturating
 * and vanishing outputs), with and without an output table, in and out of the engine's memory,
 * 1 and 2 threads.
 */
import { describe, expect, it } from 'vitest';
import { expectRequantFast, useEngines } from './test-engines.js';
import { lastConvRows, lastPairsInRegisters, prepareConvInt } from './conv-int.js';
import { convIntOracle, requantizeOracle } from './conv-int-oracle.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { rng, randInt as int } from '../quant/test-random.js';

const engines = useEngines();

describe('conv_pairs_rq (general kernel, requantization on the registers)', () => {
  it('equals the oracle on 100 randomized one-group layers', () => {
    const planes = new Set<number>();
    const pairs = new Set<number>();
    for (let s = 0; s < 100; s++) {
      const r = rng(1300 + s);
      const k = [1, 2, 3, 3, 5, 7][int(r, 0, 5)]!;
      const [kh, kw] = s % 5 === 4 ? [k, [1, 3][int(r, 0, 1)]!] : [k, k];
      // layers with ≤ 16 input channels, column stride 1 and dilation 1 go to conv-rows (conv-rows.test.ts):
      // here every other layer has column stride 2 so that conv_pairs_rq also sees few channels
      const [sh, sw] = k === 1 ? [2, int(r, 1, 2)] : [int(r, 1, 2), s % 2 === 0 ? 2 : int(r, 1, 2)];
      const [dh, dw] = s % 6 === 5 ? [2, int(r, 1, 2)] : [1, 1];
      const pads = [int(r, 0, 3), int(r, 0, 3), int(r, 0, 3), int(r, 0, 3)] as const;
      const c = s % 10 === 0 ? int(r, 20, 40) : int(r, 1, 13);
      const m = s % 10 === 1 ? int(r, 17, 40) : int(r, 1, 20);
      const h = int(r, Math.max(1, (kh - 1) * dh + 1 - pads[0] - pads[2]), s % 10 === 2 ? 60 : 17);
      const w = int(r, Math.max(1, (kw - 1) * dw + 1 - pads[1] - pads[3]), s % 10 === 2 ? 60 : 19);
      const n = s % 7 === 0 ? 2 : 1;
      const zx = [0, 255, 128, int(r, 0, 255)][s % 4]!;
      const extreme = s % 5 === 0;
      const x = Uint8Array.from({ length: n * c * h * w }, () => (extreme ? [0, 255][int(r, 0, 1)]! : int(r, 0, 255)));
      const wt = Int8Array.from({ length: m * c * kh * kw }, () => (extreme ? [-127, 127][int(r, 0, 1)]! : int(r, -127, 127)));
      const bias = s % 3 === 0 ? null : Int32Array.from({ length: m }, () => int(r, -200000, 200000));
      const p: ConvIntParams = { x, xShape: [n, c, h, w], zx, w: wt, wShape: [m, c, kh, kw], bias, group: 1, strides: [sh, sw], dilations: [dh, dw], pads };
      const multipliers: number[] = [];
      const shifts: number[] = [];
      for (let o = 0; o < m; o++) {
        // realistic multipliers, or (every third layer) any from 2^-1 to 2^-32
        const qm = quantizeMultiplier(s % 3 === 1 ? 2 ** -(1.01 + 30.9 * r()) : (0.05 + 3 * r()) / (Math.sqrt(c * kh * kw) * 127 * 40));
        multipliers.push(qm.m);
        shifts.push(qm.shift);
      }
      const q: RequantParams = { multipliers, shifts, zpOut: int(r, 0, 255), qmin: s % 8 === 3 ? int(r, 0, 60) : 0, qmax: s % 8 === 3 ? int(r, 200, 255) : 255, bits: 8 };
      const prep = prepareConvInt(wt, p.wShape, bias, 1);
      const acc = convIntOracle(p);
      const plane = acc.length / (n * m);
      planes.add(plane % 4);
      const want = requantizeOracle(acc, plane, q);
      const table = Uint8Array.from({ length: 256 }, () => int(r, 0, 255));
      const label = `seed ${s} [${n},${c},${h},${w}] -> ${m} k ${kh}x${kw} s ${sh},${sw} d ${dh},${dw} p ${pads.join(',')}`;
      for (const e of engines) {
        expectRequantFast(e, p, q, prep, want, table, label, () => {
          expect(lastPairsInRegisters || lastConvRows, label).toBe(true);
          if (lastPairsInRegisters) pairs.add(s);
        });
      }
    }
    expect(pairs.size).toBeGreaterThanOrEqual(60);
    // every partial-tile size occurred
    expect([...planes].sort()).toEqual([0, 1, 2, 3]);
  });
});
