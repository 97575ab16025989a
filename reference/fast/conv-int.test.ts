/**
 * The WebAssembly fast path against the plain-TS oracle, bit for bit, on randomized shapes and values
 * (kernel sizes 1–7, strides, dilations, asymmetric pads, groups / depthwise, odd channel counts,
 * batches, extreme and 16-bit activations, int16 weights) with 1 and 2 threads; the oracle itself
 * against hand-computed values and the float convolution; requantization and MatMul likewise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastEngine } from './engine.js';
import { convIntFast, convIntRequantFast, lastFallback, lastLutApplied, matMulIntFast, prepareConvInt, requantizeFast } from './conv-int.js';
import { convIntOracle, matMulIntOracle, requantizeOracle } from './conv-int-oracle.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { conv2dImpl } from '../ops/conv2d.js';
import { quantizeMultiplier, requantize } from '../quant/fixed-point.js';
import { rng, randInt as int, firstDiff } from '../quant/test-random.js';

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

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
type XMode = 'random' | 'zero' | 'max' | 'extremes';

function randomCase(seed: number): ConvIntParams & { label: string } {
  const r = rng(seed);
  const kind = pick(r, ['dense', 'dense', 'depthwise', 'group2', 'group3'] as const);
  const k = pick(r, [1, 3, 5, 7]);
  const kh = k;
  const kw = r() < 0.2 ? pick(r, [1, 3]) : k;
  const group = kind === 'dense' ? 1 : kind === 'group2' ? 2 : kind === 'group3' ? 3 : int(r, 1, 21);
  const cg = kind === 'depthwise' ? 1 : int(r, 1, 19);
  const mg = kind === 'depthwise' ? 1 : int(r, 1, 21);
  const c = cg * group;
  const m = mg * group;
  const [sh, sw] = [int(r, 1, 2), int(r, 1, 2)];
  const [dh, dw] = [int(r, 1, 2), int(r, 1, 2)];
  const pads = [int(r, 0, 3), int(r, 0, 3), int(r, 0, 3), int(r, 0, 3)] as const;
  const h = int(r, Math.max(1, (kh - 1) * dh + 1 - pads[0] - pads[2]), 19);
  const w = int(r, Math.max(1, (kw - 1) * dw + 1 - pads[1] - pads[3]), 23);
  const n = r() < 0.2 ? 2 : 1;
  const bits16 = r() < 0.25;
  const qmax = bits16 ? 65535 : 255;
  const zx = pick(r, [0, (qmax + 1) / 2, qmax, int(r, 0, qmax)]);
  const xMode = pick(r, ['random', 'random', 'zero', 'max', 'extremes'] as XMode[]);
  const xs = n * c * h * w;
  const x = bits16 ? new Uint16Array(xs) : new Uint8Array(xs);
  for (let i = 0; i < xs; i++) x[i] = xMode === 'zero' ? 0 : xMode === 'max' ? qmax : xMode === 'extremes' ? pick(r, [0, qmax]) : int(r, 0, qmax);
  const wBits16 = !bits16 && r() < 0.3;
  const wmax = wBits16 ? 32767 : 127;
  const ws = m * cg * kh * kw;
  const wt = wBits16 ? new Int16Array(ws) : new Int8Array(ws);
  const wExt = r() < 0.3;
  for (let i = 0; i < ws; i++) wt[i] = wExt ? pick(r, [-wmax, wmax]) : int(r, -wmax, wmax);
  const bias = r() < 0.8 ? Int32Array.from({ length: m }, () => int(r, -1_000_000, 1_000_000)) : null;
  const label = `seed ${seed}: ${kind} x ${n}x${c}x${h}x${w}${bits16 ? ' u16' : ''} zx ${zx} (${xMode}) w ${m}x${cg}x${kh}x${kw}${wBits16 ? ' i16' : ''} g ${group} s ${sh},${sw} d ${dh},${dw} p ${pads.join(',')}`;
  return { label, x, xShape: [n, c, h, w], zx, w: wt, wShape: [m, cg, kh, kw], bias, group, strides: [sh, sw], dilations: [dh, dw], pads };
}

describe('convIntOracle (the definition)', () => {
  it('matches a hand-computed 2x2 kernel with padding, stride and zero point', () => {
    // x (zx = 10): [[11, 12], [13, 14]] -> x - zx = [[1, 2], [3, 4]]; w = [[1, -1], [2, 0]]; pads 1 all round, stride 2.
    const p: ConvIntParams = {
      x: Uint8Array.of(11, 12, 13, 14), xShape: [1, 1, 2, 2], zx: 10, w: Int8Array.of(1, -1, 2, 0), wShape: [1, 1, 2, 2],
      bias: Int32Array.of(100), group: 1, strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1],
    };
    // output 2x2: (0,0) covers padded rows -1..0, cols -1..0 -> only x[0][0]=1 at w[1][1]=0 -> 100
    // (0,1): rows -1..0, cols 1..2 -> x[0][1]=2 at w[1][0]=2 -> 104; (1,0): rows 1..2, cols -1..0 -> x[1][0]=3 at w[0][1]=-1 -> 97
    // (1,1): rows 1..2, cols 1..2 -> x[1][1]=4 at w[0][0]=1 -> 104
    expect([...convIntOracle(p)]).toEqual([100, 104, 97, 104]);
  });

  it('equals the float convolution on small integers (exact in float32)', () => {
    for (let s = 0; s < 20; s++) {
      const p = randomCase(9000 + s);
      if (p.x instanceof Uint16Array || p.w instanceof Int16Array) continue;
      const [n, c, h, w] = p.xShape;
      const [m, , kh, kw] = p.wShape;
      const acc = convIntOracle(p);
      if (acc.some((v) => Math.abs(v) >= 2 ** 24)) continue;
      const xf = Float32Array.from(p.x, (v) => v - p.zx);
      const bf = p.bias ? Float32Array.from(p.bias) : null;
      const oh = acc.length / n / m / Math.floor((w + p.pads[1] + p.pads[3] - ((kw - 1) * p.dilations[1] + 1)) / p.strides[1] + 1);
      const ow = acc.length / n / m / oh;
      const yf = conv2dImpl(xf, Float32Array.from(p.w), bf, {
        n, c, h, w, m, group: p.group, kh, kw, sh: p.strides[0], sw: p.strides[1], dh: p.dilations[0], dw: p.dilations[1], pt: p.pads[0], pl: p.pads[1], oh, ow,
      });
      expect(firstDiff(acc, yf), p.label).toBe(-1);
    }
  });
});

describe('convIntFast == convIntOracle', () => {
  it('on 150 randomized layers, 1 and 2 threads', () => {
    expect([e1.threads, e2.threads]).toEqual([1, 2]); // the worker really started
    let fallbacks = 0;
    for (let s = 0; s < 150; s++) {
      const p = randomCase(s);
      const want = convIntOracle(p);
      const prep = prepareConvInt(p.w, p.wShape, p.bias, p.group);
      for (const e of [e1, e2]) {
        const got = convIntFast(e, p, prep);
        if (lastFallback) fallbacks++;
        const i = firstDiff(got, want);
        expect(i, `${p.label}, ${e.threads} thread(s), index ${i}: ${got[i]} vs ${want[i]}`).toBe(-1);
      }
    }
    expect(fallbacks).toBeLessThan(30); // nearly all on WebAssembly (16-bit data with int8 weights fit int32)
  });

  it('fused convolution + requantization on 100 randomized layers equals oracle conv then oracle requant', () => {
    for (let s = 200; s < 300; s++) {
      const p = randomCase(s);
      const r = rng(s);
      const m = p.wShape[0];
      const taps = p.wShape[1] * p.wShape[2] * p.wShape[3];
      const multipliers: number[] = [];
      const shifts: number[] = [];
      for (let c = 0; c < m; c++) {
        const qm = quantizeMultiplier((0.2 + 2 * r()) / (Math.sqrt(taps) * (p.x instanceof Uint16Array ? 30000 : 127) * 60));
        multipliers.push(qm.m);
        shifts.push(qm.shift);
      }
      if (s % 4 === 0) {
        // the whole shift range of the fast requantization (2..31, i.e. r = 33..62), saturating outputs
        for (let c = 0; c < m; c++) {
          multipliers[c] = int(r, 2 ** 30, 2 ** 31 - 1);
          shifts[c] = pick(r, [2, 3, 30, 31, int(r, 2, 31)]);
        }
      }
      const bits = pick(r, [8, 16] as const);
      const qmax = bits === 8 ? 255 : 65535;
      const q: RequantParams = { multipliers, shifts, zpOut: int(r, 0, qmax), qmin: 0, qmax, bits };
      const acc = convIntOracle(p);
      const want = requantizeOracle(acc, acc.length / p.xShape[0] / m, q);
      // a fused output table (8-bit): table[requant] for every output, also with the output kept in
      // the engine's memory (a run: engine.beginRun) and the input read from there
      const table = Uint8Array.from({ length: 256 }, () => int(r, 0, 255));
      const wantLut = bits === 8 ? Uint8Array.from(want, (v) => table[v]!) : null;
      for (const e of [e1, e2]) {
        const got = convIntRequantFast(e, p, q);
        expect(got.constructor, p.label).toBe(want.constructor);
        const i = firstDiff(got, want);
        expect(i, `${p.label}, ${e.threads} thread(s), index ${i}: ${got[i]} vs ${want[i]}`).toBe(-1);
        if (!wantLut) continue;
        const viaLut = convIntRequantFast(e, p, q, undefined, table);
        // not applied (a path without fused requantization): the caller applies it (int-step.ts)
        if (p.x instanceof Uint8Array && lastFallback === null) expect(lastLutApplied, p.label).toBe(true);
        const applied = lastLutApplied ? viaLut : Uint8Array.from(viaLut, (v) => table[v]!);
        expect(firstDiff(applied, wantLut), `${p.label} (table)`).toBe(-1);
        e.beginRun();
        try {
          const xIn = e.arena && p.x instanceof Uint8Array ? (() => {
            e.reset();
            const at = e.allocKeep(p.x.length);
            const v = new Uint8Array(e.buffer, at, p.x.length);
            v.set(p.x);
            return v;
          })() : p.x;
          const kept = convIntRequantFast(e, { ...p, x: xIn }, q, undefined, table);
          if (lastLutApplied) {
            expect(e.addressOf(kept), p.label).not.toBeNull();
            expect(firstDiff(kept, wantLut), `${p.label} (table, in the engine's memory)`).toBe(-1);
          }
        } finally {
          e.endRun();
        }
      }
    }
  });

  it('16-bit activations beyond int16 after the zero point use the high/low split', () => {
    const r = rng(77);
    const x = Uint16Array.from({ length: 2 * 5 * 9 * 8 }, () => pick(r, [0, 65535, int(r, 0, 65535)]));
    const w = Int8Array.from({ length: 6 * 5 * 9 }, () => int(r, -127, 127));
    const p: ConvIntParams = { x, xShape: [2, 5, 9, 8], zx: 0, w, wShape: [6, 5, 3, 3], bias: Int32Array.from({ length: 6 }, () => int(r, -999, 999)), group: 1, strides: [1, 2], dilations: [2, 1], pads: [2, 0, 1, 3] };
    const want = convIntOracle(p);
    expect(Math.max(...want.map(Math.abs))).toBeGreaterThan(2 ** 23); // really beyond the int16 × int8 × few-taps range
    for (const e of [e1, e2]) {
      expect(firstDiff(convIntFast(e, p), want)).toBe(-1);
      expect(lastFallback).toBeNull();
    }
    const dw: ConvIntParams = { ...p, w: w.subarray(0, 5 * 9), wShape: [5, 1, 3, 3], group: 5, bias: null };
    expect(firstDiff(convIntFast(e2, dw), convIntOracle(dw))).toBe(-1);
    expect(lastFallback).toBeNull();
  });

  it('layers whose int32 sum is not provably exact run on the oracle (saturated result)', () => {
    // 16-bit data at the extremes, int16 weights at the extremes: one product is already 2^31.
    const x = Uint16Array.from({ length: 4 * 3 * 3 }, (_, i) => (i % 2 ? 65535 : 0));
    const w = Int16Array.from({ length: 2 * 4 * 9 }, (_, i) => (i % 3 ? 32767 : -32768));
    const p: ConvIntParams = { x, xShape: [1, 4, 3, 3], zx: 0, w, wShape: [2, 4, 3, 3], bias: null, group: 1, strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1] };
    const got = convIntFast(e2, p);
    expect(lastFallback).toBe('int32 accumulator bound exceeded');
    expect([...got]).toEqual([...convIntOracle(p)]);
    expect(got).toContain(2147483647);
    const wide: ConvIntParams = { ...p, x: new Uint8Array(36).fill(200), zx: 100, w: Int32Array.from(w, (v) => v * 2) };
    expect([...convIntFast(e1, wide)]).toEqual([...convIntOracle(wide)]);
    expect(lastFallback).toBe('weights outside int16');
  });
});

describe('requantizeFast == requantizeOracle', () => {
  it('refuses output ranges the kernels do not support', () => {
    const q: RequantParams = { multipliers: [2 ** 30], shifts: [0], zpOut: 0, qmin: 0, qmax: 300, bits: 8 };
    expect(() => requantizeFast(e1, Int32Array.of(1), 1, q)).toThrow(/qmax <= 255/);
    expect(() => requantizeFast(e1, Int32Array.of(1), 1, { ...q, qmax: 255, zpOut: -1 })).toThrow(RangeError);
  });

  it('rounds half away from zero (hand-computed)', () => {
    const q: RequantParams = { multipliers: [2 ** 30], shifts: [0], zpOut: 10, qmin: 0, qmax: 255, bits: 8 }; // × 0.5
    const acc = Int32Array.of(5, -5, 4, -3, 1000, -1000);
    // 2.5 -> 3, -2.5 -> -3, 2, -1.5 -> -2, 500 -> clamp 255, -500 -> clamp 0; then + 10 and clamp
    expect([...requantizeOracle(acc, 6, q)]).toEqual([13, 7, 12, 8, 255, 0]);
    expect([...requantizeFast(e1, acc, 6, q)]).toEqual([13, 7, 12, 8, 255, 0]);
  });

  it('on random and extreme accumulators and multipliers, 8 and 16 bits, per channel', () => {
    const r = rng(5);
    for (let t = 0; t < 120; t++) {
      const ch = int(r, 1, 9);
      const plane = int(r, 1, 50);
      const batch = int(r, 1, 2);
      const acc = Int32Array.from({ length: batch * ch * plane }, () =>
        pick(r, [-2147483648, 2147483647, 0, int(r, -300, 300), int(r, -2147483648, 2147483647), int(r, -(2 ** 20), 2 ** 20)]),
      );
      const multipliers: number[] = [];
      const shifts: number[] = [];
      for (let c = 0; c < ch; c++) {
        const real = pick(r, [0, 2 ** -40, 1e-9, r() * 1e-3, r() * 0.5, 1, r() * 300, 2 ** 30, 0.25, 0.2499, 0.125, 0.5, 2 ** -31, 2 ** -32]);
        const qm = quantizeMultiplier(real);
        multipliers.push(qm.m);
        shifts.push(qm.shift);
      }
      const bits = pick(r, [8, 16] as const);
      const qmax = bits === 8 ? 255 : 65535;
      const q: RequantParams = { multipliers, shifts, zpOut: int(r, 0, qmax), qmin: 0, qmax, bits };
      const want = requantizeOracle(acc, plane, q);
      for (let i = 0; i < acc.length; i++) {
        const c = Math.floor(i / plane) % ch;
        expect(want[i]).toBe(Math.min(qmax, Math.max(0, requantize(acc[i]!, multipliers[c]!, shifts[c]!) + q.zpOut)));
      }
      for (const e of [e1, e2]) {
        const got = requantizeFast(e, acc, plane, q);
        expect(got.constructor).toBe(want.constructor);
        expect(firstDiff(got, want), `case ${t}`).toBe(-1);
      }
    }
  });
});

describe('matMulIntFast == matMulIntOracle', () => {
  it('on random shapes, both B layouts, 1 and 2 threads', () => {
    const r = rng(11);
    for (let t = 0; t < 30; t++) {
      const [m, k, n] = [int(r, 1, 40), int(r, 1, 70), int(r, 1, 33)];
      const bits16 = r() < 0.3;
      const a = bits16 ? Uint16Array.from({ length: m * k }, () => int(r, 0, 65535)) : Uint8Array.from({ length: m * k }, () => int(r, 0, 255));
      const b = Int8Array.from({ length: k * n }, () => int(r, -127, 127));
      const p = { a, za: int(r, 0, bits16 ? 65535 : 255), b, m, k, n, bTransposed: r() < 0.5, bias: r() < 0.5 ? Int32Array.from({ length: n }, () => int(r, -5000, 5000)) : null };
      const want = matMulIntOracle(p);
      for (const e of [e1, e2]) expect(firstDiff(matMulIntFast(e, p), want), `case ${t}`).toBe(-1);
    }
  });
});
