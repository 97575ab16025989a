/**
 * TEST-ONLY builders of small ONNX models with onnx-proto: one-node models for
 * kernel-vs-onnxruntime checks and small graphs for executor tests. Nothing outside `*.test.ts`
 * may import this file.
 */
import onnxProto from 'onnx-proto';
import type { Tensor } from '../tensor.js';

const { onnx } = onnxProto;

const DT_CODE: Record<string, number> = { float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float64: 11 };

export interface NodeSpec {
  opType: string;
  attrs?: Record<string, number | string | number[] | Tensor>;
  /** Graph inputs fed at run time (name -> tensor). */
  inputs: { name: string; tensor: Tensor; initializer?: boolean }[];
  /** Input names for the node in order ('' = omitted). Defaults to the names of `inputs`. */
  nodeInputs?: string[];
  outputs?: string[];
  /** Element type of the outputs (default: the first input's). */
  outputDtype?: Tensor['dtype'];
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
    outputDtype: spec.outputDtype ?? spec.inputs[0]?.tensor.dtype ?? 'float32',
    opset: spec.opset,
  });
}

export interface GraphSpec {
  nodes: { name: string; opType: string; inputs: string[]; outputs: string[]; attrs?: NodeSpec['attrs']; domain?: string }[];
  inputs: NodeSpec['inputs'];
  outputs: string[];
  /** Element type of every graph output (default float32). */
  outputDtype?: Tensor['dtype'];
  opset?: number;
  /** Extra operator sets (e.g. `{ domain: 'com.microsoft', version: 1 }` for onnxruntime contrib ops). */
  extraOpsets?: { domain: string; version: number }[];
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
    output: spec.outputs.map((o) => onnx.ValueInfoProto.create({ name: o, type: { tensorType: { elemType: DT_CODE[spec.outputDtype ?? 'float32'] } } })),
  });
  const model = onnx.ModelProto.create({ irVersion: 7, opsetImport: [{ domain: '', version: spec.opset ?? 13 }, ...(spec.extraOpsets ?? [])], graph, producerName: 'magik-parity-test' });
  return onnx.ModelProto.encode(model).finish();
}
