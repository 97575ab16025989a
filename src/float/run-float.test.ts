import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runFloat, type FloatResult } from './run-float.js';
import { loadModel } from '../onnx/load.js';
import { graphOrder } from '../onnx/order.js';
import { createSession, floatTensor, runSession } from '../onnx/ort-session.js';
import { preprocess } from './preprocess.js';
import { sharedModel, syntheticImage } from '../../scripts/synthetic-input.js';
import type { OnnxModel } from '../onnx/types.js';

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'magik-float-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

function f32(file: string): Float32Array {
  const b = readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** The unmodified model's outputs on the same NCHW input, same session settings. */
async function plainRun(model: OnnxModel, nchw: Float32Array, dims: number[]): Promise<Record<string, { data: Float32Array; dims: readonly number[] }>> {
  const s = await createSession(model.bytes, model.file, { threads: 2 });
  try {
    const r = await runSession(s, { [model.graph.inputs[0]!.name]: floatTensor(nchw, dims) }, model.file);
    const out: Record<string, { data: Float32Array; dims: readonly number[] }> = {};
    for (const [k, v] of Object.entries(r)) out[k] = { data: v.data as Float32Array, dims: v.dims };
    return out;
  } finally {
    await s.release();
  }
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

interface Case {
  file: string;
  mean: number[];
  var: number[];
  /** Expected written tensors (input.bin included) and skipped ones. */
  written: number;
  skipped: number;
}

const CASES: Case[] = [
  { file: 'yolox_nano_3cls.onnx', mean: [0, 0, 0], var: [1, 1, 1], written: 370, skipped: 0 },
  { file: 'yunet_n_320_320.onnx', mean: [0, 0, 0], var: [1, 1, 1], written: 116, skipped: 0 },
  { file: 'fastestdet.onnx', mean: [0, 0, 0], var: [255, 255, 255], written: 212, skipped: 0 },
  { file: 'ultraface_rfb_320.onnx', mean: [127, 127, 127], var: [128, 128, 128], written: 1 + 242 - 31 - 48, skipped: 31 + 48 } /* 48 int64: Shape 8, Gather 8, Unsqueeze 24, Concat 8 */,
  { file: 'ultraface_rfb_320_simplified.onnx', mean: [127, 127, 127], var: [128, 128, 128], written: 111, skipped: 0 },
];

describe.each(CASES)('runFloat on $file', (c) => {
  let model: OnnxModel;
  let result: FloatResult;
  let input: Uint8Array;
  let nchw: Float32Array;
  let dims: number[];

  beforeAll(async () => {
    model = await loadModel(sharedModel(c.file));
    const [n, ch, h, w] = model.graph.inputs[0]!.shape as number[];
    dims = [n!, ch!, h!, w!];
    input = syntheticImage(n!, h!, w!, ch!, 7);
    const inFile = path.join(tmp, `${c.file}.input_uint8.bin`);
    await fsp.writeFile(inFile, input);
    result = await runFloat({ model, input: inFile, mean: c.mean, var: c.var, out: path.join(tmp, c.file), threads: 2 });
    nchw = preprocess(input, [n!, h!, w!, ch!], { mean: Float32Array.from(c.mean), var: Float32Array.from(c.var) }).nchw;
  });

  it('dumps every node output (float ones written, the rest listed as skipped)', () => {
    const m = result.manifest;
    expect(m.tensors).toHaveLength(c.written);
    expect(m.skipped?.length ?? 0).toBe(c.skipped);
    const nodeOutputs = model.graph.nodes.flatMap((n) => n.outputs.filter((o) => o));
    const covered = [...m.tensors.slice(1).map((t) => t.tensorName), ...(m.skipped ?? []).map((s) => s.tensorName)];
    expect(new Set(covered)).toEqual(new Set(nodeOutputs));
    expect(m.tensors.map((t) => t.order)).toEqual([...Array(c.written).keys()]);
    expect(m.tensors[0]).toMatchObject({ file: 'input.bin', role: 'input', opType: 'Input', shape: [dims[0], dims[2], dims[3], dims[1]], layout: 'NHWC' });
    expect(m.model).toEqual({ file: c.file, md5: model.md5 });
    expect(m.inputMd5).toBe(createHash('md5').update(input).digest('hex'));
  });

  it('files have the recorded size and md5; order is topological', async () => {
    const files = new Set(await fsp.readdir(result.out));
    const pos = new Map(result.manifest.tensors.map((t) => [t.tensorName, t.order]));
    const go = new Map(graphOrder(model).map((e) => [e.tensorName, e]));
    for (const t of result.manifest.tensors) {
      expect(files.has(t.file)).toBe(true);
      const bytes = readFileSync(path.join(result.out, t.file));
      expect(bytes.length).toBe(t.shape.reduce((a, b) => a * b, 1) * 4);
      expect(createHash('md5').update(bytes).digest('hex')).toBe(t.md5);
      if (t.role === 'layer') {
        expect(t.layout).toBe(t.shape.length === 4 ? 'NHWC' : 'row-major');
        for (const d of go.get(t.tensorName)!.dataInputs) if (pos.has(d) && d !== model.graph.inputs[0]!.name) expect(pos.get(d)!).toBeLessThan(t.order);
      }
    }
    expect([...files].filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(readFileSync(path.join(result.out, 'input_uint8.bin')).equals(Buffer.from(input))).toBe(true);
    const info = JSON.parse(readFileSync(path.join(result.out, 'model_node_info.json'), 'utf8')) as Record<string, string[]>;
    expect(info['all_type']!.length).toBe(new Set(model.graph.nodes.map((n) => n.opType)).size);
    expect(info['Conv']!.length).toBe(model.graph.nodes.filter((n) => n.opType === 'Conv').length);
  });

  it('final outputs equal a plain onnxruntime run of the unmodified model (max abs diff <= 1e-6)', async () => {
    const plain = await plainRun(model, nchw, dims);
    for (const o of model.graph.outputs) {
      const t = result.manifest.tensors.find((x) => x.tensorName === o.name)!;
      const dumped = f32(path.join(result.out, t.file));
      const ref = plain[o.name]!;
      let expected = ref.data;
      if (ref.dims.length === 4) {
        // NHWC layout: dump[n,h,w,c] = ort[n,c,h,w]
        const [n, ch, h, w] = ref.dims as number[];
        expected = new Float32Array(ref.data.length);
        for (let b = 0; b < n!; b++) for (let k = 0; k < ch!; k++) for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++)
          expected[((b * h! + y) * w! + x) * ch! + k] = ref.data[((b * ch! + k) * h! + y) * w! + x]!;
        expect(t.shape).toEqual([n, h, w, ch]);
      }
      expect(maxAbsDiff(dumped, expected)).toBeLessThanOrEqual(1e-6);
    }
  });

  it('input.bin is the preprocessed input in NHWC', () => {
    const ib = f32(path.join(result.out, 'input.bin'));
    const [n, ch, h, w] = dims;
    const got = new Float32Array(ib.length);
    for (let b = 0; b < n!; b++) for (let k = 0; k < ch!; k++) for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++)
      got[((b * ch! + k) * h! + y) * w! + x] = ib[((b * h! + y) * w! + x) * ch! + k]!;
    expect(maxAbsDiff(got, nchw)).toBe(0);
    const p = ((5 * w! + 9) * ch! + 1);
    expect(ib[p]).toBe(Math.fround((input[p]! - c.mean[1]!) / c.var[1]!));
  });
});

describe('runFloat NHWC layout on a known intermediate', () => {
  it('YOLOX Focus slice: dump[0,y,x,c] = input.bin[0,2y,x,c] (Slice on H, step 2)', async () => {
    const model = await loadModel(sharedModel('yolox_nano_3cls.onnx'));
    const out = path.join(tmp, 'yolox_nano_3cls.onnx');
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as FloatResult['manifest'];
    const slice = model.graph.nodes[0]!;
    expect(slice.opType).toBe('Slice');
    const ints = (name: string): number[] => Array.from(model.graph.initializers.get(name)!.data as BigInt64Array, Number);
    const [starts, , axes, steps] = [1, 2, 3, 4].map((i) => ints(slice.inputs[i]!));
    expect(axes).toEqual([2]);
    const t = manifest.tensors.find((x) => x.tensorName === slice.outputs[0])!;
    expect(t.shape).toEqual([1, 208, 416, 3]);
    const d = f32(path.join(out, t.file));
    const ib = f32(path.join(out, 'input.bin'));
    for (const [y, x, ch] of [[0, 0, 0], [3, 100, 1], [207, 415, 2], [100, 7, 0]] as const) {
      expect(d[(y * 416 + x) * 3 + ch]).toBe(ib[((starts![0]! + steps![0]! * y) * 416 + x) * 3 + ch]);
    }
  });
});
