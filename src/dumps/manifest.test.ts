import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotTree, tmpDir } from '../../golden/temp-golden.js';
import { DumpFolderWriter } from './dump-folder-writer.js';
import { openManifestFolder, readManifest, validateManifest } from './manifest.js';
import { MANIFEST_FORMAT, type Manifest } from './manifest-types.js';

function sample(): Manifest {
  return {
    format: MANIFEST_FORMAT,
    version: 1,
    producer: 'test',
    tool: { name: 'magik-parity', version: '0.1.0' },
    tensors: [
      { order: 0, file: 'in.bin', tensorName: 'in', nodeName: '', opType: 'Input', dtype: 'uint8', shape: [1, 2, 2, 3], layout: 'NHWC', md5: 'd41d8cd98f00b204e9800998ecf8427e', role: 'input' },
      { order: 1, file: 'a.bin', tensorName: 'a/x', nodeName: 'n', opType: 'Conv', dtype: 'uint8', shape: [4], layout: 'row-major', scale: 0.5, zeroPoint: 2, md5: 'd41d8cd98f00b204e9800998ecf8427e' },
    ],
  };
}

function errOf(v: unknown): { code?: string; message?: string } {
  try {
    validateManifest(v, 'm.json');
  } catch (e) {
    return e as { code: string; message: string };
  }
  return {};
}

describe('manifest validation', () => {
  it('accepts a valid manifest', () => {
    expect(validateManifest(sample())).toEqual(sample());
  });

  it('rejects each bad field with MANIFEST_FORMAT naming it', () => {
    const mut = (f: (m: any) => void) => {
      const m = sample() as any;
      f(m);
      return m;
    };
    const cases: [unknown, string][] = [
      [[], 'm.json: not a JSON object'],
      [mut((m) => (m.format = 'x')), 'format is "x", expected "magik-parity-manifest"'],
      [mut((m) => (m.version = 2)), 'version 2 is not supported'],
      [mut((m) => (m.producer = 3)), 'producer must be a string'],
      [mut((m) => (m.tool = { name: 'x' })), 'tool must be'],
      [mut((m) => (m.model = { file: 'a' })), 'model must be'],
      [mut((m) => (m.tensors = {})), 'tensors must be an array'],
      [mut((m) => (m.tensors[1].order = -1)), 'tensors[1].order must be a non-negative integer'],
      [mut((m) => (m.tensors[1].file = '../x.bin')), 'tensors[1].file "../x.bin" is not a plain file name'],
      [mut((m) => (m.tensors[1].file = '/etc/x.bin')), 'is not a plain file name'],
      [mut((m) => (m.tensors[1].file = 'sub\\x.bin')), 'is not a plain file name'],
      [mut((m) => (m.tensors[1].file = '..')), 'is not a plain file name'],
      [mut((m) => (m.tensors[1].file = 'C:x.bin')), 'is not a plain file name'],
      [mut((m) => (m.tensors[1].tensorName = 1)), 'tensors[1].tensorName must be a string'],
      [mut((m) => (m.tensors[1].dtype = 'float16')), 'tensors[1].dtype "float16" is not a known dtype'],
      [mut((m) => (m.tensors[1].shape = [1, 'a'])), 'tensors[1].shape must be an array'],
      [mut((m) => (m.tensors[1].layout = 'CHW')), 'tensors[1].layout "CHW" must be'],
      [mut((m) => (m.tensors[1].scale = 0)), 'tensors[1].scale must be a positive finite number'],
      [mut((m) => (m.tensors[1].zeroPoint = 0.5)), 'tensors[1].zeroPoint must be an integer'],
      [mut((m) => (m.tensors[1].md5 = 'ABC')), 'tensors[1].md5 must be 32 lowercase hex digits'],
      [mut((m) => (m.tensors[1].role = 'output')), 'tensors[1].role must be'],
      [mut((m) => (m.tensors[1].file = 'in.bin')), 'tensors[0] ("in") and tensors[1] ("a/x") both use file in.bin'],
      [mut((m) => (m.tensors[1].file = 'IN.bin')), 'tensors[0] ("in") and tensors[1] ("a/x") both use file IN.bin'],
      [mut((m) => (m.tensors[1].order = 0)), 'tensors[0] and tensors[1] both have order 0'],
    ];
    for (const [v, msg] of cases) {
      const e = errOf(v);
      expect(e.code, msg).toBe('MANIFEST_FORMAT');
      expect(e.message, msg).toContain(msg);
    }
  });

  it('reading: bad JSON and a missing manifest are UserErrors naming the file', async () => {
    const dir = tmpDir();
    await expect(readManifest(dir)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining(path.join(dir, 'manifest.json')) });
    await fsp.writeFile(path.join(dir, 'manifest.json'), '{"format":');
    await expect(readManifest(dir)).rejects.toMatchObject({ code: 'MANIFEST_FORMAT', message: expect.stringContaining('not valid JSON') });
  });
});

describe('openManifestFolder', () => {
  it('folder checks: missing file, size mismatch, unlisted .bin; the folder is not modified', async () => {
    const dir = tmpDir();
    const b = new DumpFolderWriter(dir, { producer: 'float' });
    b.add({ tensorName: 'x', nodeName: 'n', opType: 'Conv', dtype: 'float32', shape: [2, 2], layout: 'row-major' }, new Uint8Array(16));
    b.add({ tensorName: 'y', nodeName: 'n', opType: 'Conv', dtype: 'uint16', shape: [1, 1, 2, 2], layout: 'NHWC' }, new Uint8Array(8));
    b.add({ tensorName: 'z', nodeName: 'n', opType: 'Conv', dtype: 'uint8', shape: [3], layout: 'row-major' }, new Uint8Array(3));
    await b.finish();
    await fsp.rm(path.join(dir, 'x.bin'));
    await fsp.writeFile(path.join(dir, 'y.bin'), new Uint8Array(6));
    await fsp.writeFile(path.join(dir, 'extra.bin'), new Uint8Array(1));
    await fsp.writeFile(path.join(dir, 'notes.txt'), 'hi');
    const before = await snapshotTree(dir);
    const set = await openManifestFolder(dir);
    expect(await snapshotTree(dir)).toEqual(before);
    expect(set.entries.map((e) => [e.name, e.problem?.code ?? null, e.problem?.expectedBytes ?? null, e.problem?.actualBytes ?? null])).toEqual([
      ['x', 'missing-file', null, null],
      ['y', 'size-mismatch', 8, 6],
      ['z', null, null, null],
    ]);
    expect(set.entries[1]!.problem!.reason).toBe('cannot compare: 6 bytes do not fit shape [1,1,2,2] (4 elements): uint16 needs 8');
    expect(set.warnings).toEqual([`manifest.json lists x.bin ("x") but the file is not in ${dir}`, 'extra.bin is in the folder but not in manifest.json; ignored']);
    expect(set.ignored.map((i) => [path.basename(i.file), i.reason])).toEqual([
      ['extra.bin', 'not listed in manifest.json'],
      ['notes.txt', 'not a .bin dump'],
    ]);
  });
});
