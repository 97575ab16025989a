/**
 * Every Conv layer shape of every shared model (../shared/data/models), with seeded random integer
 * activations, weights and biases: the WebAssembly fast path equals the plain-TS oracle bit for bit,
 * accumulators and requantized uint8 outputs, with 1 and 2 threads. Layer shapes that repeat (the
 * two UltraFace files share all of them) are checked once.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/onnx/load.js';
import { FastEngine } from './engine.js';
import { convIntFast, convIntRequantFast, lastFallback, prepareConvInt, requantizeFast } from './conv-int.js';
import { convIntOracle, requantizeOracle } from './conv-int-oracle.js';
import { convLayers, type ConvLayer } from './model-conv-layers.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import { quantizeMultiplier } from '../quant/fixed-point.js';
import { rng } from '../quant/test-random.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODELS = path.resolve(repoRoot, '../shared/data/models');
const FILES = ['yolox_nano_3cls.onnx', 'yunet_n_320_320.onnx', 'fastestdet.onnx', 'ultraface_rfb_320.onnx', 'ultraface_rfb_320_simplified.onnx'];

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

function layerData(l: ConvLayer, seed: number): { p: ConvIntParams; q: RequantParams } {
  const r = rng(seed);
  const x = Uint8Array.from({ length: l.xShape.reduce((a, b) => a * b, 1) }, () => Math.floor(r() * 256));
  const w = Int8Array.from({ length: l.wShape.reduce((a, b) => a * b, 1) }, () => Math.floor(r() * 255) - 127);
  const m = l.wShape[0];
  const taps = l.wShape[1] * l.wShape[2] * l.wShape[3];
  const spread = Math.sqrt(taps) * 74 * 73; // std of Σ (x − zx)·w for uniform x and w
  const bias = l.hasBias ? Int32Array.from({ length: m }, () => Math.round((r() - 0.5) * 4 * spread)) : null;
  const multipliers: number[] = [];
  const shifts: number[] = [];
  for (let c = 0; c < m; c++) {
    // about 40 output steps per standard deviation: mid-range values and some saturation
    const qm = quantizeMultiplier((40 * (0.5 + r())) / spread);
    multipliers.push(qm.m);
    shifts.push(qm.shift);
  }
  const p: ConvIntParams = { x, xShape: l.xShape, zx: Math.floor(r() * 256), w, wShape: l.wShape, bias, group: l.group, strides: l.strides, dilations: l.dilations, pads: l.pads };
  return { p, q: { multipliers, shifts, zpOut: Math.floor(r() * 256), qmin: 0, qmax: 255, bits: 8 } };
}

describe.skipIf(!existsSync(MODELS))('every Conv layer of the shared models', () => {
  const seen = new Set<string>();
  for (const file of FILES) {
    it(file, async () => {
      const layers = await convLayers(await loadModel(path.join(MODELS, file)));
      expect(layers.length).toBeGreaterThan(20);
      let checked = 0;
      for (const [i, l] of layers.entries()) {
        const key = JSON.stringify([l.xShape, l.wShape, l.group, l.strides, l.dilations, l.pads, l.hasBias]);
        if (seen.has(key)) continue;
        seen.add(key);
        const { p, q } = layerData(l, i + 1);
        const want = convIntOracle(p);
        const plane = l.out[0] * l.out[1];
        const wantQ = requantizeOracle(want, plane, q);
        expect(new Set(wantQ).size, `${l.node}: requantized values not all saturated`).toBeGreaterThan(20);
        const prep = prepareConvInt(p.w, p.wShape, p.bias, p.group);
        for (const e of [e1, e2]) {
          const got = convIntFast(e, p, prep);
          expect(lastFallback, l.node).toBeNull();
          let bad = -1;
          for (let j = 0; j < got.length && bad < 0; j++) if (got[j] !== want[j]) bad = j;
          expect(bad, `${file} ${l.node} (${e.threads} threads)`).toBe(-1);
          expect(Buffer.compare(requantizeFast(e, got, plane, q), wantQ), `${file} ${l.node} requantized`).toBe(0);
          expect(Buffer.compare(convIntRequantFast(e, p, q, prep), wantQ), `${file} ${l.node} fused`).toBe(0);
        }
        checked++;
      }
      if (file !== 'ultraface_rfb_320_simplified.onnx') expect(checked).toBeGreaterThan(10);
    }, 120_000);
  }
});
