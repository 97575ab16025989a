import { describe, it, expect } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import onnxProto from 'onnx-proto';
import { loadModel, parseModel, IR_RANGE, OPSET_RANGE } from './load.js';
import { buildModel, type BuildModel } from './build.js';
import { UserError } from '../errors.js';
import { sharedModel } from '../../scripts/synthetic-input.js';

const { onnx } = onnxProto;

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

/** x -> Relu -> a -> Add(a, w) -> y */
function tiny(over: Partial<BuildModel> = {}): BuildModel {
  return {
    nodes: [
      { opType: 'Relu', name: 'relu', inputs: ['x'], outputs: ['a'] },
      { opType: 'Add', name: 'add', inputs: ['a', 'w'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', dims: [1, 2] }],
    outputs: [{ name: 'y', dims: [1, 2] }],
    initializers: [{ name: 'w', dims: [1, 2], values: [0.5, -1.5] }],
    ...over,
  };
}

function topoValid(m: ReturnType<typeof parseModel>): boolean {
  const seen = new Set<string>([...m.graph.inputs.map((i) => i.name), ...m.graph.initializers.keys()]);
  for (const n of m.graph.nodes) {
    for (const t of n.inputs) if (t && !seen.has(t)) return false;
    for (const o of n.outputs) seen.add(o);
  }
  return true;
}

describe('loadModel on the shared models', () => {
  it('YOLOX-nano: 369 nodes in file order, IR 6 / opset 11, one real input', async () => {
    const m = await loadModel(sharedModel('yolox_nano_3cls.onnx'));
    expect(m.irVersion).toBe(6);
    expect(m.opset).toBe(11);
    expect(m.producerName).toBe('pytorch');
    expect(m.md5).toBe('4ba2728cf39a4e714fda52696d33514a');
    expect(m.graph.nodes).toHaveLength(369);
    expect(m.graph.inputs).toEqual([{ name: 'images', dtype: 'float32', shape: [1, 3, 416, 416] }]);
    expect(m.graph.outputs.map((o) => [o.name, o.shape])).toEqual([['output', [1, 3549, 8]]]);
    expect(m.graph.initializers.size).toBe(234);
    expect(m.warnings).toEqual([]);
    expect(m.graph.nodes.map((n) => n.index)).toEqual([...Array(369).keys()]);
    expect(new Set(m.graph.nodes.map((n) => n.name)).size).toBe(369);
    expect(topoValid(m)).toBe(true);
    const counts: Record<string, number> = {};
    for (const n of m.graph.nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
    expect(counts).toMatchObject({ Conv: 113, Sigmoid: 110, Mul: 104, Concat: 18, Slice: 8, Add: 7, MaxPool: 3, Reshape: 3, Resize: 2, Transpose: 1 });
    const conv = m.graph.nodes.find((n) => n.opType === 'Conv')!;
    expect(conv.attrs['kernel_size'] ?? conv.attrs['kernel_shape']).toEqual([3, 3]);
    const w = m.graph.initializers.get(conv.inputs[1]!)!;
    expect(w.dtype).toBe('float32');
    expect(w.data.length).toBe(w.dims.reduce((a, b) => a * b, 1));
    // producer / consumers
    const out = m.graph.producer.get('output')!;
    expect(out.index).toBe(368);
    for (const [t, cs] of m.graph.consumers) for (const c of cs) expect(c.inputs).toContain(t);
  });

  it('UltraFace IR 4: initializers listed as inputs are not real inputs; Constant values registered; names synthesized', async () => {
    const m = await loadModel(sharedModel('ultraface_rfb_320.onnx'));
    expect(m.irVersion).toBe(4);
    expect(m.opset).toBe(9);
    expect(m.initializersAsInputs).toBe(true);
    expect(m.graph.inputs.map((i) => i.name)).toEqual(['input']);
    expect(m.graph.nodes).toHaveLength(242);
    const consts = m.graph.nodes.filter((n) => n.opType === 'Constant');
    expect(consts).toHaveLength(31);
    for (const c of consts) {
      expect(m.graph.nodes).toContain(c);
      expect(m.graph.initializers.has(c.outputs[0]!)).toBe(true);
    }
    expect(m.graph.initializers.size).toBe(244 + 31);
    expect(m.graph.nodes.every((n) => n.nameSynthesized)).toBe(true);
    expect(m.graph.nodes[0]!.name).toBe('Conv_0');
    expect(m.graph.nodes.filter((n) => n.opType === 'BatchNormalization')).toHaveLength(35);
    expect(m.warnings.join('\n')).toMatch(/initializers among the graph inputs/);
    expect(topoValid(m)).toBe(true);
  });

  it('every shared model loads with a valid topological order', async () => {
    for (const f of ['fastestdet.onnx', 'ultraface_rfb_320_simplified.onnx', 'yunet_n_320_320.onnx']) {
      const m = await loadModel(sharedModel(f));
      expect(topoValid(m)).toBe(true);
      expect(m.graph.inputs).toHaveLength(1);
    }
  });
});

describe('parseModel: tensors and attributes', () => {
  it('decodes raw and typed initializers, float16 widened, Constant value kinds', () => {
    const half = new Uint8Array(4);
    new DataView(half.buffer).setUint16(0, 0x3c00, true); // 1.0
    new DataView(half.buffer).setUint16(2, 0xc500, true); // -5.0
    const bytes = buildModel(tiny({
      nodes: [
        { opType: 'Constant', name: 'c1', inputs: [], outputs: ['cf'], attrs: { value_float: 2.5 }, floatAttrs: ['value_float'] },
        { opType: 'Constant', name: 'c2', inputs: [], outputs: ['cfs'], attrs: { value_floats: [1, 2, 3] }, floatAttrs: ['value_floats'] },
        { opType: 'Constant', name: 'c3', inputs: [], outputs: ['ci'], attrs: { value_int: -7 } },
        { opType: 'Constant', name: 'c4', inputs: [], outputs: ['cis'], attrs: { value_ints: [4, 5] } },
        { opType: 'Constant', name: 'c5', inputs: [], outputs: ['ct'], attrs: { value: { name: 'v', dims: [2], values: [9, 10], int64: true } } },
        { opType: 'Relu', name: 'relu', inputs: ['x'], outputs: ['a'] },
        { opType: 'Add', name: 'add', inputs: ['a', 'w'], outputs: ['y'], attrs: { alpha: 0.25, mode: 'nearest', axes: [1, -1] }, floatAttrs: ['alpha'] },
      ],
    }));
    const m = onnx.ModelProto.decode(bytes);
    m.graph!.initializer!.push(
      onnx.TensorProto.create({ name: 'h', dims: [2], dataType: 10, rawData: half }),
      onnx.TensorProto.create({ name: 'ht', dims: [2], dataType: 10, int32Data: [0x3c00, 0xc500] }),
      onnx.TensorProto.create({ name: 'f', dims: [2], dataType: 1, floatData: [1.5, -2] }),
      onnx.TensorProto.create({ name: 'd', dims: [1], dataType: 11, doubleData: [0.1] }),
      onnx.TensorProto.create({ name: 'i32', dims: [3], dataType: 6, int32Data: [1, -2, 3] }),
      onnx.TensorProto.create({ name: 'i64', dims: [2], dataType: 7, int64Data: [3, -4] }),
      onnx.TensorProto.create({ name: 'u8', dims: [3], dataType: 2, rawData: Uint8Array.of(1, 2, 255) }),
      onnx.TensorProto.create({ name: 'i8', dims: [2], dataType: 3, rawData: Uint8Array.of(255, 5) }),
      onnx.TensorProto.create({ name: 'b', dims: [2], dataType: 9, rawData: Uint8Array.of(1, 0) }),
    );
    // int64 beyond 2^53 through raw_data
    const raw = new Uint8Array(8);
    new DataView(raw.buffer).setBigInt64(0, 9223372036854775807n, true);
    m.graph!.initializer!.push(onnx.TensorProto.create({ name: 'big', dims: [1], dataType: 7, rawData: raw }));
    const model = parseModel(onnx.ModelProto.encode(m).finish(), 'mem.onnx');
    const init = model.graph.initializers;
    expect(Array.from(init.get('w')!.data as Float32Array)).toEqual([0.5, -1.5]);
    expect(init.get('h')!.dtype).toBe('float16');
    expect(Array.from(init.get('h')!.data as Float32Array)).toEqual([1, -5]);
    expect(Array.from(init.get('ht')!.data as Float32Array)).toEqual([1, -5]);
    expect(Array.from(init.get('f')!.data as Float32Array)).toEqual([1.5, -2]);
    expect(Array.from(init.get('d')!.data as Float64Array)).toEqual([0.1]);
    expect(Array.from(init.get('i32')!.data as Int32Array)).toEqual([1, -2, 3]);
    expect((init.get('big')!.data as BigInt64Array)[0]).toBe(9223372036854775807n);
    expect(Array.from(init.get('i64')!.data as BigInt64Array)).toEqual([3n, -4n]);
    expect(Array.from(init.get('u8')!.data)).toEqual([1, 2, 255]);
    expect(Array.from(init.get('i8')!.data)).toEqual([-1, 5]);
    expect(init.get('b')).toMatchObject({ dtype: 'bool', dims: [2] });
    expect(Array.from(init.get('b')!.data)).toEqual([1, 0]);
    // Every tensor owns exactly its bytes (never a view into the decoded file).
    for (const t of init.values()) expect(t.data.buffer.byteLength).toBe(t.data.byteLength);
    expect(init.get('cf')).toMatchObject({ dtype: 'float32', dims: [] });
    expect(Array.from(init.get('cf')!.data as Float32Array)).toEqual([2.5]);
    expect(Array.from(init.get('cfs')!.data as Float32Array)).toEqual([1, 2, 3]);
    expect(Array.from(init.get('ci')!.data as BigInt64Array)).toEqual([-7n]);
    expect(Array.from(init.get('cis')!.data as BigInt64Array)).toEqual([4n, 5n]);
    expect(init.get('ct')).toMatchObject({ name: 'ct', dtype: 'int64', dims: [2] });
    const add = model.graph.nodes.find((n) => n.name === 'add')!;
    expect(add.attrs).toEqual({ alpha: 0.25, mode: 'nearest', axes: [1, -1] });
    expect(model.graph.nodes.filter((n) => n.opType === 'Constant')).toHaveLength(5);
  });
});

describe('parseModel: bad files', () => {
  it('truncated, empty and non-ONNX bytes -> ONNX_FORMAT naming the file', async () => {
    const full = new Uint8Array(await fsp.readFile(sharedModel('yunet_n_320_320.onnx')));
    for (const bytes of [full.subarray(0, full.length >> 1), new Uint8Array(0), new TextEncoder().encode('hello, this is not a model at all\n'.repeat(20))]) {
      const e = userError(() => parseModel(bytes, '/x/m.onnx'));
      expect(e.code).toBe('ONNX_FORMAT');
      expect(e.message).toContain('/x/m.onnx');
      expect(e.hint).toMatch(/re-/);
    }
  });

  it('missing file -> FILE_NOT_FOUND', async () => {
    await expect(loadModel(path.join(os.tmpdir(), 'no-such-model.onnx'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });

  it('unsupported IR or opset -> ONNX_UNSUPPORTED with the value and the range', () => {
    let e = userError(() => parseModel(buildModel(tiny({ irVersion: 2 })), 'm.onnx'));
    expect(e.code).toBe('ONNX_UNSUPPORTED');
    expect(e.message).toContain(`IR version 2 is not supported (supported ${IR_RANGE.min}..${IR_RANGE.max})`);
    e = userError(() => parseModel(buildModel(tiny({ irVersion: 99 })), 'm.onnx'));
    expect(e.message).toContain('IR version 99');
    e = userError(() => parseModel(buildModel(tiny({ opset: 6 })), 'm.onnx'));
    expect(e.message).toContain(`opset 6 is not supported (supported ${OPSET_RANGE.min}..${OPSET_RANGE.max})`);
    e = userError(() => parseModel(buildModel(tiny({ opset: 40 })), 'm.onnx'));
    expect(e.message).toContain('opset 40');
  });

  it('external data is refused with a clear message', () => {
    const m = onnx.ModelProto.decode(buildModel(tiny()));
    m.graph!.initializer![0] = onnx.TensorProto.create({ name: 'w', dims: [1, 2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'weights.bin' }] });
    const e = userError(() => parseModel(onnx.ModelProto.encode(m).finish(), 'm.onnx'));
    expect(e.code).toBe('ONNX_UNSUPPORTED');
    expect(e.message).toMatch(/initializer "w" keeps its data in an external file \(weights.bin\)/);
  });

  it('a tensor nobody produces -> ONNX_FORMAT naming tensor and node', () => {
    const spec = tiny();
    spec.nodes[1]!.inputs = ['a', 'ghost'];
    const e = userError(() => parseModel(buildModel(spec), 'm.onnx'));
    expect(e.code).toBe('ONNX_FORMAT');
    expect(e.message).toContain('node "add" (Add) reads tensor "ghost"');
  });

  it('a cycle -> ONNX_FORMAT naming the nodes on it', () => {
    const e = userError(() =>
      parseModel(
        buildModel(tiny({
          nodes: [
            { opType: 'Add', name: 'p', inputs: ['x', 'r'], outputs: ['p1'] },
            { opType: 'Relu', name: 'q', inputs: ['p1'], outputs: ['q1'] },
            { opType: 'Relu', name: 'r', inputs: ['q1'], outputs: ['r'] },
            { opType: 'Add', name: 'add', inputs: ['r', 'w'], outputs: ['y'] },
          ],
        })),
        'm.onnx',
      ),
    );
    expect(e.code).toBe('ONNX_FORMAT');
    expect(e.message).toMatch(/cycle/);
    for (const n of ['"p"', '"q"', '"r"']) expect(e.message).toContain(n);
    expect(e.message).not.toContain('"add" ->');
  });

  it('hostile dimensions are refused', () => {
    const neg = tiny();
    neg.inputs = [{ name: 'x', dims: [1, -2] }];
    expect(userError(() => parseModel(buildModel(neg), 'm.onnx')).message).toContain('graph input "x" has dimension -2');
    const unknown = tiny();
    unknown.inputs = [{ name: 'x', dims: [1, -1] }];
    expect(parseModel(buildModel(unknown), 'm.onnx').graph.inputs[0]!.shape).toEqual([1, null]);
    const huge = tiny();
    huge.inputs = [{ name: 'x', dims: [1, 2 ** 40] }];
    expect(userError(() => parseModel(buildModel(huge), 'm.onnx')).message).toContain(`graph input "x" has dimension ${2 ** 40} (allowed 0..2147483647)`);
    const m = onnx.ModelProto.decode(buildModel(tiny()));
    m.graph!.initializer![0]!.dims = [1_000_000, 1_000_000, 1_000_000];
    const e = userError(() => parseModel(onnx.ModelProto.encode(m).finish(), 'm.onnx'));
    expect(e.code).toBe('ONNX_FORMAT');
    expect(e.message).toMatch(/initializer "w" claims/);
    const short = onnx.ModelProto.decode(buildModel(tiny()));
    short.graph!.initializer![0]!.dims = [1, 3];
    expect(userError(() => parseModel(onnx.ModelProto.encode(short).finish(), 'm.onnx')).message).toContain('initializer "w" holds 8 bytes, its dimensions need 12');
  });

  it('two producers of one tensor -> ONNX_FORMAT', () => {
    const spec = tiny();
    spec.nodes.push({ opType: 'Relu', name: 'again', inputs: ['x'], outputs: ['a'] });
    expect(userError(() => parseModel(buildModel(spec), 'm.onnx')).message).toContain('tensor "a" is produced by two nodes, "relu" and "again"');
  });
});

describe('parseModel: order and names', () => {
  it('sorts an unsorted file stably and keeps file order where valid', () => {
    const spec: BuildModel = {
      nodes: [
        { opType: 'Add', name: 'sum', inputs: ['b1', 'c1'], outputs: ['y'] },
        { opType: 'Relu', name: 'b', inputs: ['x'], outputs: ['b1'] },
        { opType: 'Sigmoid', name: 'c', inputs: ['x'], outputs: ['c1'] },
        { opType: 'Neg', name: 'side', inputs: ['x'], outputs: ['s1'] },
      ],
      inputs: [{ name: 'x', dims: [2] }],
      outputs: [{ name: 'y', dims: [2] }, { name: 's1', dims: [2] }],
    };
    const m = parseModel(buildModel(spec), 'm.onnx');
    expect(m.graph.nodes.map((n) => n.name)).toEqual(['b', 'c', 'sum', 'side']);
    expect(m.graph.nodes.map((n) => n.index)).toEqual([0, 1, 2, 3]);
    expect(m.warnings.join()).toMatch(/not in topological order/);
    expect(m.graph.consumers.get('x')!.map((n) => n.name)).toEqual(['b', 'c', 'side']);
  });

  it('synthesizes <opType>_<index> for empty names and renames duplicates, flagging both', () => {
    const m = parseModel(
      buildModel(tiny({
        nodes: [
          { opType: 'Relu', inputs: ['x'], outputs: ['a'] },
          { opType: 'Relu', name: 'Relu_0', inputs: ['a'], outputs: ['b'] },
          { opType: 'Add', name: 'Relu_0', inputs: ['b', 'w'], outputs: ['y'] },
        ],
      })),
      'm.onnx',
    );
    const names = m.graph.nodes.map((n) => [n.name, n.nameSynthesized]);
    expect(names).toEqual([['Relu_0_1', true], ['Relu_0', false], ['Relu_0_2', true]]);
  });
});
