import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fsp, readFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFloat, type FloatOptions } from './run-float.js';
import { buildModel } from '../onnx/build.js';
import { UserError } from '../errors.js';

/**
 * x[1,3,2,2] -> Mul(k = Constant [1,3,1,1] = 1,2,3) -> m -> Relu -> r -> Shape -> s (int64)
 * -> Reshape(r, s) -> y; every value is known by hand.
 */
const TINY = buildModel({
  nodes: [
    { opType: 'Constant', name: 'k', inputs: [], outputs: ['k'], attrs: { value: { name: 'kv', dims: [1, 3, 1, 1], values: [1, 2, 3] } } },
    { opType: 'Mul', name: 'mul', inputs: ['x', 'k'], outputs: ['m'] },
    { opType: 'Relu', name: 'relu', inputs: ['m'], outputs: ['r/out'] },
    { opType: 'Shape', name: 'shape', inputs: ['r/out'], outputs: ['s'] },
    { opType: 'Reshape', name: 'reshape', inputs: ['r/out', 's'], outputs: ['y'] },
  ],
  inputs: [{ name: 'x', dims: [1, 3, 2, 2] }],
  outputs: [{ name: 'y', dims: [1, 3, 2, 2] }],
});

let tmp: string;
let model: string;
let input: string;
// NHWC [1,2,2,3] pixels: p0 = (0,10,20), p1 = (1,11,21), ...
const PIXELS = Uint8Array.from([0, 10, 20, 1, 11, 21, 2, 12, 22, 3, 13, 23]);

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'magik-float-err-'));
  model = path.join(tmp, 'tiny.onnx');
  input = path.join(tmp, 'input_uint8.bin');
  await fsp.writeFile(model, TINY);
  await fsp.writeFile(input, PIXELS);
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const base = (out: string, over: Partial<FloatOptions> = {}): FloatOptions => ({ model, input, mean: '0', var: '1', out: path.join(tmp, out), ...over });

async function userError(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

function f32(file: string): number[] {
  const b = readFileSync(file);
  return Array.from(new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)));
}

describe('runFloat on a tiny model with known values', () => {
  it('writes NHWC float files named by sanitized tensor names; int64 and Constant outputs skipped', async () => {
    const r = await runFloat(base('ok', { mean: '1,0,0', var: '1,1,2' }));
    expect(r.manifest.tensors.map((t) => [t.file, t.tensorName, t.shape])).toEqual([
      ['input.bin', 'x', [1, 2, 2, 3]],
      ['m.bin', 'm', [1, 2, 2, 3]],
      ['r_out.bin', 'r/out', [1, 2, 2, 3]],
      ['y.bin', 'y', [1, 2, 2, 3]],
    ]);
    // x = (u8 - mean)/var per channel; m = x * (1,2,3); relu.
    const x = [-1, 10, 10, 0, 11, 10.5, 1, 12, 11, 2, 13, 11.5];
    expect(f32(path.join(r.out, 'input.bin'))).toEqual(x);
    const m = x.map((v, i) => v * [1, 2, 3][i % 3]!);
    expect(f32(path.join(r.out, 'm.bin'))).toEqual(m);
    expect(f32(path.join(r.out, 'r_out.bin'))).toEqual(m.map((v) => Math.max(0, v)));
    expect(r.manifest.skipped).toEqual([
      { tensorName: 'k', nodeName: 'k', opType: 'Constant', dtype: 'float32', shape: [1, 3, 1, 1], reason: 'Constant node output (a model constant, not an activation)' },
      { tensorName: 's', nodeName: 'shape', opType: 'Shape', dtype: 'int64', shape: [4], reason: 'not floating point (int64); float_model holds float activations only' },
    ]);
    expect(existsSync(path.join(r.out, 's.bin'))).toBe(false);
    const onDisk = JSON.parse(readFileSync(path.join(r.out, 'manifest.json'), 'utf8'));
    expect(onDisk).toEqual(JSON.parse(JSON.stringify(r.manifest)));
    expect(onDisk.producer).toBe('float');
  });

  it("nonFloat 'write' writes int64 tensors in their own type", async () => {
    const r = await runFloat(base('int64', { nonFloat: 'write' }));
    const s = r.manifest.tensors.find((t) => t.tensorName === 's')!;
    expect(s).toMatchObject({ file: 's.bin', dtype: 'int64', shape: [4], layout: 'row-major' });
    const b = readFileSync(path.join(r.out, 's.bin'));
    expect(Array.from(new BigInt64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)))).toEqual([1n, 3n, 2n, 2n]);
  });

  it('swap-rb swaps channels 0 and 2 of the pixels', async () => {
    const r = await runFloat(base('swap', { swapRb: true }));
    expect(f32(path.join(r.out, 'input.bin'))).toEqual([20, 10, 0, 21, 11, 1, 22, 12, 2, 23, 13, 3]);
    expect(readFileSync(path.join(r.out, 'input_uint8.bin')).equals(Buffer.from(PIXELS))).toBe(true);
  });

  it('a 4-channel board input uses channels 0-2 and warns when channel 3 is not zero', async () => {
    const four = new Uint8Array(16);
    for (let p = 0; p < 4; p++) {
      four.set(PIXELS.subarray(p * 3, p * 3 + 3), p * 4);
      four[p * 4 + 3] = p === 2 ? 9 : 0;
    }
    const f = path.join(tmp, 'board.bin');
    await fsp.writeFile(f, four);
    const r = await runFloat(base('board', { input: f }));
    expect(f32(path.join(r.out, 'input.bin'))).toEqual(Array.from(PIXELS));
    expect(r.warnings.join('\n')).toMatch(/channel 3 has 1 non-zero values; using channels 0-2/);
    expect(readFileSync(path.join(r.out, 'input_uint8.bin')).length).toBe(16);
  });
});

