import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotTree, tmpDir } from '../../golden/temp-golden.js';
import { ManifestBuilder, writeManifest } from './manifest-builder.js';
import { openManifestFolder, readManifest, validateManifest } from './manifest.js';
import { MANIFEST_FORMAT, type Manifest } from './manifest-types.js';
import { md5File } from './read.js';

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

describe('ManifestBuilder', () => {
  it('writes files atomically with md5s, resolves sanitized-name collisions stably, and reads back', async () => {
    const dir = tmpDir();
    const b = new ManifestBuilder(dir, { producer: 'reference', model: { file: 'm.onnx', md5: '0'.repeat(32) } });
    const t1 = b.add({ tensorName: 'a/b', nodeName: 'n1', opType: 'Conv', dtype: 'uint8', shape: [1, 1, 1, 4], layout: 'NHWC', scale: 0.25, zeroPoint: 1 }, new Uint8Array([1, 2, 3, 4]));
    const t2 = b.add({ tensorName: 'a:b', nodeName: 'n2', opType: 'Relu', dtype: 'uint8', shape: [4], layout: 'row-major' }, [new Uint8Array([5]), new Uint8Array([6, 7, 8])]);
    const t3 = b.add({ tensorName: 'a_b_1', nodeName: 'n3', opType: 'Add', dtype: 'float32', shape: [1], layout: 'row-major' }, new Uint8Array(4));
    const t4 = b.add({ tensorName: 'A/B', nodeName: 'n4', opType: 'Add', dtype: 'uint4', shape: [3], layout: 'row-major' }, new Uint8Array(2));
    expect([t1.file, t2.file, t3.file, t4.file]).toEqual(['a_b.bin', 'a_b_1.bin', 'a_b_1_1.bin', 'A_B_2.bin']);
    expect(b.renamed).toEqual([
      { tensorName: 'a:b', file: 'a_b_1.bin' },
      { tensorName: 'a_b_1', file: 'a_b_1_1.bin' },
      { tensorName: 'A/B', file: 'A_B_2.bin' },
    ]);
    expect(t2.md5).toBe(await md5File(path.join(dir, 'a_b_1.bin')));
    expect(() => b.add({ tensorName: 'bad', nodeName: '', opType: 'X', dtype: 'float32', shape: [2], layout: 'row-major' }, new Uint8Array(7))).toThrow(
      'tensor "bad" float32 [2] needs 8 bytes, got 7',
    );
    const m = await b.finish();
    expect(m.tensors.map((t) => t.order)).toEqual([0, 1, 2, 3]);
    expect((await fsp.readdir(dir)).sort()).toEqual(['A_B_2.bin', 'a_b.bin', 'a_b_1.bin', 'a_b_1_1.bin', 'manifest.json']);
    expect(await readManifest(dir)).toEqual(m);
    const set = await openManifestFolder(dir);
    expect(set.entries.map((e) => [e.name, e.originalName, e.nodeName, e.opType, e.dtype, e.layout, e.scale, e.zeroPoint, e.problem])).toEqual([
      ['a_b', 'a/b', 'n1', 'Conv', 'uint8', 'NHWC', 0.25, 1, undefined],
      ['a_b_1', 'a:b', 'n2', 'Relu', 'uint8', 'row-major', undefined, undefined, undefined],
      ['a_b_1_1', 'a_b_1', 'n3', 'Add', 'float32', 'row-major', undefined, undefined, undefined],
      ['A_B_2', 'A/B', 'n4', 'Add', 'uint4', 'row-major', undefined, undefined, undefined],
    ]);
    expect(() => b.add({ tensorName: 'late', nodeName: '', opType: 'X', dtype: 'uint8', shape: [1], layout: 'row-major' }, new Uint8Array(1))).toThrow('after finish');
  });

  it('folder checks: missing file, size mismatch, unlisted .bin; the folder is not modified', async () => {
    const dir = tmpDir();
    const b = new ManifestBuilder(dir, { producer: 'float' });
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

  it('writeManifest refuses an invalid manifest and writes nothing', async () => {
    const dir = tmpDir();
    const m = sample();
    m.tensors[0]!.file = '../escape.bin';
    await expect(writeManifest(dir, m)).rejects.toMatchObject({ code: 'MANIFEST_FORMAT' });
    expect(await fsp.readdir(dir)).toEqual([]);
    await writeManifest(dir, sample());
    expect(await fsp.readdir(dir)).toEqual(['manifest.json']);
  });
});
