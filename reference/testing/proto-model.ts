/**
 * TEST-ONLY helpers over onnx-proto: a stand-in loader until `src/onnx/load.ts` lands on main,
 * single-node model builders for kernel-vs-onnxruntime checks, and the "mark every tensor as a
 * graph output" rewrite used to read onnxruntime's intermediate tensors (Polygraphy's
 * "mark all"). Nothing outside `*.test.ts` may import this file.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import onnxProto from 'onnx-proto';
import type { AttrValue, OnnxDType, OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, ValueInfo } from '../../src/onnx/types.js';
import type { Tensor } from '../tensor.js';

const { onnx } = onnxProto;

const DT: Record<number, OnnxDType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool', 10: 'float16', 11: 'float64' };
const DT_CODE: Record<string, number> = { float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float64: 11 };

type LongLike = number | { toNumber(): number };
const num = (v: LongLike): number => (typeof v === 'number' ? v : v.toNumber());

function f16(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function tensorOf(t: onnxProto.onnx.ITensorProto): OnnxTensor {
  const dtype = DT[t.dataType ?? 0] ?? 'string';
  const dims = (t.dims ?? []).map(num);
  const n = dims.reduce((p, d) => p * d, 1);
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const copy = raw ? new Uint8Array(raw).buffer : null;
  let data: OnnxTensor['data'];
  switch (dtype) {
    case 'float32':
      data = copy ? new Float32Array(copy, 0, n) : Float32Array.from(t.floatData ?? []);
      break;
    case 'float64':
      data = copy ? new Float64Array(copy, 0, n) : Float64Array.from(t.doubleData ?? []);
      break;
    case 'float16': {
      const u = copy ? new Uint16Array(copy, 0, n) : Uint16Array.from(t.int32Data ?? []);
      data = Float32Array.from(u, f16);
      break;
    }
    case 'int64':
      data = copy ? new BigInt64Array(copy, 0, n) : BigInt64Array.from((t.int64Data ?? []).map((v) => BigInt(num(v as LongLike))));
      break;
    case 'int32':
      data = copy ? new Int32Array(copy, 0, n) : Int32Array.from(t.int32Data ?? []);
      break;
    case 'int8':
      data = copy ? new Int8Array(copy, 0, n) : Int8Array.from(t.int32Data ?? []);
      break;
    case 'uint8':
    case 'bool':
      data = copy ? new Uint8Array(copy, 0, n) : Uint8Array.from(t.int32Data ?? []);
      break;
    case 'int16':
      data = copy ? new Int16Array(copy, 0, n) : Int16Array.from(t.int32Data ?? []);
      break;
    case 'uint16':
      data = copy ? new Uint16Array(copy, 0, n) : Uint16Array.from(t.int32Data ?? []);
      break;
    default:
      data = new Uint8Array(0);
  }
  return { name: t.name ?? '', dtype, dims, data };
}

function attrOf(a: onnxProto.onnx.IAttributeProto): AttrValue {
  switch (a.type) {
    case onnx.AttributeProto.AttributeType.FLOAT:
      return a.f ?? 0;
    case onnx.AttributeProto.AttributeType.INT:
      return num((a.i ?? 0) as LongLike);
    case onnx.AttributeProto.AttributeType.STRING:
      return Buffer.from(a.s ?? new Uint8Array()).toString('utf8');
    case onnx.AttributeProto.AttributeType.TENSOR:
      return tensorOf(a.t!);
    case onnx.AttributeProto.AttributeType.FLOATS:
      return [...(a.floats ?? [])];
    case onnx.AttributeProto.AttributeType.INTS:
      return (a.ints ?? []).map((v) => num(v as LongLike));
    case onnx.AttributeProto.AttributeType.STRINGS:
      return (a.strings ?? []).map((s) => Buffer.from(s).toString('utf8'));
    default:
      return null;
  }
}

function valueInfo(v: onnxProto.onnx.IValueInfoProto): ValueInfo {
  const tt = v.type?.tensorType;
  return {
    name: v.name ?? '',
    dtype: DT[tt?.elemType ?? 1] ?? 'float32',
    shape: tt?.shape ? (tt.shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? num(d.dimValue as LongLike) : null)) : null,
  };
}

/** Builds an {@link OnnxModel} from bytes (test stand-in for the real loader). */
export function modelFromBytes(bytes: Uint8Array, file = 'memory.onnx'): OnnxModel {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph!;
  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) initializers.set(t.name ?? '', tensorOf(t));
  const nodes: OnnxNode[] = (g.node ?? []).map((n, index) => {
    const attrs: Record<string, AttrValue> = {};
    for (const a of n.attribute ?? []) attrs[a.name ?? ''] = attrOf(a);
    const named = !!n.name;
    return { name: named ? n.name! : `${n.opType}_${index}`, nameSynthesized: !named, opType: n.opType ?? '', domain: n.domain ?? '', inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])], attrs, index };
  });
  for (const n of nodes) {
    const v = n.attrs['value'];
    if (n.opType === 'Constant' && v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array)) initializers.set(n.outputs[0]!, { ...(v as OnnxTensor), name: n.outputs[0]! });
  }
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) if (i) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  }
  const valueInfoMap = new Map<string, ValueInfo>();
  for (const v of [...(g.input ?? []), ...(g.output ?? []), ...(g.valueInfo ?? [])]) valueInfoMap.set(v.name ?? '', valueInfo(v));
  const graph: OnnxGraph = {
    nodes,
    inputs: (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(valueInfo),
    outputs: (g.output ?? []).map(valueInfo),
    initializers,
    valueInfo: valueInfoMap,
    producer,
    consumers,
  };
  const opset = (m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  return {
    file,
    md5: createHash('md5').update(bytes).digest('hex'),
    irVersion: num((m.irVersion ?? 0) as LongLike),
    opset: opset ? num(opset.version as LongLike) : 1,
    producerName: m.producerName ?? '',
    graph,
    bytes,
  };
}

/** Loads a model file (test stand-in for `loadModel`). */
export function loadModelForTest(file: string): OnnxModel {
  return modelFromBytes(new Uint8Array(readFileSync(file)), path.resolve(file));
}

/** Copy of the model bytes with every node output (except already-listed ones) appended to graph.output, untyped. */
export function exposeAllOutputs(bytes: Uint8Array): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph!;
  const have = new Set((g.output ?? []).map((o) => o.name));
  for (const n of g.node ?? []) {
    for (const o of n.output ?? []) {
      if (o && !have.has(o)) {
        g.output!.push(onnx.ValueInfoProto.create({ name: o }));
        have.add(o);
      }
    }
  }
  return onnx.ModelProto.encode(m).finish();
}