describe('runFloat bad input: one-line UserErrors naming the thing', () => {
  it('mean/var with the wrong count, var = 0', async () => {
    expect((await userError(runFloat(base('e1', { mean: '0,0' })))).message).toMatch(/--mean "0,0" has 2 values, the model input has 3 channels/);
    const e = await userError(runFloat(base('e2', { var: '1,0,1' })));
    expect(e.code).toBe('USAGE');
    expect(e.message).toMatch(/--var "1,0,1": value 1 is 0/);
  });

  it('input size that does not fit the model', async () => {
    const f = path.join(tmp, 'short.bin');
    await fsp.writeFile(f, new Uint8Array(10));
    const e = await userError(runFloat(base('e3', { input: f })));
    expect(e.code).toBe('SHAPE_MISMATCH');
    expect(e.message).toContain('short.bin: 10 bytes do not fit the input shape');
    const e2 = await userError(runFloat(base('e4', { inputShape: [1, 1, 4, 3] })));
    expect(e2.code).toBe('INPUT_MISMATCH');
    expect(e2.message).toMatch(/input NHWC \[1,1,4,3\] \(shape from option\) does not fit model input "x" NCHW \[1,3,2,2\]/);
  });

  it('non-empty output folder without --force; --force replaces', async () => {
    const out = path.join(tmp, 'busy');
    await fsp.mkdir(out);
    await fsp.writeFile(path.join(out, 'other.txt'), 'x');
    const e = await userError(runFloat(base('busy')));
    expect(e.code).toBe('FOLDER_NOT_EMPTY');
    expect(e.message).toContain(out);
    const r = await runFloat(base('busy', { force: true }));
    expect(r.written).toBe(4);
    expect(readFileSync(path.join(out, 'other.txt'), 'utf8')).toBe('x');
  });

  it('an output path that cannot be written', async () => {
    const file = path.join(tmp, 'plain-file');
    await fsp.writeFile(file, 'x');
    const e = await userError(runFloat(base('x', { out: path.join(file, 'sub') })));
    expect(e.message).toContain(path.join(file, 'sub'));
    if (existsSync('/sys/kernel')) {
      const e2 = await userError(runFloat(base('x', { out: '/sys/magik-parity-out' })));
      expect(e2.code).toBe('OUTPUT_UNWRITABLE');
    }
  });

  it('corrupt and unsupported models', async () => {
    const bad = path.join(tmp, 'bad.onnx');
    await fsp.writeFile(bad, TINY.subarray(0, TINY.length - 20));
    const e = await userError(runFloat(base('e5', { model: bad })));
    expect(e.code).toBe('ONNX_FORMAT');
    expect(e.message).toContain(bad);
  });
});
