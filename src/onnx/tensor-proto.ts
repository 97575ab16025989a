/**
 * TensorProto -> {@link OnnxTensor}: element types, raw_data (little-endian) and the typed
 * fields (float_data, int32_data, int64_data, double_data), float16 widened to float32.
 * Only the loader uses this module; everything after it sees plain values.
 */
import onnxProto from 'onnx-proto';
import { UserError } from '../errors.js';
import type { OnnxData, OnnxDType, OnnxTensor } from './types.js';

const { onnx } = onnxProto;

/** protobufjs' 64-bit integer (the `long` package) as far as this project needs it. */
export interface LongLike {
  low: number;
  high: number;
  unsigned: boolean;
  toNumber(): number;
  toString(): string;
}

/** ONNX TensorProto.DataType -> our dtype (unsupported types are absent). */
const ELEM_TYPES: Record<number, OnnxDType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
};

/** Names of every ONNX element type, for messages. */
const ELEM_TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING',
  9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};

/** ONNX element type number -> name, e.g. 1 -> 'FLOAT'. */
export function elemTypeName(t: number): string {
  return ELEM_TYPE_NAMES[t] ?? `type ${t}`;
}

/** ONNX element type number -> our dtype, or null when this project does not handle it. */
export function dtypeOfElemType(t: number): OnnxDType | null {
  return ELEM_TYPES[t] ?? null;
}

/** Our dtype -> ONNX element type number. */
export function elemTypeOfDtype(d: OnnxDType): number {
  for (const [k, v] of Object.entries(ELEM_TYPES)) if (v === d) return Number(k);
  throw new Error(`no ONNX element type for ${d}`);
}

/** Largest dimension accepted in a tensor or value info (2^31 - 1, what runtimes index with). */
export const MAX_DIM = 2 ** 31 - 1;
/** Largest constant tensor accepted, in elements (bigger ones cannot be in a <2 GiB protobuf). */
export const MAX_CONST_ELEMENTS = 2 ** 31;

/** A protobuf int64 (number or Long) as a JS number; precision lost beyond 2^53 (fine for attributes). */
export function longToNumber(v: number | LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  return v.toNumber();
}

/** A protobuf int64 as a bigint, exactly. */
export function longToBigInt(v: number | LongLike): bigint {
  if (typeof v === 'number') return BigInt(v);
  return BigInt(v.toString());
}

/**
 * Checks one dimension of a constant tensor or a value info: a non-negative integer no larger
 * than {@link MAX_DIM}. `what` names the tensor for the message.
 */
export function checkDim(v: number | LongLike, what: string, file: string): number {
  const big = longToBigInt(v);
  if (big < 0n || big > BigInt(MAX_DIM)) {
    throw new UserError('ONNX_FORMAT', `${file}: ${what} has dimension ${big.toString()} (allowed 0..${MAX_DIM})`, 'the model file is corrupt or hand-edited; re-export it');
  }
  return Number(big);
}

/** IEEE half -> float (exact). Bit layout: sign 1, exponent 5, mantissa 10. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

type TensorProtoLike = InstanceType<typeof onnx.TensorProto> | onnxProto.onnx.ITensorProto;

/**
 * Decodes a TensorProto into a plain tensor. `what` names it in messages (e.g. `initializer "w"`).
 * Refuses external data, unsupported element types, hostile dimensions and data whose length
 * does not match the dimensions (ONNX_FORMAT / ONNX_UNSUPPORTED naming the tensor and the file).
 */
export function decodeTensor(t: TensorProtoLike, what: string, file: string): OnnxTensor {
  const name = t.name ?? '';
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData && t.externalData.length > 0)) {
    const loc = t.externalData?.find((e) => e.key === 'location')?.value;
    throw new UserError(
      'ONNX_UNSUPPORTED',
      `${file}: ${what} keeps its data in an external file${loc ? ` (${loc})` : ''}; external data is not supported`,
      'save the model with all weights inside the .onnx file (onnx.save_model(m, path, save_as_external_data=False)); models under 2 GiB fit',
    );
  }
  const elemType = t.dataType ?? 0;
  const dtype = dtypeOfElemType(elemType);
  if (!dtype || dtype === 'string') {
    throw new UserError('ONNX_UNSUPPORTED', `${file}: ${what} has element type ${elemTypeName(elemType)}, which is not supported`, 'supported constant types: float32, float16, float64, int8/16/32/64, uint8/16, bool');
  }
  const dims = (t.dims ?? []).map((d) => checkDim(d as number | LongLike, what, file));
  let count = 1;
  for (const d of dims) count *= d;
  if (count > MAX_CONST_ELEMENTS) {
    throw new UserError('ONNX_FORMAT', `${file}: ${what} claims ${count} elements [${dims.join(',')}], more than a model file can hold`, 'the model file is corrupt; re-export it');
  }
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : null;
  const data = raw ? fromRaw(dtype, raw, count, what, file) : fromTyped(dtype, t, count, what, file);
  return { name, dtype, dims, data };
}

