import { createHash } from 'node:crypto';
import { existsSync, promises as fsp, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../golden/temp-golden.js';
import { TensorFileThreads } from '../io/tensor-file-threads.js';
import { shapeFromInputName, vendorInputStem } from '../names.js';
import { DumpFolderWriter, writeManifest, type TensorMeta } from './dump-folder-writer.js';
import { openManifestFolder, readManifest } from './manifest.js';
import { MANIFEST_FORMAT, type Manifest } from './manifest-types.js';
import { openDumpSet } from './open.js';
import { md5File, readEntryValues } from './read.js';

const md5 = (b: Uint8Array | string): string => createHash('md5').update(b).digest('hex');
const layer = (tensorName: string, shape: number[] = [4], dtype: TensorMeta['dtype'] = 'uint8'): TensorMeta => ({
  tensorName,
  nodeName: `${tensorName}_node`,
  opType: 'Relu',
  dtype,
  shape,
  layout: shape.length === 4 ? 'NHWC' : 'row-major',
  role: 'layer',
});

describe('DumpFolderWriter: files, md5s, collisions', () => {
  it('writes files atomically with md5s, resolves sanitized-name collisions stably, and reads back', async () => {
    const dir = tmpDir();
    const b = new DumpFolderWriter(dir, { producer: 'reference', model: { file: 'm.onnx', md5: '0'.repeat(32) } });
    const t1 = b.add({ tensorName: 'a/b', nodeName: 'n1', opType: 'Conv', dtype: 'uint8', shape: [1, 1, 1, 4], layout: 'NHWC', scale: 0.25, zeroPoint: 1 }, new Uint8Array([1, 2, 3, 4]));
    const t2 = b.add({ tensorName: 'a:b', nodeName: 'n2', opType: 'Relu', dtype: 'uint8', shape: [4], layout: 'row-major' }, [new Uint8Array([5]), new Uint8Array([6, 7, 8])]);
    const t3 = b.add({ tensorName: 'a_b_1', nodeName: 'n3', opType: 'Add', dtype: 'float32', shape: [1], layout: 'row-major' }, new Uint8Array(4));
    const t4 = b.add({ tensorName: 'A/B', nodeName: 'n4', opType: 'Add', dtype: 'uint4', shape: [3], layout: 'row-major' }, new Uint8Array(2));
    expect([t1.file, t2.file, t3.file, t4.file]).toEqual(['a_b.bin', 'a_b_1.bin', 'a_b_1_1.bin', 'A_B_2.bin']);
    expect(b.renamed).toEqual([
      { tensorName: 'a:b', wanted: 'a_b', file: 'a_b_1.bin' },
      { tensorName: 'a_b_1', wanted: 'a_b_1', file: 'a_b_1_1.bin' },
      { tensorName: 'A/B', wanted: 'A_B', file: 'A_B_2.bin' },
    ]);
    expect(t2.md5).toBe(md5(new Uint8Array([5, 6, 7, 8])));
    expect(t2.md5).toBe(await md5File(path.join(dir, 'a_b_1.bin')));
    expect(() => b.add({ tensorName: 'bad', nodeName: '', opType: 'X', dtype: 'float32', shape: [2], layout: 'row-major' }, new Uint8Array(7))).toThrow(
      'tensor "bad" float32 [2] needs 8 bytes, got 7',
    );
    // The failed write left no file and gave its name back.
    expect(b.add(layer('bad', [1]), new Uint8Array([9])).file).toBe('bad.bin');
    const m = await b.finish();
    expect(m.tensors.map((t) => t.order)).toEqual([0, 1, 2, 3, 4]);
    expect(m.skipped).toBeUndefined();
    expect((await fsp.readdir(dir)).sort()).toEqual(['A_B_2.bin', 'a_b.bin', 'a_b_1.bin', 'a_b_1_1.bin', 'bad.bin', 'manifest.json']);
    expect(await readManifest(dir)).toEqual(m);
    const set = await openManifestFolder(dir);
    expect(set.entries.map((e) => [e.name, e.originalName, e.nodeName, e.opType, e.dtype, e.layout, e.scale, e.zeroPoint, e.problem])).toEqual([
      ['a_b', 'a/b', 'n1', 'Conv', 'uint8', 'NHWC', 0.25, 1, undefined],
      ['a_b_1', 'a:b', 'n2', 'Relu', 'uint8', 'row-major', undefined, undefined, undefined],
      ['a_b_1_1', 'a_b_1', 'n3', 'Add', 'float32', 'row-major', undefined, undefined, undefined],
      ['A_B_2', 'A/B', 'n4', 'Add', 'uint4', 'row-major', undefined, undefined, undefined],
      ['bad', 'bad', 'bad_node', 'Relu', 'uint8', 'row-major', undefined, undefined, undefined],
    ]);
    expect(() => b.add(layer('late', [1]), new Uint8Array(1))).toThrow('after finish');
    await expect(b.finish()).rejects.toThrow('twice');
  });

  it('typed arrays are written as their little-endian bytes (uint16 with scale and zero point)', async () => {
    const dir = tmpDir();
    const w = new DumpFolderWriter(dir, { producer: 'reference' });
    const q = Uint16Array.of(0, 1, 1023, 513);
    const t = w.add({ ...layer('q10', [1, 1, 2, 2], 'uint16'), scale: 0.125, zeroPoint: 512 }, q);
    expect([...readFileSync(path.join(dir, 'q10.bin'))]).toEqual([0, 0, 1, 0, 0xff, 3, 1, 2]);
    expect(t.md5).toBe(md5(new Uint8Array([0, 0, 1, 0, 0xff, 3, 1, 2])));
    // A view into a larger buffer writes only its own bytes.
    const big = Float32Array.of(9, 1.5, -2, 9);
    w.add(layer('f', [2], 'float32'), big.subarray(1, 3));
    expect([...new Float32Array(new Uint8Array(readFileSync(path.join(dir, 'f.bin'))).buffer)]).toEqual([1.5, -2]);
    await w.finish();
    const set = await openDumpSet(dir);
    const e = set.entries[0]!;
    expect([e.dtype, e.scale, e.zeroPoint]).toEqual(['uint16', 0.125, 512]);
    expect([...readEntryValues(e)].map((v) => (v - e.zeroPoint!) * e.scale!)).toEqual([-64, -63.875, 63.875, 0.125]);
  });

  it('reserved stems: automatic names avoid them, explicit stems and extra files claim them', async () => {
    const dir = tmpDir();
    const w = new DumpFolderWriter(dir, { producer: 'float' });
    const files = [
      w.add(layer('input'), new Uint8Array(4)).file,
      w.add({ ...layer('images', [1, 1, 1, 4]), nodeName: '', opType: 'Input', role: 'input' }, new Uint8Array(4), { stem: 'input' }).file,
      w.add(layer('Manifest'), new Uint8Array(4)).file,
      w.add(layer('PARAMS'), new Uint8Array(4)).file,
      w.add(layer('model_node_info'), new Uint8Array(4)).file,
      w.add(layer(''), new Uint8Array(4)).file,
    ];
    expect(files).toEqual(['input_1.bin', 'input.bin', 'Manifest_1.bin', 'PARAMS_1.bin', 'model_node_info_1.bin', '_.bin']);
    expect(() => w.add(layer('x'), new Uint8Array(4), { stem: 'INPUT' })).toThrow('file stem "INPUT" is already used');
    for (const bad of ['../x', '', '.hidden']) expect(() => w.add(layer('x'), new Uint8Array(4), { stem: bad }), bad).toThrow('not a plain file name');
    const pixels = Uint8Array.of(1, 2, 3);
    expect(await w.writeExtra('input_uint8.bin', pixels)).toBe(md5(pixels));
    expect(await w.writeExtra('model_node_info.json', '{"all_type": []}\n')).toBe(md5('{"all_type": []}\n'));
    expect(w.add(layer('input_uint8'), new Uint8Array(4)).file).toBe('input_uint8_1.bin');
    await expect(w.writeExtra('Input_1.bin', pixels)).rejects.toThrow('already used');
    await expect(w.writeExtra('../x.bin', pixels)).rejects.toThrow('not a plain file name');
    await expect(w.writeExtra('manifest.json', '{}')).rejects.toThrow('not a plain file name');
    // The manifest is written last: nothing is there before finish().
    expect(existsSync(path.join(dir, 'manifest.json'))).toBe(false);
    const m = await w.finish();
    expect(m.tensors.map((t) => t.file)).toEqual([...files, 'input_uint8_1.bin']);
    expect(readFileSync(path.join(dir, 'input_uint8.bin'))).toEqual(Buffer.from(pixels));
    expect(readFileSync(path.join(dir, 'model_node_info.json'), 'utf8')).toBe('{"all_type": []}\n');
    expect((await fsp.readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(w.renamed.map((r) => r.file)).toEqual(['input_1.bin', 'Manifest_1.bin', 'PARAMS_1.bin', 'model_node_info_1.bin', 'input_uint8_1.bin']);
  });

  it('a custom reserved list replaces the default', async () => {
    const w = new DumpFolderWriter(tmpDir(), { producer: 'x', reserved: ['conv'] });
    expect([w.add(layer('input'), new Uint8Array(4)).file, w.add(layer('CONV'), new Uint8Array(4)).file]).toEqual(['input.bin', 'CONV_1.bin']);
  });

  it('skipped tensors are listed in the manifest with their reason', async () => {
    const dir = tmpDir();
    const w = new DumpFolderWriter(dir, { producer: 'float', inputMd5: 'f'.repeat(32) });
    w.add(layer('a'), new Uint8Array(4));
    const shape = [4];
    w.skip({ tensorName: 's', nodeName: 'shape', opType: 'Shape', dtype: 'int64', shape, reason: 'not floating point (int64)' });
    shape[0] = 99; // the writer keeps its own copy
    const m = await w.finish();
    expect(m.skipped).toEqual([{ tensorName: 's', nodeName: 'shape', opType: 'Shape', dtype: 'int64', shape: [4], reason: 'not floating point (int64)' }]);
    expect(JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'))).toEqual(m);
    expect(m.inputMd5).toBe('f'.repeat(32));
  });
});

describe('DumpFolderWriter: md5 supplied later', () => {
  it('delegated files (written and hashed by file threads) are renamed into place, in add() order, with their md5', async () => {
    const dir = tmpDir();
    const w = new DumpFolderWriter(dir, { producer: 'float' });
    const files = new TensorFileThreads(2, { slots: 2 });
    const expected: string[] = [];
    try {
      for (let i = 0; i < 7; i++) {
        const n = 100 + i * 150;
        const f32 = new Float32Array(n);
        for (let k = 0; k < n; k++) f32[k] = Math.sin(k * 0.37 + i) * 10;
        expected.push(md5(new Uint8Array(f32.buffer)));
        if (i === 3) w.add(layer('plain', [n], 'float32'), f32); // a file of the main thread between delegated ones
        void w.delegate(layer(`t${i}`, [n], 'float32'), n * 4, (tmp) => {
          expect(path.dirname(tmp)).toBe(dir);
          expect(path.basename(tmp)).toMatch(/^\.t\d\.bin\.tmp-/);
          return files.write(f32, null, tmp, true);
        });
      }
      expect(() => w.delegate(layer('short', [10], 'float32'), 36, () => files.write(new Float32Array(9), null, path.join(dir, 'x'), true))).toThrow(/needs 40 bytes, got 36/);
      const m = await w.finish();
      expect(m.tensors.map((t) => t.file)).toEqual(['t0.bin', 't1.bin', 't2.bin', 'plain.bin', 't3.bin', 't4.bin', 't5.bin', 't6.bin']);
      expect(m.tensors.filter((t) => t.file !== 'plain.bin').map((t) => t.md5)).toEqual(expected);
      for (const t of m.tensors) expect(await md5File(path.join(dir, t.file))).toBe(t.md5);
      expect(await readManifest(dir)).toEqual(m);
      expect((await fsp.readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    } finally {
      await files.close();
    }
  });

  it('a delegated file that cannot be written fails finish() after every other file settled; no manifest, no temporary', async () => {
    const dir = tmpDir();
    const w = new DumpFolderWriter(dir, { producer: 'float' });
    const files = new TensorFileThreads(1);
    try {
      const ok = w.delegate(layer('good', [256], 'float32'), 1024, (tmp) => files.write(new Float32Array(256).fill(1), null, tmp, true));
      // the thread finds the temporary taken (as a full disk or a removed folder would fail it)
      const bad = w.delegate(layer('bad', [4], 'float32'), 16, (tmp) => {
        writeFileSync(tmp, 'someone else');
        return files.write(new Float32Array(4), null, tmp, true);
      });
      await expect(bad).rejects.toThrow();
      await expect(w.finish()).rejects.toThrow();
      await ok;
      expect(existsSync(path.join(dir, 'good.bin'))).toBe(true);
      expect(existsSync(path.join(dir, 'bad.bin'))).toBe(false);
      expect(existsSync(path.join(dir, 'manifest.json'))).toBe(false);
      expect((await fsp.readdir(dir)).filter((f) => f.includes('.tmp-'))).toEqual([]);
    } finally {
      await files.close();
    }
  });

  it('a known md5 string is recorded as given; a failed md5 promise fails finish() and writes no manifest', async () => {
    const dir = tmpDir();
    const w = new DumpFolderWriter(dir, { producer: 'float' });
    expect(w.add(layer('k'), new Uint8Array(4), { md5: 'a'.repeat(32) }).md5).toBe('a'.repeat(32));
    // A throwing add() leaves its promised md5 handled (vitest fails the run on an unhandled rejection).
    expect(() => w.add(layer('short'), new Uint8Array(3), { md5: Promise.reject(new Error('never awaited')) })).toThrow('needs 4 bytes, got 3');
    w.add(layer('p'), new Uint8Array(4), { md5: Promise.reject(new Error('worker died')) });
    await expect(w.finish()).rejects.toThrow('worker died');
    expect((await fsp.readdir(dir)).sort()).toEqual(['k.bin', 'p.bin']);
  });
});

describe('DumpFolderWriter: vendor-style folder (no manifest, dump log)', () => {
  it('MAGIK_DATA_DUMP/ with the vendor log next to it opens as a vendor-pc folder with logged shapes', async () => {
    const root = tmpDir();
    const dump = path.join(root, 'MAGIK_DATA_DUMP');
    const log = path.join(root, 'pc.log');
    const w = await DumpFolderWriter.create(dump, { producer: 'reference', manifest: false, log: { file: log, color: true } });
    const input = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 7);
    w.add({ ...layer('images', [1, 2, 3, 3]), role: 'input', opType: 'Input' }, input, { stem: vendorInputStem([1, 2, 3, 3]) });
    w.add(layer('conv/out', [1, 2, 3, 4]), Uint8Array.from({ length: 24 }, (_, i) => 255 - i));
    w.add(layer('q10', [1, 1, 2, 3], 'uint16'), Uint16Array.of(1, 2, 3, 1000, 1001, 1023));
    w.add(layer('head', [5], 'float32'), Float32Array.of(0.5, -1, 2, 3, 4));
    w.add(layer('manifest', [2]), Uint8Array.of(1, 2)); // reserved even without a manifest
    const m = await w.finish();
    expect(existsSync(path.join(dump, 'manifest.json'))).toBe(false);
    expect(shapeFromInputName(m.tensors[0]!.file)).toEqual([1, 2, 3, 3]);
    expect(() => vendorInputStem([1, 2, 3])).toThrow('not a 4-D NHWC shape');
    expect(m.tensors.map((t) => t.file)).toEqual(['input_data_shape_1_2_3_3.bin', 'conv_out.bin', 'q10.bin', 'head.bin', 'manifest_1.bin']);
    const text = readFileSync(log, 'utf8');
    expect(text.split('\n')[1]).toBe('\x1b[32mLog: Data dumping to:./MAGIK_DATA_DUMP/conv_out.bin--->shape:[1,2,3,4]\x1b[0m');
    expect(text).toBe(w.logText());
    const set = await openDumpSet(root);
    expect(set.kind).toBe('vendor-pc');
    expect(set.warnings.filter((x) => !x.startsWith('using the dump log'))).toEqual([]);
    expect(set.entries.map((e) => [e.name, e.dtype, e.shape, e.role, e.problem])).toEqual([
      ['input_data_shape_1_2_3_3', 'uint8', [1, 2, 3, 3], 'input', undefined],
      ['conv_out', 'uint8', [1, 2, 3, 4], 'layer', undefined],
      ['q10', 'uint16', [1, 1, 2, 3], 'layer', undefined],
      ['head', 'float32', [5], 'layer', undefined],
      ['manifest_1', 'uint8', [2], 'layer', undefined],
    ]);
    expect([...readEntryValues(set.entries[2]!)]).toEqual([1, 2, 3, 1000, 1001, 1023]);
    expect([...readEntryValues(set.entries[3]!)]).toEqual([0.5, -1, 2, 3, 4]);
  });

  it('log: a scalar is logged as [1]; a stem the log cannot express is refused before any file is written', async () => {
    const root = tmpDir();
    const dir = path.join(root, 'out');
    await fsp.mkdir(dir);
    const w = new DumpFolderWriter(dir, { producer: 'x', manifest: false, log: { file: path.join(root, 'run.log'), dir: './out' } });
    w.add(layer('s', [], 'float32'), Float32Array.of(2.5));
    expect(() => w.add(layer('x'), new Uint8Array(4), { stem: 'caf\u00e9' })).toThrow('not a sanitized file name');
    expect(await fsp.readdir(dir)).toEqual(['s.bin']);
    expect(w.add(layer('x'), new Uint8Array(4), { stem: 'x' }).file).toBe('x.bin');
    expect(w.logText()).toBe('Log: Data dumping to:./out/s.bin--->shape:[1]\nLog: Data dumping to:./out/x.bin--->shape:[4]\n');
    await w.finish();
    expect((await fsp.readdir(dir)).sort()).toEqual(['s.bin', 'x.bin']);
    expect(readFileSync(path.join(root, 'run.log'), 'utf8')).toBe(w.logText());
  });

  it('create() refuses a non-empty folder unless force', async () => {
    const dir = tmpDir();
    await fsp.writeFile(path.join(dir, 'old.bin'), 'x');
    await expect(DumpFolderWriter.create(dir, { producer: 'x' })).rejects.toMatchObject({ code: 'FOLDER_NOT_EMPTY' });
    const w = await DumpFolderWriter.create(dir, { producer: 'x', force: true });
    w.add(layer('old'), new Uint8Array(4));
    await w.finish();
    expect(readFileSync(path.join(dir, 'old.bin')).length).toBe(4);
  });
});

describe('writeManifest', () => {
  const sample = (): Manifest => ({
    format: MANIFEST_FORMAT,
    version: 1,
    producer: 'test',
    tool: { name: 'magik-parity', version: '0.1.0' },
    tensors: [{ order: 0, file: 'in.bin', tensorName: 'in', nodeName: '', opType: 'Input', dtype: 'uint8', shape: [1, 2, 2, 3], layout: 'NHWC', md5: 'd41d8cd98f00b204e9800998ecf8427e', role: 'input' }],
  });
  it('refuses an invalid manifest and writes nothing', async () => {
    const dir = tmpDir();
    const m = sample();
    m.tensors[0]!.file = '../escape.bin';
    await expect(writeManifest(dir, m)).rejects.toMatchObject({ code: 'MANIFEST_FORMAT' });
    expect(await fsp.readdir(dir)).toEqual([]);
    await writeManifest(dir, sample());
    expect(await fsp.readdir(dir)).toEqual(['manifest.json']);
    expect(await readManifest(dir)).toEqual(sample());
  });
});
