/** Small helpers for writing golden files (atomically) and describing them. */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../src/io/atomic.js';

export function md5(bytes: Uint8Array | string): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Writes `bytes` to `outDir/rel` (creating folders); returns its md5 and size. */
export async function put(outDir: string, rel: string, bytes: Uint8Array | string): Promise<{ md5: string; size: number }> {
  const p = path.join(outDir, rel);
  await fsp.mkdir(path.dirname(p), { recursive: true });
  await writeFileAtomic(p, bytes);
  return { md5: md5(bytes), size: typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength };
}

/** NHWC coordinate of a flat index in a 4-D shape. */
export function nhwcOf(index: number, shape: readonly number[]): [number, number, number, number] {
  const [, h, w, c] = shape as [number, number, number, number];
  return [Math.floor(index / (h * w * c)), Math.floor(index / (w * c)) % h, Math.floor(index / c) % w, index % c];
}

export function product(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** ANSI colour wrapping as the vendor's logger prints it. */
export function green(s: string): string {
  return `\x1b[0;32m${s}\x1b[0m`;
}