const BYTES: Record<Exclude<OnnxDType, 'string'>, number> = {
  float32: 4, float64: 8, float16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, int64: 8, bool: 1,
};

function sizeError(what: string, file: string, expected: number, actual: number, unit: string): UserError {
  return new UserError('ONNX_FORMAT', `${file}: ${what} holds ${actual} ${unit}, its dimensions need ${expected}`, 'the model file is corrupt or truncated; re-export it');
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** raw_data is little-endian; copied into an aligned buffer (the file's bytes are never aliased). */
function fromRaw(dtype: Exclude<OnnxDType, 'string'>, raw: Uint8Array, count: number, what: string, file: string): OnnxData {
  const expected = count * BYTES[dtype];
  if (raw.length !== expected) throw sizeError(what, file, expected, raw.length, 'bytes');
  const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (LITTLE_ENDIAN_HOST) {
    // Same byte order as the file: one aligned copy instead of an element loop.
    // new Uint8Array(raw) copies (protobufjs hands out Node Buffers, whose slice() shares memory).
    const copy = new Uint8Array(raw).buffer;
    switch (dtype) {
      case 'float32':
        return new Float32Array(copy);
      case 'float64':
        return new Float64Array(copy);
      case 'int16':
        return new Int16Array(copy);
      case 'uint16':
        return new Uint16Array(copy);
      case 'int32':
        return new Int32Array(copy);
      case 'int64':
        return new BigInt64Array(copy);
      default:
        break;
    }
  }
  switch (dtype) {
    case 'float32': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
      return out;
    }
    case 'float16': {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      return out;
    }
    case 'int8':
      return new Int8Array(new Uint8Array(raw).buffer);
    case 'uint8':
    case 'bool':
      return new Uint8Array(raw);
    case 'int16': {
      const out = new Int16Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(i * 2, true);
      return out;
    }
    case 'uint16': {
      const out = new Uint16Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(i * 2, true);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
      return out;
    }
    case 'int64': {
      const out = new BigInt64Array(count);
      for (let i = 0; i < count; i++) out[i] = dv.getBigInt64(i * 8, true);
      return out;
    }
  }
}

/** The typed fields: float_data, double_data, int64_data, and int32_data for every small type. */
function fromTyped(dtype: Exclude<OnnxDType, 'string'>, t: TensorProtoLike, count: number, what: string, file: string): OnnxData {
  const pick = <T>(arr: T[] | null | undefined, field: string): T[] => {
    const a = arr ?? [];
    if (a.length !== count) throw sizeError(what, file, count, a.length, `${field} values`);
    return a;
  };
  switch (dtype) {
    case 'float32':
      return Float32Array.from(pick(t.floatData, 'float_data'));
    case 'float64':
      return Float64Array.from(pick(t.doubleData, 'double_data'));
    case 'int64':
      return BigInt64Array.from(pick(t.int64Data as (number | LongLike)[] | null | undefined, 'int64_data').map(longToBigInt));
    case 'float16':
      return Float32Array.from(pick(t.int32Data, 'int32_data').map((v) => halfToFloat(v & 0xffff)));
    case 'int32':
      return Int32Array.from(pick(t.int32Data, 'int32_data'));
    case 'int8':
      return Int8Array.from(pick(t.int32Data, 'int32_data'));
    case 'uint8':
    case 'bool':
      return Uint8Array.from(pick(t.int32Data, 'int32_data'));
    case 'int16':
      return Int16Array.from(pick(t.int32Data, 'int32_data'));
    case 'uint16':
      return Uint16Array.from(pick(t.int32Data, 'int32_data'));
  }
}
