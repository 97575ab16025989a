import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotTree, tmpDir } from '../../golden/temp-golden.js';
import { UserError } from '../errors.js';
import { openDumpSet, resolveShape } from './open.js';
import { openVendorPc } from './vendor-pc.js';

async function folder(files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = tmpDir();
  for (const [rel, data] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fsp.writeFile(path.join(dir, rel), data);
  }
  return dir;
}
const bytes = (n: number) => new Uint8Array(n).map((_, i) => i & 0xff);
const line = (f: string, s: string) => `\x1b[32mLog: Data dumping to:./MAGIK_DATA_DUMP/${f}--->shape:[${s}]\x1b[0m\n`;

describe('openVendorPc', () => {
  it('infers every dtype from the size ratio and lists what each dtype would need on a mismatch', async () => {
    const dir = await folder({
      'MAGIK_DATA_DUMP/f.bin': bytes(512),
      'MAGIK_DATA_DUMP/h.bin': bytes(256),
      'MAGIK_DATA_DUMP/b.bin': bytes(128),
      'MAGIK_DATA_DUMP/q.bin': bytes(64),
      'MAGIK_DATA_DUMP/odd.bin': bytes(63),
      'MAGIK_DATA_DUMP/big.bin': bytes(600),
      'run.log': ['f', 'h', 'b', 'q', 'odd', 'big'].map((n) => line(`${n}.bin`, '1,4,4,8')).join(''),
    });
    const set = await openVendorPc(dir, { log: path.join(dir, 'run.log') });
    expect(set.entries.map((e) => [e.name, e.dtype, e.problem?.code ?? null])).toEqual([
      ['f', 'float32', null],
      ['h', 'uint16', null],
      ['b', 'uint8', null],
      ['q', 'uint4', null],
      ['odd', null, 'size-mismatch'],
      ['big', null, 'size-mismatch'],
    ]);
    const odd = set.entries[4]!.problem!;
    expect([odd.expectedBytes, odd.actualBytes]).toEqual([64, 63]);
    expect(odd.reason).toBe('cannot compare: 63 bytes do not fit shape [1,4,4,8] (128 elements): float32 needs 512, uint16 needs 256, uint8 needs 128, uint4 needs 64');
    expect([set.entries[5]!.problem!.expectedBytes, set.entries[5]!.problem!.actualBytes]).toEqual([512, 600]);
    expect(set.entries.every((e) => e.layout === 'NHWC' && e.shapeSource === 'log')).toBe(true);
    expect(set.warnings).toEqual([]);
  });

  it('without a log: inputs first (shape from the name), the rest in natural order with null shapes', async () => {
    const dir = await folder({
      'MAGIK_DATA_DUMP/10.bin': bytes(4),
      'MAGIK_DATA_DUMP/2.bin': bytes(4),
      'MAGIK_DATA_DUMP/a.bin': bytes(4),
      'MAGIK_DATA_DUMP/magik_input_nhwc_1_2_2_3.bin': bytes(12),
      'MAGIK_DATA_DUMP/.x.bin.tmp-1-ab': bytes(3),
      'MAGIK_DATA_DUMP/notes.md': 'x',
    });
    const set = await openDumpSet(path.join(dir, 'MAGIK_DATA_DUMP'));
    expect(set.kind).toBe('vendor-pc');
    expect(set.entries.map((e) => [e.order, e.name, e.role, e.dtype, e.shape, e.shapeSource ?? null])).toEqual([
      [0, 'magik_input_nhwc_1_2_2_3', 'input', 'uint8', [1, 2, 2, 3], 'file-name'],
      [1, '2', 'layer', null, null, null],
      [2, '10', 'layer', null, null, null],
      [3, 'a', 'layer', null, null, null],
    ]);
    expect(set.warnings).toEqual([
      'no dump log given: the shapes of 3 file(s) are unknown and the order is the file-name order (pass --pc-log with the saved stdout of the PC program)',
    ]);
    expect(set.ignored.map((i) => [path.basename(i.file), i.reason])).toEqual([
      ['.x.bin.tmp-1-ab', 'temporary file of an interrupted write'],
      ['notes.md', 'not a .bin dump'],
    ]);
  });

  it('finds a log next to MAGIK_DATA_DUMP/ only when it holds dump lines, and warns that it did', async () => {
    const dir = await folder({
      'MAGIK_DATA_DUMP/x.bin': bytes(4),
      'a-notes.txt': 'nothing here',
      'b-run.log': line('x.bin', '2,2'),
    });
    const set = await openDumpSet(dir);
    expect(set.entries.map((e) => [e.name, e.shape, e.dtype])).toEqual([['x', [2, 2], 'uint8']]);
    expect(set.warnings).toEqual([`using the dump log ${path.join(dir, 'b-run.log')} found next to MAGIK_DATA_DUMP/ (pass --pc-log to choose another)`]);
  });

  it('warns about a log without dump lines, and about an input whose log shape disagrees with its name', async () => {
    const dir = await folder({ 'MAGIK_DATA_DUMP/input_data_shape_1_2_2_3.bin': bytes(12), 'empty.log': 'Log: hello\n', 'in.log': line('input_data_shape_1_2_2_3.bin', '1,3,2,2') });
    const a = await openVendorPc(dir, { log: path.join(dir, 'empty.log') });
    expect(a.warnings).toEqual([`${path.join(dir, 'empty.log')} has no "Data dumping to:" line: is it the saved stdout of a run with MAGIK_CPP_DUMPDATA=true?`]);
    const b = await openVendorPc(dir, { log: path.join(dir, 'in.log') });
    expect(b.entries[0]!.shape).toEqual([1, 3, 2, 2]);
    expect(b.warnings).toEqual(['input_data_shape_1_2_2_3.bin: the log says shape [1,3,2,2] but the file name says [1,2,2,3]; the log is used']);
  });

  it('a missing log file is a UserError naming it', async () => {
    const dir = await folder({ 'MAGIK_DATA_DUMP/x.bin': bytes(4) });
    const p = path.join(dir, 'nope.log');
    await expect(openVendorPc(dir, { log: p })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining(p) });
    await expect(openVendorPc(dir, { log: p })).rejects.toBeInstanceOf(UserError);
  });

  it('never writes to the folder, and resolveShape gives an unlogged entry a dtype or a problem', async () => {
    const dir = await folder({ 'MAGIK_DATA_DUMP/u.bin': bytes(32), 'MAGIK_DATA_DUMP/v.bin': bytes(0) });
    const before = await snapshotTree(dir);
    const set = await openDumpSet(dir);
    expect(await snapshotTree(dir)).toEqual(before);
    const u = set.entries[0]!;
    expect(resolveShape(u, [1, 2, 2, 2])).toMatchObject({ dtype: 'float32', shape: [1, 2, 2, 2], shapeSource: 'model', layout: 'NHWC' });
    expect(resolveShape(u, [32], 'shapes-map')).toMatchObject({ dtype: 'uint8', shape: [32], layout: 'row-major', shapeSource: 'shapes-map' });
    expect(resolveShape(u, [3, 3]).problem).toMatchObject({ code: 'size-mismatch', expectedBytes: 36, actualBytes: 32 });
    expect(resolveShape(u, [2 ** 40, 2 ** 40]).problem?.code).toBe('shape-overflow');
    expect(u.shape).toBeNull(); // the original is not modified
    const v = set.entries[1]!;
    expect(v.problem).toEqual({ code: 'empty-file', reason: 'cannot compare: 0-byte file (the vendor program probably crashed while writing it)', actualBytes: 0 });
    expect(resolveShape(v, [4]).problem?.code).toBe('empty-file');
  });
});