export interface NodeSpec {
  opType: string;
  attrs?: Record<string, number | string | number[] | Tensor>;
  /** Graph inputs fed at run time (name -> tensor). */
  inputs: { name: string; tensor: Tensor; initializer?: boolean }[];
  /** Input names for the node in order ('' = omitted). Defaults to the names of `inputs`. */
  nodeInputs?: string[];
  outputs?: string[];
  opset?: number;
}

function tensorProto(name: string, t: Tensor): onnxProto.onnx.TensorProto {
  return onnx.TensorProto.create({
    name,
    dataType: DT_CODE[t.dtype],
    dims: t.dims,
    rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).slice(),
  });
}

function attrProto(name: string, v: number | string | number[] | Tensor): onnxProto.onnx.AttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return onnx.AttributeProto.create({ name, type: T.STRING, s: Buffer.from(v) });
  if (typeof v === 'number') return Number.isInteger(v) && !name.match(/alpha|beta|epsilon|value|min|max|scale|gamma|bias/) ? onnx.AttributeProto.create({ name, type: T.INT, i: v }) : onnx.AttributeProto.create({ name, type: T.FLOAT, f: v });
  if (Array.isArray(v)) return name === 'scales' ? onnx.AttributeProto.create({ name, type: T.FLOATS, floats: v }) : onnx.AttributeProto.create({ name, type: T.INTS, ints: v });
  return onnx.AttributeProto.create({ name, type: T.TENSOR, t: tensorProto(name, v) });
}

/** A one-node model; runtime inputs become typed graph inputs, `initializer` ones are constants. */
export function singleNodeModel(spec: NodeSpec): Uint8Array {
  return graphModel({
    nodes: [{ name: 'n0', opType: spec.opType, inputs: spec.nodeInputs ?? spec.inputs.map((i) => i.name), outputs: spec.outputs ?? ['y'], attrs: spec.attrs }],
    inputs: spec.inputs,
    outputs: spec.outputs ?? ['y'],
    opset: spec.opset,
  });
}

export interface GraphSpec {
  nodes: { name: string; opType: string; inputs: string[]; outputs: string[]; attrs?: NodeSpec['attrs']; domain?: string }[];
  inputs: NodeSpec['inputs'];
  outputs: string[];
  opset?: number;
}

/** A small multi-node model (nodes in the given order). */
export function graphModel(spec: GraphSpec): Uint8Array {
  const vi = (name: string, t: Tensor): onnxProto.onnx.ValueInfoProto =>
    onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType: DT_CODE[t.dtype], shape: { dim: t.dims.map((d) => ({ dimValue: d })) } } } });
  const graph = onnx.GraphProto.create({
    name: 'g',
    node: spec.nodes.map((n) =>
      onnx.NodeProto.create({ name: n.name, opType: n.opType, domain: n.domain ?? '', input: n.inputs, output: n.outputs, attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attrProto(k, v)) }),
    ),
    input: spec.inputs.filter((i) => !i.initializer).map((i) => vi(i.name, i.tensor)),
    initializer: spec.inputs.filter((i) => i.initializer).map((i) => tensorProto(i.name, i.tensor)),
    output: spec.outputs.map((o) => onnx.ValueInfoProto.create({ name: o })),
  });
  const model = onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: spec.opset ?? 13 }], graph, producerName: 'magik-parity-test' });
  return onnx.ModelProto.encode(model).finish();
}
