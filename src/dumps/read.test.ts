import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fsp, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { encodeNpy, encodeRaw } from '../../golden/encode.js';
import { Prng } from '../../golden/prng.js';
import { snapshotTree, tmpDir } from '../../golden/temp-golden.js';
import { decodeInto } from '../tensor/dtype.js';
import { openDumpSet } from './open.js';
import { ChunkReader, MD5_CHUNK, md5File, readEntryBytes, readEntryValues } from './read.js';

function md5sum(file: string): string | null {
  try {
    return execFileSync('md5sum', [file], { encoding: 'utf8' }).split(' ')[0]!;
  } catch {
    return null;
  }
}

describe('md5File', () => {
  it('matches md5sum (and node:crypto) on a file spanning several 1 MiB chunks, and on an empty file', async () => {
    const dir = tmpDir();
    const rng = new Prng(7);
    const data = new Uint8Array(MD5_CHUNK * 2 + 12345);
    for (let i = 0; i < data.length; i += 4096) data[i] = rng.int(0, 255);
    const f = path.join(dir, 'big.bin');
    await fsp.writeFile(f, data);
    const expected = createHash('md5').update(data).digest('hex');
    expect(await md5File(f)).toBe(expected);
    const sys = md5sum(f);
    if (sys !== null) expect(sys).toBe(expected);
    await fsp.writeFile(path.join(dir, 'empty.bin'), new Uint8Array(0));
    expect(await md5File(path.join(dir, 'empty.bin'))).toBe('d41d8cd98f00b204e9800998ecf8427e');
    await expect(md5File(path.join(dir, 'none.bin'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('ChunkReader', () => {
  it('reuses one buffer, starts at dataOffset, and reads the exact data bytes', async () => {
    const dir = tmpDir();
    const vals = Array.from({ length: 1000 }, (_, i) => i * 0.5 - 100);
    const npy = encodeNpy('<f4', [1000], encodeRaw('float32', vals), { version: 2 });
    await fsp.writeFile(path.join(dir, 't.npy'), npy);
    const before = await snapshotTree(dir);
    const set = await openDumpSet(dir);
    const e = set.entries[0]!;
    const buf = new Uint8Array(1024); // 256 floats per chunk
    const r = new ChunkReader(e, buf);
    const got: number[] = [];
    const sizes: number[] = [];
    const out = new Float64Array(256);
    for (let n = r.read(); n > 0; n = r.read()) {
      sizes.push(n);
      decodeInto('float32', buf, out, n / 4);
      got.push(...out.subarray(0, n / 4));
    }
    r.close();
    r.close();
    expect(sizes).toEqual([1024, 1024, 1024, 928]);
    expect(got).toEqual(vals.map(Math.fround));
    expect(r.read()).toBe(0);
    expect([...readEntryValues(e)]).toEqual(got);
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('decodes packed 4-bit dumps high nibble first', async () => {
    const dir = tmpDir();
    await fsp.writeFile(path.join(dir, 'q.bin'), new Uint8Array([0x12, 0xab, 0xf0]));
    const set = await openDumpSet(dir, { shapes: { q: [1, 1, 1, 6] } });
    const e = set.entries[0]!;
    expect(e.dtype).toBe('uint4');
    expect([...readEntryValues(e)]).toEqual([1, 2, 10, 11, 15, 0]);
    expect([...readEntryBytes(e)]).toEqual([0x12, 0xab, 0xf0]);
    // odd count: the last byte's low nibble is padding
    const set5 = await openDumpSet(dir, { shapes: { q: [5] } });
    expect(set5.entries[0]!.dtype).toBe('uint4');
    expect([...readEntryValues(set5.entries[0]!)]).toEqual([1, 2, 10, 11, 15]);
  });

  it('an entry with a problem or no shape cannot be decoded, and a vanished file is a UserError', async () => {
    const dir = tmpDir();
    await fsp.writeFile(path.join(dir, 'a.bin'), new Uint8Array(3));
    const set = await openDumpSet(dir);
    expect(() => readEntryValues(set.entries[0]!)).toThrow('dtype or shape unknown');
    await fsp.rm(path.join(dir, 'a.bin'));
    expect(() => new ChunkReader(set.entries[0]!, new Uint8Array(8))).toThrow(expect.objectContaining({ code: 'FILE_NOT_FOUND' }));
  });
});

describe('md5File on the shared real models', () => {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const data = path.resolve(repoRoot, '../shared/data');
  it.skipIf(!existsSync(path.join(data, 'README.md')))('equals the checksums listed in the data README', async () => {
    const readme = readFileSync(path.join(data, 'README.md'), 'utf8');
    const sums = [...readme.matchAll(/^\s+([0-9a-f]{32})\s+(\S+)$/gm)].map((m) => [m[2]!, m[1]!] as const);
    expect(sums.length).toBeGreaterThanOrEqual(9);
    for (const [rel, sum] of sums) expect(await md5File(path.join(data, rel)), rel).toBe(sum);
  });
});
