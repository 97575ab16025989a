/**
 * A small ONNX model encoder for tests and golden fixtures: tiny graphs with known answers and
 * deliberately broken files (cycles, missing tensors, external data, odd versions).
 * Float32 initializers are stored as little-endian raw_data; int64 ones in int64_data.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export interface BuildTensor {
  name: string;
  dims: number[];
  /** float32 values (raw_data), or int64 values when `int64` is set (int64_data). */
  values: number[];
  int64?: boolean;
}

export interface BuildValue {
  name: string;
  /** ONNX element type number (1 = FLOAT, 7 = INT64); default 1. */
  elemType?: number;
  /** Dimensions; a string is symbolic. Omit for no shape. */
  dims?: (number | string)[];
}

export interface BuildNode {
  opType: string;
  name?: string;
  inputs: string[];
  outputs: string[];
  /** Attributes: number (INT when integer and `floatAttrs` does not list it), number[], string, or a tensor. */
  attrs?: Record<string, number | number[] | string | BuildTensor>;
  /** Attribute names whose numbers are FLOAT(S). */
  floatAttrs?: string[];
}

export interface BuildModel {
  irVersion?: number;
  opset?: number;
  nodes: BuildNode[];
  inputs: BuildValue[];
  outputs: BuildValue[];
  initializers?: BuildTensor[];
  /** List every initializer among the graph inputs too (old IR style). */
  initializersAsInputs?: boolean;
  valueInfo?: BuildValue[];
  producerName?: string;
}

/** The TensorProto object of a tensor. */
export function tensorProto(t: BuildTensor): onnxProto.onnx.ITensorProto {
  if (t.int64) return { name: t.name, dims: t.dims, dataType: 7, int64Data: t.values };
  const raw = new Uint8Array(t.values.length * 4);
  const dv = new DataView(raw.buffer);
  t.values.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return { name: t.name, dims: t.dims, dataType: 1, rawData: raw };
}

function valueInfo(v: BuildValue): onnxProto.onnx.IValueInfoProto {
  const tensorType: onnxProto.onnx.TypeProto.ITensor = { elemType: v.elemType ?? 1 };
  if (v.dims) tensorType.shape = { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name: v.name, type: { tensorType } };
}

function attribute(name: string, v: number | number[] | string | BuildTensor, asFloat: boolean): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return asFloat ? { name, type: T.FLOAT, f: v } : { name, type: T.INT, i: v };
  if (Array.isArray(v)) return asFloat ? { name, type: T.FLOATS, floats: v } : { name, type: T.INTS, ints: v };
  return { name, type: T.TENSOR, t: tensorProto(v) };
}

/** Encodes a model description as .onnx bytes. */
export function buildModel(spec: BuildModel): Uint8Array {
  const inits = (spec.initializers ?? []).map(tensorProto);
  const inputs = spec.inputs.map(valueInfo);
  if (spec.initializersAsInputs) for (const t of spec.initializers ?? []) inputs.push(valueInfo({ name: t.name, elemType: t.int64 ? 7 : 1, dims: t.dims }));
  const m = onnx.ModelProto.create({
    irVersion: spec.irVersion ?? 7,
    opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    producerName: spec.producerName ?? 'magik-parity-test',
    graph: {
      name: 'g',
      node: spec.nodes.map((n) => ({
        opType: n.opType,
        name: n.name ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v, (n.floatAttrs ?? []).includes(k))),
      })),
      input: inputs,
      output: spec.outputs.map(valueInfo),
      initializer: inits,
      valueInfo: (spec.valueInfo ?? []).map(valueInfo),
    },
  });
  return onnx.ModelProto.encode(m).finish();
}
