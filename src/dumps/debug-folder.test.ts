import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { goldenTmp, snapshotTree, tmpDir } from '../../golden/temp-golden.js';
import { openDebugFolder, parseNodeInfo, readDebugFolder } from './debug-folder.js';
import { openDumpSet } from './open.js';

async function folder(files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = tmpDir();
  for (const [rel, data] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fsp.writeFile(path.join(dir, rel), data);
  }
  return dir;
}

describe('model_node_info.json', () => {
  it('maps node names and sanitized file stems to op types, with warnings for odd content', () => {
    const info = parseNodeInfo({ all_type: ['Conv', 'Relu'], Conv: ['m/conv', 'm:conv'], Relu: ['m/relu', 'm/conv'], Add: ['m/add'] }, 'i.json');
    expect(info.opTypeByNode).toEqual({ 'm/conv': 'Conv', 'm:conv': 'Conv', 'm/relu': 'Relu', 'm/add': 'Add' });
    expect(info.nodeBySanitized).toEqual({ m_conv: 'm/conv', m_relu: 'm/relu', m_add: 'm/add' });
    expect(info.warnings).toEqual([
      'i.json: nodes "m/conv" and "m:conv" share the file name m_conv.bin; "m/conv" is used',
      'i.json: node "m/conv" is listed under both Conv and Relu; Conv is used',
      'i.json: op type "Add" is not in all_type',
    ]);
  });

  it('rejects malformed content with DUMP_FORMAT naming the key', () => {
    expect(() => parseNodeInfo([], 'i.json')).toThrow('i.json: not a JSON object');
    expect(() => parseNodeInfo({ Conv: ['a'] }, 'i.json')).toThrow('i.json: "all_type" must be a list of op type names');
    expect(() => parseNodeInfo({ all_type: ['Conv'], Conv: 'a' }, 'i.json')).toThrow('i.json: "Conv" must be a list of node names (got "a")');
  });
});

describe('debug folder', () => {
  it('golden: default sub-folder float_model, input_uint8 first, op types attached, nothing modified', async () => {
    const { dir, index } = await goldenTmp();
    const root = path.join(dir, index.debug.dir);
    const before = await snapshotTree(root);
    const set = await openDumpSet(root);
    expect(set.kind).toBe('debug');
    const sorted = [...index.debug.nodes].sort((a, b) => (a.file < b.file ? -1 : 1));
    expect(set.entries.map((e) => [e.order, e.role, e.name, e.dtype, e.opType ?? null, e.shape])).toEqual([
      [0, 'input', 'input_uint8', 'uint8', null, null],
      ...sorted.map((n, i) => [i + 1, 'layer', n.file.replace('.bin', ''), 'float32', n.opType, null]),
    ]);
    expect(set.entries.every((e) => e.file.startsWith(root))).toBe(true);
    expect(set.entries.slice(1).every((e) => path.dirname(e.file) === path.join(root, 'float_model'))).toBe(true);
    expect(set.ignored.map((i) => path.basename(i.file))).toEqual(['input.bin']);
    expect(set.warnings).toEqual([]);
    const dq = await openDebugFolder(root, { sub: 'ptq_model_dequantize' });
    expect(dq.entries.slice(1).every((e) => path.dirname(e.file) === path.join(root, 'ptq_model_dequantize'))).toBe(true);
    const sub = await openDumpSet(path.join(root, 'ptq_model'));
    expect(sub.kind).toBe('debug-sub');
    expect(sub.entries.map((e) => [e.name, e.dtype, e.opType])).toEqual(sorted.map((n) => [n.file.replace('.bin', ''), n.ptqDtype, n.opType]));
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('without node info or float twins: warnings, unknown ptq dtype, and a clear error for a missing sub-folder', async () => {
    const dir = await folder({
      'float_model/a.bin': new Uint8Array(16),
      'float_model/b.bin': new Uint8Array(16),
      'ptq_model/a.bin': new Uint8Array(5),
      'ptq_model/c.bin': new Uint8Array(4),
    });
    const all = await readDebugFolder(dir);
    expect([all.nodeInfo, all.inputU8, all.inputFloat]).toEqual([null, null, null]);
    expect(all.ptq.entries.map((e) => [e.name, e.dtype])).toEqual([
      ['a', null],
      ['c', null],
    ]);
    expect(all.ptq.warnings).toEqual([
      `model_node_info.json not found in ${dir}: op types are unknown`,
      'ptq_model/a.bin: 5 bytes fit neither uint8 nor uint16 for the 4 elements of float_model/a.bin',
      'ptq_model/c.bin: no float_model/c.bin to tell uint8 from uint16; dtype unknown until a shape is given',
    ]);
    expect(all.dequant.entries).toEqual([]);
    expect(all.dequant.warnings).toEqual([`ptq_model_dequantize/ is missing from ${dir}`]);
    await expect(openDumpSet(dir, { sub: 'ptq_model_dequantize' })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining('has no ptq_model_dequantize/') });
    // a shape given later picks uint8 vs uint16 for the unknown one
    const withShapes = await openDumpSet(dir, { sub: 'ptq_model', shapes: { c: [2] } });
    expect(withShapes.entries.find((e) => e.name === 'c')).toMatchObject({ dtype: 'uint16', shape: [2], shapeSource: 'shapes-map' });
    // ptq files are never taken for float32 / uint4, whatever the shape says
    const asFloat = await openDumpSet(dir, { sub: 'ptq_model', shapes: { c: [1] } });
    expect(asFloat.entries.find((e) => e.name === 'c')!.problem).toMatchObject({
      code: 'size-mismatch',
      reason: 'cannot compare: 4 bytes do not fit shape [1] (1 elements): uint8 needs 1, uint16 needs 2',
    });
    const asU8 = await openDumpSet(dir, { sub: 'ptq_model', shapes: { c: [4] } });
    expect(asU8.entries.find((e) => e.name === 'c')!.dtype).toBe('uint8');
  });

  it('a bad model_node_info.json is a UserError naming it', async () => {
    const dir = await folder({ 'float_model/a.bin': new Uint8Array(4), 'ptq_model/a.bin': new Uint8Array(1), 'model_node_info.json': '{"all_type": 3}' });
    await expect(openDumpSet(dir)).rejects.toMatchObject({ code: 'DUMP_FORMAT', message: expect.stringContaining(path.join(dir, 'model_node_info.json')) });
  });
});
