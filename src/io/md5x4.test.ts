import { describe, it, expect } from 'vitest';
import { createHash } from 'node:crypto';
import { MD5X4_LAYOUT, MD5X4_MAX_PAGES } from './md5x4-wasm.js';
import { md5Lanes, md5x4Module, type Md5Range } from './md5x4.js';

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

describe('four-stream md5 (WebAssembly SIMD)', () => {
  const module = md5x4Module();
  it('compiles here (Node 20 has WebAssembly SIMD and shared memory)', () => {
    expect(module).not.toBeNull();
  });

  it('equals crypto md5 for every length around the padding boundaries and for large ranges, lanes refilled mid-run', () => {
    const lengths = [...Array.from({ length: 200 }, (_, i) => i), 447, 448, 511, 512, 513, 4095, 65_536, 100_003, 1_000_000];
    const total = lengths.reduce((a, b) => a + b + 7, 0);
    const memory = new WebAssembly.Memory({ initial: Math.ceil((65536 + total) / 65536), maximum: MD5X4_MAX_PAGES, shared: true });
    const bytes = new Uint8Array(memory.buffer);
    // two control blocks: the second instance must not disturb the first
    const a = md5Lanes(module!, memory, 0);
    const b = md5Lanes(module!, memory, MD5X4_LAYOUT.size);
    let off = 65536;
    const ranges: Md5Range[] = lengths.map((length, id) => {
      for (let k = 0; k < length; k++) bytes[off + k] = (k * 131 + id * 17 + (k >> 8)) & 0xff;
      const r = { id, offset: off, length };
      off += length + 7; // unaligned starts
      return r;
    });
    const got = new Map<number, string>();
    ranges.forEach((r, i) => (i % 2 ? b : a).add(r));
    // small steps interleave the two instances and refill lanes while others are mid-range
    while (a.busy || b.busy) for (const d of [...a.step(37), ...b.step(5)]) got.set(d.id, d.md5);
    for (const r of ranges) expect(got.get(r.id), `length ${r.length}`).toBe(md5(bytes.slice(r.offset, r.offset + r.length)));
  });

  it('drain() hashes a lone range and a range of zero bytes', () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: MD5X4_MAX_PAGES, shared: true });
    const lanes = md5Lanes(module!, memory, 0);
    new Uint8Array(memory.buffer).fill(0x61, 65536, 65536 + 3); // "aaa"
    lanes.add({ id: 1, offset: 65536, length: 3 });
    expect(lanes.drain()).toEqual([{ id: 1, md5: '47bce5c74f589f4867dbd57e9ca9f808' }]); // md5("aaa")
    lanes.add({ id: 2, offset: 65536, length: 0 });
    expect(lanes.drain()).toEqual([{ id: 2, md5: 'd41d8cd98f00b204e9800998ecf8427e' }]); // md5("")
    expect(lanes.busy).toBe(false);
  });
});
