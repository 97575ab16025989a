import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureAll } from './engine.js';
import { shareHashes } from './share-hashes.js';
import type { MeasureJob, MeasureSide } from './types.js';

let dir: string;
const md5 = (f: string) => createHash('md5').update(readFileSync(f)).digest('hex');
const f = (name: string) => path.join(dir, name);
const N = 3000;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mp-share-'));
  for (const [name, k] of [['float', 1], ['ptq', 1.01], ['pc', 1.02], ['board', 0.99]] as const) {
    writeFileSync(f(`${name}.bin`), new Uint8Array(Float32Array.from({ length: N }, (_, i) => Math.sin(i) * k).buffer));
  }
  writeFileSync(f('short.bin'), new Uint8Array(10)); // 10 bytes: far fewer than N float32 elements
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const side = (name: string): MeasureSide => ({ file: f(`${name}.bin`), dataOffset: 0, dtype: 'float32' });
const job = (id: number, a: string, b: string): MeasureJob => ({ id, a: side(a), b: side(b), shape: [N], count: N, mode: 'float', fitSide: null });

describe('one md5 per file per run', () => {
  it('marks every repeated file after its first job as not hashed', () => {
    const jobs = [job(1, 'float', 'ptq'), job(2, 'float', 'pc'), job(3, 'ptq', 'pc'), job(4, 'pc', 'board')];
    const plan = shareHashes(jobs);
    const hashed = plan.jobs.map((j) => [j.a.hash !== false, j.b.hash !== false]);
    expect(hashed).toEqual([[true, true], [false, true], [false, false], [false, true]]);
    expect(plan.owner.get(f('pc.bin'))).toBe(2);
    expect(jobs[1]!.a.hash).toBeUndefined(); // the caller's jobs are not modified
  });

  it('every result still carries the md5 of both whole files (four sources, six edges), in-process and on workers', async () => {
    const names = ['float', 'ptq', 'pc', 'board'];
    const jobs: MeasureJob[] = [];
    for (let x = 0; x < names.length; x++) for (let y = x + 1; y < names.length; y++) jobs.push(job(jobs.length + 1, names[x]!, names[y]!));
    for (const threads of [1, 2]) {
      const r = await measureAll(jobs, { threads });
      for (const j of jobs) {
        expect(r.get(j.id)!.error).toBeUndefined();
        expect(r.get(j.id)!.md5A).toBe(md5(j.a.file));
        expect(r.get(j.id)!.md5B).toBe(md5(j.b.file));
      }
    }
  });

  it('a file whose hashing job failed on its other file still gets its md5 in the jobs that succeed', async () => {
    const jobs = [job(1, 'short', 'float'), job(2, 'float', 'ptq')];
    const r = await measureAll(jobs, { threads: 1 });
    expect(r.get(1)!.error).toMatch(/shorter than its shape/);
    expect(r.get(2)!.md5A).toBe(md5(f('float.bin')));
    expect(r.get(2)!.md5B).toBe(md5(f('ptq.bin')));
  });
});
