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

  it('refuses a buffer that is not an acquired slot', async () => {
    const w = new Md5Worker(16, 1);
    expect(() => w.hash(new Uint8Array(16), 16)).toThrow(/not an acquired slot/);
    await w.close();
    await expect(w.acquire()).rejects.toThrow(/closed/);
  });
});
