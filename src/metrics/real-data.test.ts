/**
 * The metrics on a real photo (shared/data/images/dog.jpg, 416x416 RGB as the YOLOX input),
 * streamed through decodeInto in engine-sized chunks: streaming must equal the whole-array
 * functions bit for bit, and the numbers must show what the triage relies on.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeInto, type DType } from '../tensor/dtype.js';
import { PairAccumulator, type PairAccumulatorOptions } from './accumulator.js';
import { fitInfo, fitLinear } from './fit.js';
import { cosine, dequantize, maxAbs, rmse } from './pairwise.js';
import type { LayerMetrics } from './types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const dogPath = path.resolve(repoRoot, '../shared/data/images/dog.jpg');
const H = 416;
const W = 416;
const shape = [1, H, W, 3];
const N = H * W * 3;

let rgb: Uint8Array;

beforeAll(async () => {
  const { data, info } = await sharp(dogPath).resize(W, H, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
});

/** Streams two little-endian byte buffers through decodeInto + PairAccumulator, 65536 elements at a time. */
function measureBytes(aBytes: Uint8Array, aType: DType, bBytes: Uint8Array, bType: DType, o: Omit<PairAccumulatorOptions, 'n' | 'shape'>): LayerMetrics {
  const CH = 65536;
  const acc = new PairAccumulator({ ...o, n: N, shape });
  const bufA = new Float64Array(CH);
  const bufB = new Float64Array(CH);
  const bytesOf = (t: DType): number => (t === 'float32' ? 4 : 1);
  for (let s = 0; s < N; s += CH) {
    const count = Math.min(CH, N - s);
    decodeInto(aType, aBytes.subarray(s * bytesOf(aType)), bufA, count);
    decodeInto(bType, bBytes.subarray(s * bytesOf(bType)), bufB, count);
    acc.push(bufA, bufB, count);
  }
  return acc.result();
}

function swapRB(x: Uint8Array): Uint8Array {
  const y = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i += 3) {
    y[i] = x[i + 2]!;
    y[i + 1] = x[i + 1]!;
    y[i + 2] = x[i]!;
  }
  return y;
}

describe('metrics on a real photo', () => {
  it('float x/255 vs uint8 with scale 1/255: cosine 1, error below float32 rounding', () => {
    const f = new Float32Array(N);
    for (let i = 0; i < N; i++) f[i] = rgb[i]! / 255;
    const m = measureBytes(new Uint8Array(f.buffer), 'float32', rgb, 'uint8', {
      sideA: { dtype: 'float32' },
      sideB: { dtype: 'uint8', scale: 1 / 255, zeroPoint: 0 },
      integerCompare: false,
    });
    expect(m.count).toBe(N);
    expect(m.finiteCount).toBe(N);
    expect(m.cosine).toBeGreaterThan(1 - 1e-12);
    expect(m.maxAbs).toBeLessThan(6e-8); // float32 rounding of values <= 1
    expect(m.rmseInSteps!).toBeLessThan(1e-5);
    expect(m.sqnrDb).toBeGreaterThan(140);
    expect(m.saturation.b!.share).toBeGreaterThan(0);
    expect(m.deadChannels).toEqual([]);
  });

  it('RGB vs BGR (phenomenon A): streaming equals whole-array, cosine drops below the 0.99 threshold', () => {
    const bgr = swapRB(rgb);
    const m = measureBytes(rgb, 'uint8', bgr, 'uint8', {
      sideA: { dtype: 'uint8', scale: 1 / 255 },
      sideB: { dtype: 'uint8', scale: 1 / 255 },
      integerCompare: true,
    });
    const x = dequantize(rgb, 1 / 255);
    const y = dequantize(bgr, 1 / 255);
    expect(m.cosine).toBe(cosine(x, y).value);
    expect(m.rmse).toBe(rmse(x, y));
    const mx = maxAbs(x, y);
    expect(m.maxAbs).toBe(mx.value);
    expect(m.maxAbsIndex).toBe(mx.index);
    expect(m.cosine).toBeLessThan(0.99);
    expect(m.cosine).toBeGreaterThan(0.95); // measured 0.97279
    // the green channel is untouched, red/blue differ almost everywhere
    expect(m.mismatchesPerChannel![1]).toBe(0);
    expect(m.mismatchesPerChannel![0]).toBe(m.mismatchesPerChannel![2]);
    expect(m.mismatchesPerChannel![0]).toBeGreaterThan(H * W * 0.5);
    expect(m.mismatchesPerRow!.reduce((p, c) => p + c, 0)).toBe(m.mismatches);
    expect(m.firstMismatch!.nhwc!.c === 0 || m.firstMismatch!.nhwc!.c === 2).toBe(true);
  });

  it('fit recovers the step of a quantized non-linear float map, and rounding noise is ~0.29 steps', () => {
    // float: gamma-expanded intensities (smooth, not on the integer grid); q: their 8-bit quantization
    const f = new Float64Array(N);
    const q = new Float64Array(N);
    const s = 1 / 255;
    for (let i = 0; i < N; i++) {
      f[i] = Math.pow((rgb[i]! + 0.5) / 256, 2.2);
      q[i] = Math.round(f[i]! / s);
    }
    const fit = fitLinear(q, f);
    expect(Math.abs(fit.scale - s) / s).toBeLessThan(0.002); // measured 0.05%
    expect(Math.abs(fit.zeroPoint)).toBeLessThan(0.1);
    expect(fit.plausible).toBe(true);
    const acc = new PairAccumulator({ n: N, shape, sideA: { dtype: 'float64' }, sideB: { dtype: 'uint8' }, integerCompare: false, fit: fitInfo('b', fit) });
    acc.push(f, q, N);
    const m = acc.result();
    expect(m.fitted).toBe(true);
    expect(m.rmseInSteps!).toBeGreaterThan(0.26);
    expect(m.rmseInSteps!).toBeLessThan(0.32);
    expect(m.cosine).toBeGreaterThan(0.999);
  });
});
