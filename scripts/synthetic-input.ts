/**
 * Deterministic stand-in images for tests and benchmarks (the real image preparation lives
 * elsewhere): uint8 NHWC pixels from a seeded PRNG mixed with a gradient, so every channel and
 * position differs and results are reproducible.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** mulberry32 (Tommy Ettinger's public-domain 32-bit PRNG): uniform integers in [0, 2^32). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** uint8 NHWC image [n, h, w, c]: half gradient (x, y, channel), half seeded noise. */
export function syntheticImage(n: number, h: number, w: number, c: number, seed = 1): Uint8Array {
  const rnd = mulberry32(seed);
  const out = new Uint8Array(n * h * w * c);
  let i = 0;
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++, i++) {
          const grad = ((x * 255) / Math.max(1, w - 1) + (y * 255) / Math.max(1, h - 1) + ch * 85) / 3;
          out[i] = Math.min(255, Math.round(grad * 0.5 + (rnd() >>> 24) * 0.5));
        }
  return out;
}

/** The repository root (this file lives in scripts/, or dist/scripts/ after a build). */
export function repoRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.basename(path.dirname(here)) === 'dist' ? path.resolve(here, '../..') : path.resolve(here, '..');
}

/** A shared real model: `../shared/data/models/<name>` from the repository root. */
export function sharedModel(name: string): string {
  return path.resolve(repoRoot(), '../shared/data/models', name);
}
