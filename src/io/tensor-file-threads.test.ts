import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TensorFileThreads } from './tensor-file-threads.js';
import { stopFlag } from './atomic.js';
import { nchwToNhwc } from '../tensor/layout.js';
import { mulberry32 } from '../../scripts/synthetic-input.js';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'magik-tensor-files-'));
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** Random float32 bits, NaNs with payloads included (every 32-bit pattern may occur). */
function randomBits(count: number, seed: number): Float32Array {
  const rnd = mulberry32(seed);
  const u = new Uint32Array(count);
  for (let i = 0; i < count; i++) u[i] = i % 97 === 5 ? 0x7fa00001 + i : rnd();
  return new Float32Array(u.buffer);
}

/** What the file must hold: NHWC bits for 4-D tensors with C > 1 and H*W > 1, else the bytes as they are. */
function expected(data: Float32Array, dims: number[]): Uint8Array {
  if (dims.length !== 4 || dims[1]! <= 1 || dims[2]! * dims[3]! <= 1) return new Uint8Array(data.buffer.slice(0));
  const out = new Int32Array(data.length);
  nchwToNhwc(new Int32Array(data.buffer), dims, out);
  return new Uint8Array(out.buffer);
}

// shapes around the 4x4 SIMD tiles (C and H*W below 4, multiples of 4, odd edges), other ranks, empty
const SHAPES: number[][] = [
  [1, 16, 52, 52], [1, 3, 7, 5], [2, 5, 3, 3], [1, 4, 4, 4], [1, 1, 9, 9], [1, 64, 1, 1], [1, 7, 1, 13], [3, 85], [10], [1, 0, 4, 4], [1, 33, 17, 19],
];

describe.each([0, 1, 2])('TensorFileThreads with %i thread(s)', (threads) => {
  it('writes NHWC bits exactly (NaN payloads kept) and the md5 of the written bytes', async () => {
    const files = new TensorFileThreads(threads, { slots: 3 });
    // Node 20 has WebAssembly SIMD: the threads' SIMD transposes and md5 lanes are what is tested
    expect(files.simd).toBe(threads > 0);
    try {
      // reserve less than the largest tensor: a larger one arriving while lanes run takes the plain path
      files.reserve(4 * 3 * 7 * 5);
      const jobs = SHAPES.flatMap((dims, k) =>
        [0, 1].map((rep) => {
          const count = dims.reduce((a, b) => a * b, 1);
          const data = randomBits(count, 100 * k + rep);
          const want = expected(data, dims);
          const file = path.join(tmp, `t${threads}-${k}-${rep}.bin`);
          const transpose = dims.length === 4 && dims[1]! > 1 && dims[2]! * dims[3]! > 1;
          const job = files.write(data, transpose ? [dims[0]!, dims[1]!, dims[2]! * dims[3]!] : null, file, rep === 0);
          if (rep === 0 && threads > 0 && count > 0) expect(data.length, 'a transferred buffer is detached').toBe(0);
          return { job, file, want };
        }),
      );
      for (const { job, file, want } of jobs) {
        await job.written;
        const got = readFileSync(file);
        expect(Buffer.compare(got, Buffer.from(want)), file).toBe(0);
        expect(await job.md5).toBe(createHash('md5').update(want).digest('hex'));
      }
    } finally {
      await files.close();
    }
  });

  it('refuses an existing temporary, reports a missing folder with its code, and skips files once stopFlag is set', async () => {
    const files = new TensorFileThreads(threads);
    try {
      const taken = path.join(tmp, `taken-${threads}.bin`);
      writeFileSync(taken, 'x');
      const a = files.write(randomBits(64, 1), null, taken, true);
      await expect(a.written).rejects.toMatchObject({ code: 'EEXIST' });
      await expect(a.md5).rejects.toMatchObject({ code: 'EEXIST' });
      expect(readFileSync(taken, 'utf8')).toBe('x');
      const b = files.write(randomBits(64, 2), null, path.join(tmp, 'no-such-folder', 'f.bin'), true);
      await expect(b.written).rejects.toMatchObject({ code: 'ENOENT' });
      Atomics.store(stopFlag, 0, 1);
      try {
        const skipped = path.join(tmp, `skipped-${threads}.bin`);
        const c = files.write(randomBits(64, 3), [1, 4, 4, 4], skipped, true);
        await expect(c.written).rejects.toMatchObject({ code: 'STOPPED' });
        expect(existsSync(skipped)).toBe(false);
      } finally {
        Atomics.store(stopFlag, 0, 0);
      }
    } finally {
      await files.close();
    }
  });
});
