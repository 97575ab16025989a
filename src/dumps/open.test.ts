import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenTmp, tmpDir } from '../../golden/temp-golden.js';
import { UserError } from '../errors.js';
import { applyShapes, openDumpSet } from './open.js';

async function folder(files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = tmpDir();
  for (const [rel, data] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fsp.writeFile(path.join(dir, rel), data);
  }
  return dir;
}

describe('openDumpSet', () => {
  it('detects every golden kind', async () => {
    const { dir, index } = await goldenTmp();
    const kinds: [string, string][] = [
      [index.pc.dir, 'vendor-pc'],
      [index.pc.dumpDir, 'vendor-pc'],
      [index.pcBad.dir, 'vendor-pc'],
      [index.board.dir, 'board'],
      [index.debug.dir, 'debug'],
      [`${index.debug.dir}/float_model`, 'debug-sub'],
      [index.npy.dir, 'npy'],
      [index.manifest.dir, 'manifest'],
    ];
    for (const [rel, kind] of kinds) expect((await openDumpSet(path.join(dir, rel))).kind, rel).toBe(kind);
  });

  it('bad paths are UserErrors naming the path, with a hint', async () => {
    const dir = tmpDir();
    const missing = path.join(dir, 'nope');
    await expect(openDumpSet(missing)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: `${missing}: dump folder not found` });
    await fsp.writeFile(path.join(dir, 'a.txt'), 'x');
    const file = path.join(dir, 'a.txt');
    await expect(openDumpSet(file)).rejects.toMatchObject({ code: 'USAGE', message: `${file}: is a file, not a dump folder` });
    await expect(openDumpSet(dir)).rejects.toMatchObject({ code: 'FOLDER_EMPTY', message: `${dir}: no dump files found (read as plain; ignored 1 file(s), e.g. a.txt)` });
    const empty = tmpDir();
    const err = await openDumpSet(empty).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect(err).toMatchObject({ code: 'FOLDER_EMPTY', message: `${empty}: dump folder is empty` });
    expect((err as UserError).hint).toContain('MAGIK_CPP_DUMPDATA=true');
    const emptyDump = await folder({ 'MAGIK_DATA_DUMP/.keep': '' });
    // a dangling link inside a folder is an entry that cannot be read, not a crash
    const dangling = await folder({ 'a.bin': new Uint8Array(4) });
    await fsp.symlink(path.join(dangling, 'gone.bin'), path.join(dangling, 'b.bin'));
    const ds = await openDumpSet(dangling);
    expect(ds.entries.map((e) => [e.name, e.size, e.problem?.code ?? null])).toEqual([
      ['a', 4, null],
      ['b', 0, 'unreadable'],
    ]);
    await expect(openDumpSet(emptyDump)).rejects.toMatchObject({ code: 'FOLDER_EMPTY', message: expect.stringContaining('no dump files found (read as vendor-pc') });
  });

  it('an unreadable folder is FILE_UNREADABLE (skipped when running as root)', async () => {
    if (process.getuid?.() === 0) return; // root ignores permissions
    const dir = await folder({ 'x/a.bin': new Uint8Array(1) });
    const x = path.join(dir, 'x');
    await fsp.chmod(x, 0o000);
    try {
      await expect(openDumpSet(x)).rejects.toMatchObject({ code: 'FILE_UNREADABLE', message: expect.stringContaining(x) });
    } finally {
      await fsp.chmod(x, 0o755);
    }
  });

  it('plain folders: --shapes fills shapes by sanitized or original name and reports unused keys', async () => {
    const dir = await folder({ 'backbone_relu_1.bin': new Uint8Array(64), 'other.bin': new Uint8Array(3) });
    const set = await openDumpSet(dir, { shapes: { 'backbone/relu_1': [1, 2, 2, 16], other: [2, 2], nothere: [1] } });
    expect(set.kind).toBe('plain');
    expect(set.entries.map((e) => [e.name, e.dtype, e.shape, e.shapeSource, e.problem?.code ?? null])).toEqual([
      ['backbone_relu_1', 'uint8', [1, 2, 2, 16], 'shapes-map', null],
      ['other', null, [2, 2], 'shapes-map', 'size-mismatch'],
    ]);
    expect(set.warnings).toEqual([
      'no dump log given: the shapes of 2 file(s) are unknown and the order is the file-name order (pass --shapes with a JSON map of name -> shape)',
      `--shapes: 1 name(s) matched no file without a shape in ${dir}: nothere`,
    ]);
    // logged shapes are never overridden by --shapes
    const { dir: g, index } = await goldenTmp();
    const pc = await openDumpSet(path.join(g, index.pc.dir), { shapes: { '411_Quantize': [256] } });
    expect(pc.entries[1]!.shape).toEqual([1, 8, 8, 4]);
    expect(applyShapes(pc, {}).warnings).toEqual(pc.warnings);
  });

  it('opts.kind forces a reader', async () => {
    const dir = await folder({ 'a_out.bin': new Uint8Array(2), 'b_out.bin': new Uint8Array(2) });
    expect((await openDumpSet(dir)).kind).toBe('board');
    const plain = await openDumpSet(dir, { kind: 'plain' });
    expect([plain.kind, plain.entries.map((e) => e.name)]).toEqual(['plain', ['a_out', 'b_out']]);
  });
});
