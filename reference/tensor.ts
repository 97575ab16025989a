/**
 * The executor's tensor: a dtype, ONNX-order dims (NCHW for 4-D feature maps) and a flat,
 * row-major typed array. Tensors are immutable once produced: kernels never write into their
 * inputs, so a Reshape/Squeeze/Identity may share its input's buffer.
 *
 * int64 tensors (shape sub-graphs: Shape, Gather on shapes, Unsqueeze, Concat of shapes, Slice
 * starts/ends, Reshape targets) are stored as `BigInt64Array`, the same as onnxruntime-node and the
 * ONNX loader ({@link OnnxTensor}); kernels read them as numbers through {@link toNumbers}. Values
 * past 2^53 (INT64_MAX used as "to the end" in Slice) become inexact numbers, which only ever
 * get clamped to a dimension, so nothing is lost.
 */
import type { OnnxTensor } from '../src/onnx/types.js';
import { UserError } from '../src/errors.js';
import { elementCount } from '../src/tensor/dtype.js';

/** Element types the executor computes with (`bool` is stored as 0/1 bytes). */
export type TensorDType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'int64' | 'bool';

export type TensorData = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | BigInt64Array;

export interface Tensor {
  dtype: TensorDType;
  /** ONNX order; `[]` for a scalar. */
  dims: number[];
  /** Row-major elements; length is the product of `dims`. */
  data: TensorData;
}

/** The one dtype -> typed-array map (the onnxruntime `js/` pattern). */
const CTORS = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
} as const;

/** A zero-filled array of `count` elements of `dtype`. */
export function allocData(dtype: TensorDType, count: number): TensorData {
  return new CTORS[dtype](count);
}

/** Builds a tensor, checking that `data` has as many elements as `dims` say. */
export function makeTensor(dtype: TensorDType, dims: readonly number[], data?: TensorData): Tensor {
  const n = elementCount(dims);
  const d = data ?? allocData(dtype, n);
  if (d.length !== n) throw new RangeError(`tensor data has ${d.length} elements, dims [${dims.join(',')}] need ${n}`);
  return { dtype, dims: [...dims], data: d };
}

/** A float32 tensor (the common case). */
export function floatTensor(dims: readonly number[], data?: Float32Array | readonly number[]): Tensor {
  return makeTensor('float32', dims, data === undefined ? undefined : data instanceof Float32Array ? data : Float32Array.from(data));
}

/** An int64 tensor from numbers. */
export function int64Tensor(dims: readonly number[], values: readonly number[]): Tensor {
  return makeTensor('int64', dims, BigInt64Array.from(values.map((v) => BigInt(v))));
}

/** Element count of a tensor. */
export function size(t: Tensor): number {
  return t.data.length;
}

/** Row-major strides of `dims` (in elements). */
export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i]!;
  }
  return s;
}

/** All elements as plain numbers (int64 through `Number`, bool as 0/1). */
export function toNumbers(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  const d = t.data;
  for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
  return out;
}

/** Elements as a Float32Array (a copy unless already float32). */
export function toFloat32(t: Tensor): Float32Array {
  if (t.data instanceof Float32Array) return t.data;
  const out = new Float32Array(t.data.length);
  const d = t.data;
  for (let i = 0; i < d.length; i++) out[i] = Number(d[i]!);
  return out;
}

/** Same data, new dims (no copy). */
export function reshapeView(t: Tensor, dims: readonly number[]): Tensor {
  return makeTensor(t.dtype, dims, t.data);
}

/** Wraps a loaded constant; float16 arrives widened to float32, strings are refused. */
export function fromOnnxTensor(t: OnnxTensor): Tensor {
  if (t.dtype === 'string' || t.dtype === 'float16') {
    if (t.dtype === 'float16' && t.data instanceof Float32Array) return makeTensor('float32', t.dims, t.data);
    throw new UserError('ONNX_UNSUPPORTED', `constant "${t.name}" has dtype ${t.dtype}, which the reference executor does not compute with`, 'convert the model to float32 tensors');
  }
  return makeTensor(t.dtype, t.dims, t.data);
}

/** Dtype names the executor accepts, for checks and messages. */
export function isTensorDType(s: string): s is TensorDType {
  return Object.prototype.hasOwnProperty.call(CTORS, s);
}

/** "float32[1,3,416,416]" for messages. */
export function describe(t: Tensor): string {
  return `${t.dtype}[${t.dims.join(',')}]`;
}
