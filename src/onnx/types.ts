/**
 * The loaded ONNX model as plain values: what the float runner, compare (graph order) and the
 * integer reference work on. The loader (`src/onnx/load.ts`) is the only module that touches
 * protobuf. Shapes here are ONNX order (NCHW for 4-D).
 */

/** Element types of ONNX tensors this project handles. */
export type OnnxDType = 'float32' | 'float64' | 'float16' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'int64' | 'bool' | 'string';

export type OnnxData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | BigInt64Array;

/** A constant tensor (initializer or `Constant` node value). float16 is widened to Float32Array. */
export interface OnnxTensor {
  name: string;
  dtype: OnnxDType;
  dims: number[];
  data: OnnxData;
}

export type AttrValue = number | string | number[] | string[] | OnnxTensor | OnnxTensor[] | Uint8Array | null;

export interface OnnxNode {
  /** Node name; unique. Empty names in the file are replaced by `<opType>_<index>`. */
  name: string;
  /** True when `name` was synthesized because the file had none. */
  nameSynthesized: boolean;
  opType: string;
  domain: string;
  /** Input tensor names ('' for an omitted optional input). */
  inputs: string[];
  outputs: string[];
  attrs: Record<string, AttrValue>;
  /** Position in topological order. */
  index: number;
}

export interface ValueInfo {
  name: string;
  dtype: OnnxDType;
  /** Dimensions; a string is a symbolic (dynamic) dimension, null an unknown one. */
  shape: (number | string | null)[] | null;
}

export interface OnnxGraph {
  /** Nodes in topological order (stable: file order where the file is already sorted). */
  nodes: OnnxNode[];
  /** Real graph inputs (those without an initializer; old IR versions list initializers too). */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Initializers and `Constant` node outputs. */
  initializers: Map<string, OnnxTensor>;
  /** Every value info known from the file (inputs, outputs, value_info). */
  valueInfo: Map<string, ValueInfo>;
  /** tensor name -> producing node. */
  producer: Map<string, OnnxNode>;
  /** tensor name -> consuming nodes (in topological order). */
  consumers: Map<string, OnnxNode[]>;
}

export interface OnnxModel {
  /** Absolute path of the file. */
  file: string;
  /** md5 of the file bytes. */
  md5: string;
  irVersion: number;
  /** Default-domain opset version. */
  opset: number;
  /** Every opset import: domain ('' for the default domain) -> version. */
  opsetImports: Record<string, number>;
  producerName: string;
  producerVersion: string;
  /**
   * True when the file lists initializers among the graph inputs (old IR versions); the loader
   * removes them from `graph.inputs`.
   */
  initializersAsInputs: boolean;
  /** Non-fatal findings of the loader (synthesized node names, reordered nodes, ...). */
  warnings: string[];
  graph: OnnxGraph;
  /** Raw file bytes (the float runner modifies a copy to expose every tensor). */
  bytes: Uint8Array;
}
