/**
 * conv-rows (conv-rows.wat conv_rows_band: $pack_rows + $conv_rows per band of rows, used by convIntRequantFast for
 * one-group uint8 layers with ≤ 16 input channels, stride 1 along rows, dilation 1) against
 * convIntOracle + requantizeOracle (+ table) on randomized layers: kernel sizes 1–7, row strides
 * 1–3, asymmetric pads, odd and small channel counts, output channels not a multiple of 4, rows
 * leaving partial tiles of 1–7 pixels, batches, every zero point, extreme codes and weights,
 * multipliers from 2^-1 to 2^-32 (saturating and vanishing outputs), clamps, with and without a
 * table, in and out of the engine's memory, 1, 2 and 3 threads; and inputs gathered from strided
 * boxes of another tensor (Focus: column step 2, focus.ts) equal to the oracle on the gathered tensor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRequantFast, inRun, NEAR_TIE, nearTieRequant, useEngines } from './test-engines.js';
import { lastF64Modes } from './requant.js';
import { FastEngine } from './engine.js';
import { convIntRequantFast, lastConvRows, prepareConvInt } from './conv-int.js';
import { gatheredInputs, type ChannelSource } from './conv-rows.js';
import { convIntOracle, requantizeOracle } from './conv-int-oracle.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { rng, randInt as int, firstDiff } from '../quant/test-random.js';

const engines = useEngines();
let e3: FastEngine;
beforeAll(async () => {
  e3 = await FastEngine.create({ threads: 3, fromSource: true });
});
afterAll(async () => {
  await e3.close();
});

/** A random requantization of m channels for a reduction of `red` terms (every third: any multiplier < 1/2). */
function randomRq(r: () => number, s: number, m: number, red: number): RequantParams {
  const multipliers: number[] = [];
  const shifts: number[] = [];
  for (let o = 0; o < m; o++) {
    const qm = quantizeMultiplier(s % 3 === 1 ? 2 ** -(1.01 + 30.9 * r()) : (0.05 + 3 * r()) / (Math.sqrt(red) * 127 * 40));
    multipliers.push(qm.m);
    shifts.push(qm.shift);
  }
  return { multipliers, shifts, zpOut: int(r, 0, 255), qmin: s % 8 === 3 ? int(r, 0, 60) : 0, qmax: s % 8 === 3 ? int(r, 200, 255) : 255, bits: 8 };
}

