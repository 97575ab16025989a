import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { Md5Worker } from './md5-worker.js';

describe('Md5Worker', () => {
  it('hashes like crypto md5, reusing a limited number of slots in order', async () => {
    const w = new Md5Worker(1 << 16, 2);
    const expected: string[] = [];
    const got: Promise<string>[] = [];
    for (let i = 0; i < 12; i++) {
      const len = 1000 + i * 5000;
      const data = Uint8Array.from({ length: len }, (_, k) => (k * 31 + i) & 0xff);
      expected.push(createHash('md5').update(data).digest('hex'));
      const slot = await w.acquire(); // waits while both slots are being hashed
      slot.set(data);
      got.push(w.hash(slot, len));
    }
    expect(await Promise.all(got)).toEqual(expected);
    await w.close();
  });

  it('two threads, four slots, slots grown between batches: every md5 equals crypto md5', async () => {
    const w = new Md5Worker(1 << 10, 4, 2);
    expect(w.simd).toBe(true);
    const check = async (sizes: number[]) => {
      const expected: string[] = [];
      const got: Promise<string>[] = [];
      for (const [i, len] of sizes.entries()) {
        const data = Uint8Array.from({ length: len }, (_, k) => (k * 17 + i * 3) & 0xff);
        expected.push(createHash('md5').update(data).digest('hex'));
        const slot = await w.acquire();
        slot.set(data);
        got.push(w.hash(slot, len));
      }
      expect(await Promise.all(got)).toEqual(expected);
    };
    await check([0, 1, 55, 56, 64, 1000, 1024, 3, 700]);
    w.ensureSlotBytes(1 << 18);
    expect(w.slotBytes).toBe(1 << 18);
    await check([200_000, 262_144, 64, 99_999, 5]);
    const held = await w.acquire();
    expect(() => w.ensureSlotBytes(1 << 19)).toThrow(/in use/);
    w.hash(held, 0);
    await w.close();
  });

  for (const threads of [0, 2]) {
    it(`transposeAndHash (${threads} threads): the slot gets the NHWC bits of its staging region, md5 of them; slots come back after written()`, async () => {
      const shapes: [number, number, number][] = [[1, 3, 5], [2, 4, 7], [1, 9, 11], [1, 16, 16], [1, 1, 64]];
      const w = new Md5Worker(1 << 12, shapes.length, threads, { staging: true }); // one slot per job: all are held until read back
      for (let round = 0; round < 3; round++) {
        const jobs = [];
        for (const [k, [n, c, hw]] of shapes.entries()) {
          const count = n * c * hw;
          // raw bit patterns, including a signalling NaN (0x7f800001) that a float copy could alter
          const src = Int32Array.from({ length: count }, (_, i) => (i === 1 ? 0x7f800001 : (i * 2654435761 + k + round) | 0));
          const want = new Int32Array(count);
          for (let b = 0; b < n; b++) for (let p = 0; p < hw; p++) for (let ch = 0; ch < c; ch++) want[(b * hw + p) * c + ch] = src[(b * c + ch) * hw + p]!;
          const slot = await w.acquire();
          const stage = w.staging(slot);
          new Int32Array(stage.buffer, stage.byteOffset, count).set(src);
          if (!(c > 1 && hw > 1)) new Int32Array(slot.buffer, slot.byteOffset, count).set(src); // already in layout: the caller fills the slot
          const job = w.transposeAndHash(slot, count * 4, c > 1 && hw > 1 ? [n, c, hw] : null);
          jobs.push({ slot, job, want, count });
        }
        for (const { slot, job, want, count } of jobs) {
          await job.ready;
          const got = new Int32Array(slot.buffer, slot.byteOffset, count);
          expect(Array.from(got)).toEqual(Array.from(want));
          w.written(slot);
          expect(await job.md5).toBe(createHash('md5').update(new Uint8Array(want.buffer)).digest('hex'));
        }
      }
      await w.close();
    });
  }

  it('close() with jobs never awaited (a caller stopped by an error) leaves no unhandled rejection', async () => {
    const w = new Md5Worker(1 << 16, 2, 1, { staging: true });
    const slot = await w.acquire();
    const job = w.transposeAndHash(slot, 1 << 16, [1, 16, 1024]);
    await w.close();
    await expect(job.md5).rejects.toThrow(/closed/);
  });

  it('refuses a buffer that is not an acquired slot', async () => {
    const w = new Md5Worker(16, 1);
    expect(() => w.hash(new Uint8Array(16), 16)).toThrow(/not an acquired slot/);
    await w.close();
    await expect(w.acquire()).rejects.toThrow(/closed/);
  });
});
