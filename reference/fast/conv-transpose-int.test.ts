/**
 * Integer ConvTranspose: the oracle against the float scatter kernel on small integers, and the fast
 * path (equivalent stride-1 convolution on WebAssembly) against the oracle bit for bit on randomized
 * strides, dilations, pads (incl. pads larger than the kernel reach), output padding and groups.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastEngine } from './engine.js';
import { convTransposeIntFast, convTransposeIntOracle, convTransposeIntRequantFast, prepareConvTransposeInt, type ConvTransposeIntParams } from './conv-transpose-int.js';
import { requantizeOracle } from './conv-int-oracle.js';
import { convTranspose2dImpl } from '../ops/conv-transpose.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { rng, randInt as int } from '../quant/test-random.js';

let e1: FastEngine;
let e2: FastEngine;
beforeAll(async () => {
  e1 = await FastEngine.create({ threads: 1, fromSource: true });
  e2 = await FastEngine.create({ threads: 2, fromSource: true });
});
afterAll(async () => {
  await e1.close();
  await e2.close();
});

function randomCase(seed: number): ConvTransposeIntParams {
  const r = rng(seed);
  const group = [1, 1, 2, 3][int(r, 0, 3)]!;
  const cg = int(r, 1, 9);
  const mg = int(r, 1, 11);
  const c = cg * group;
  const [kh, kw] = [int(r, 1, 5), int(r, 1, 5)];
  const [sh, sw] = [int(r, 1, 3), int(r, 1, 3)];
  const [dh, dw] = [int(r, 1, 2), int(r, 1, 2)];
  const pads = [int(r, 0, 4), int(r, 0, 4), int(r, 0, 4), int(r, 0, 4)] as const;
  const [h, w] = [int(r, 1, 9), int(r, 1, 9)];
  const oh = (h - 1) * sh - pads[0] - pads[2] + (kh - 1) * dh + 1 + int(r, 0, sh - 1);
  const ow = (w - 1) * sw - pads[1] - pads[3] + (kw - 1) * dw + 1 + int(r, 0, sw - 1);
  const bits16 = r() < 0.2;
  const qmax = bits16 ? 65535 : 255;
  const x = (bits16 ? Uint16Array : Uint8Array).from({ length: 2 * c * h * w }, () => int(r, 0, qmax));
  const wt = Int8Array.from({ length: c * mg * kh * kw }, () => int(r, -127, 127));
  const bias = r() < 0.7 ? Int32Array.from({ length: mg * group }, () => int(r, -99999, 99999)) : null;
  return { x, xShape: [2, c, h, w], zx: int(r, 0, qmax), w: wt, wShape: [c, mg, kh, kw], bias, group, strides: [sh, sw], dilations: [dh, dw], pads, out: [Math.max(1, oh), Math.max(1, ow)] };
}

describe('integer ConvTranspose', () => {
  it('oracle equals the float scatter kernel on small integers', () => {
    for (let s = 0; s < 30; s++) {
      const p = randomCase(s);
      if (p.x instanceof Uint16Array) continue;
      const [n, c, h, w] = p.xShape;
      const m = p.wShape[1] * p.group;
      const yf = convTranspose2dImpl(Float32Array.from(p.x, (v) => v - p.zx), Float32Array.from(p.w), p.bias ? Float32Array.from(p.bias) : null, {
        n, c, h, w, m, group: p.group, kh: p.wShape[2], kw: p.wShape[3], sh: p.strides[0], sw: p.strides[1], dh: p.dilations[0], dw: p.dilations[1], pt: p.pads[0], pl: p.pads[1], oh: p.out[0], ow: p.out[1],
      });
      expect([...convTransposeIntOracle(p)], `seed ${s}`).toEqual([...yf]);
    }
  });

  it('fast path equals the oracle on 80 randomized layers, accumulators and requantized, 1 and 2 threads', () => {
    for (let s = 100; s < 180; s++) {
      const p = randomCase(s);
      const want = convTransposeIntOracle(p);
      const prep = prepareConvTransposeInt(p.w, p.wShape, p.bias, p.group);
      const m = p.wShape[1] * p.group;
      const qm = quantizeMultiplier(1 / (300 * Math.sqrt(p.wShape[0] * p.wShape[2] * p.wShape[3])) / (p.x instanceof Uint16Array ? 256 : 1));
      const q = { multipliers: new Array<number>(m).fill(qm.m), shifts: new Array<number>(m).fill(qm.shift), zpOut: 100, qmin: 0, qmax: 255, bits: 8 as const };
      const wantQ = requantizeOracle(want, p.out[0] * p.out[1], q);
      for (const e of [e1, e2]) {
        expect([...convTransposeIntFast(e, p, prep)], `seed ${s} (${e.threads} threads)`).toEqual([...want]);
        expect([...convTransposeIntRequantFast(e, p, q, prep)], `seed ${s} requantized`).toEqual([...wantQ]);
      }
    }
  });
});