describe('conv_rows_rq (few input channels, pixels in lanes)', () => {
  it('equals the oracle on 90 randomized layers (1, 2, 3 threads)', () => {
    const tails = new Set<number>();
    for (let s = 0; s < 90; s++) {
      const r = rng(7100 + s);
      const kh = [1, 2, 3, 3, 5, 7][int(r, 0, 5)]!;
      const kw = s % 4 === 3 ? int(r, 1, 7) : kh;
      const sh = [1, 1, 2, 3][int(r, 0, 3)]!;
      // 1x1 unpadded, unstrided layers go to conv1x1.wat
      const pads = kh * kw === 1 && sh === 1 ? ([1, 0, 0, 1] as const) : ([int(r, 0, 3), int(r, 0, 3), int(r, 0, 3), int(r, 0, 3)] as const);
      const c = s % 5 === 0 ? 16 : int(r, 1, 15);
      // (one input and one output channel is a depthwise layer: conv_dw)
      const m = s % 6 === 1 ? int(r, 17, 40) : int(r, c === 1 ? 2 : 1, 16);
      const h = int(r, Math.max(1, kh - pads[0] - pads[2]), 24);
      const w = int(r, Math.max(1, kw - pads[1] - pads[3]), s % 10 === 2 ? 70 : 29);
      const n = s % 7 === 0 ? 2 : 1;
      const zx = [0, 255, 128, int(r, 0, 255)][s % 4]!;
      const extreme = s % 5 === 0;
      const x = Uint8Array.from({ length: n * c * h * w }, () => (extreme ? [0, 255][int(r, 0, 1)]! : int(r, 0, 255)));
      const wt = Int8Array.from({ length: m * c * kh * kw }, () => (extreme ? [-127, 127][int(r, 0, 1)]! : int(r, -127, 127)));
      const bias = s % 3 === 0 ? null : Int32Array.from({ length: m }, () => int(r, -200000, 200000));
      const p: ConvIntParams = { x, xShape: [n, c, h, w], zx, w: wt, wShape: [m, c, kh, kw], bias, group: 1, strides: [sh, 1], dilations: [1, 1], pads };
      const q = randomRq(r, s, m, c * kh * kw);
      const prep = prepareConvInt(wt, p.wShape, bias, 1);
      const acc = convIntOracle(p);
      const plane = acc.length / (n * m);
      tails.add((w + pads[1] + pads[3] - kw + 1) % 8);
      const want = requantizeOracle(acc, plane, q);
      const table = Uint8Array.from({ length: 256 }, () => int(r, 0, 255));
      const label = `seed ${s} [${n},${c},${h},${w}] -> ${m} k ${kh}x${kw} s ${sh},1 p ${pads.join(',')} zx ${zx}`;
      for (const e of [...engines, e3]) expectRequantFast(e, p, q, prep, want, table, label, () => expect(lastConvRows, label).toBe(true));
    }
    // every partial-tile size occurred
    expect([...tails].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('leaves layers with more channels, column strides or dilations to the other kernels', () => {
    const r = rng(77);
    for (const [c, sw, d] of [[17, 1, 1], [8, 2, 1], [8, 1, 2]] as const) {
      const x = Uint8Array.from({ length: c * 10 * 10 }, () => int(r, 0, 255));
      const wt = Int8Array.from({ length: 8 * c * 9 }, () => int(r, -127, 127));
      const p: ConvIntParams = { x, xShape: [1, c, 10, 10], zx: 3, w: wt, wShape: [8, c, 3, 3], bias: null, group: 1, strides: [1, sw], dilations: [d, d], pads: [1, 1, 1, 1] };
      const q = randomRq(r, 0, 8, c * 9);
      const acc = convIntOracle(p);
      const want = requantizeOracle(acc, acc.length / 8, q);
      const got = convIntRequantFast(engines[0]!, p, q, prepareConvInt(wt, p.wShape, null, 1));
      expect(lastConvRows).toBe(false);
      expect(firstDiff(got, want)).toBe(-1);
    }
  });

  it('reads gathered inputs (Focus boxes, column step 2) like the oracle on the gathered tensor', () => {
    for (let s = 0; s < 24; s++) {
      const r = rng(9100 + s);
      const [rc, rh, rw] = [int(r, 1, 4), int(r, 2, 40), int(r, 2, 41)];
      const root = Uint8Array.from({ length: rc * rh * rw }, () => int(r, 0, 255));
      // channels: (root channel, row parity, column parity or a plain channel with step 1)
      const c = int(r, 1, 16);
      const h = Math.floor(rh / 2);
      const w = Math.floor(rw / 2);
      const boxes: ChannelSource[] = [];
      for (let k = 0; k < c; k++) {
        const ch = int(r, 0, rc - 1);
        if (k % 5 === 4) boxes.push({ base: ch * rh * rw + int(r, 0, rw - w), rowStride: rw, step: 1 });
        else boxes.push({ base: ch * rh * rw + int(r, 0, 1) * rw + int(r, 0, 1), rowStride: 2 * rw, step: 2 });
      }
      const gathered = new Uint8Array(c * h * w);
      for (let k = 0; k < c; k++) for (let iy = 0; iy < h; iy++) for (let ix = 0; ix < w; ix++) gathered[(k * h + iy) * w + ix] = root[boxes[k]!.base + iy * boxes[k]!.rowStride + ix * boxes[k]!.step]!;
      const [kh, kw] = [int(r, 1, 3), int(r, 1, 3)];
      const m = int(r, 1, 20);
      const wt = Int8Array.from({ length: m * c * kh * kw }, () => int(r, -127, 127));
      const bias = Int32Array.from({ length: m }, () => int(r, -20000, 20000));
      const p: ConvIntParams = { x: gathered, xShape: [1, c, h, w], zx: int(r, 0, 255), w: wt, wShape: [m, c, kh, kw], bias, group: 1, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1] };
      const q = randomRq(r, s, m, c * kh * kw);
      const acc = convIntOracle(p);
      const want = requantizeOracle(acc, acc.length / m, q);
      const prep = prepareConvInt(wt, p.wShape, bias, 1);
      for (const e of [...engines, e3]) {
        inRun(e, root, (rin) => {
          const at = e.addressOf(rin)!;
          const view = new Uint8Array(e.buffer, e.allocKeep(gathered.length), gathered.length);
          const entry = { sources: () => boxes.map((b) => ({ ...b, base: at + b.base })), consumed: false };
          gatheredInputs.set(view, entry);
          const got = convIntRequantFast(e, { ...p, x: view }, q, prep);
          gatheredInputs.delete(view);
          expect(entry.consumed).toBe(true);
          expect(firstDiff(got, want), `seed ${s} [${c},${h},${w}] from [${rc},${rh},${rw}], ${e.threads} thread(s)`).toBe(-1);
        });
      }
    }
  });
});

describe('conv-rows requantization forms', () => {
  it('keeps the integer form where float64 would not be exact (a product beyond 2^53 one unit above a tie)', () => {
    // channels 0 / 1: zero weights, so every accumulator is the bias ±NEAR_TIE.acc; channels 2 / 3 ordinary
    const r = rng(78);
    const [c, h, w] = [3, 5, 11];
    const x = Uint8Array.from({ length: c * h * w }, () => int(r, 0, 255));
    const wt = Int8Array.from({ length: 4 * c * 9 }, (_, i) => (i < 2 * c * 9 ? 0 : int(r, -127, 127)));
    const { bias, q } = nearTieRequant();
    const p: ConvIntParams = { x, xShape: [1, c, h, w], zx: 40, w: wt, wShape: [4, c, 3, 3], bias, group: 1, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1] };
    const prep = prepareConvInt(wt, p.wShape, bias, 1);
    const want = requantizeOracle(convIntOracle(p), h * w, q);
    expect([want[0], want[h * w]]).toEqual([128 + NEAR_TIE.rounded, 128 - NEAR_TIE.rounded]);
    const table = Uint8Array.from({ length: 256 }, () => int(r, 0, 255));
    for (const e of engines) {
      expectRequantFast(e, p, q, prep, want, table, 'near tie', () => expect(lastConvRows).toBe(true));
      if (e === engines[0]) expect(lastF64Modes).toEqual({ f64: 2, integer: 2 });
    }
  });
});
