/**
 * Element types of dump files and tensors, in one place (the onnxruntime `js/` pattern).
 * `uint4` is the vendor's packed 4-bit format: two values per byte, high nibble first.
 */
export type DType = 'float32' | 'float64' | 'uint8' | 'uint16' | 'uint4' | 'int8' | 'int16' | 'int32' | 'int64';

export interface DTypeInfo {
  /** Bytes per element (0.5 for packed 4-bit). */
  bytes: number;
  integer: boolean;
  /** Smallest and largest representable value (integers only; floats use ±Infinity). */
  min: number;
  max: number;
}

export const DTYPES: Record<DType, DTypeInfo> = {
  float32: { bytes: 4, integer: false, min: -Infinity, max: Infinity },
  float64: { bytes: 8, integer: false, min: -Infinity, max: Infinity },
  uint8: { bytes: 1, integer: true, min: 0, max: 255 },
  uint16: { bytes: 2, integer: true, min: 0, max: 65535 },
  uint4: { bytes: 0.5, integer: true, min: 0, max: 15 },
  int8: { bytes: 1, integer: true, min: -128, max: 127 },
  int16: { bytes: 2, integer: true, min: -32768, max: 32767 },
  int32: { bytes: 4, integer: true, min: -2147483648, max: 2147483647 },
  int64: { bytes: 8, integer: true, min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
};

export function isDType(s: string): s is DType {
  return Object.prototype.hasOwnProperty.call(DTYPES, s);
}

/** Byte size of `count` elements of `dtype` (packed 4-bit rounds up to whole bytes). */
export function byteSize(dtype: DType, count: number): number {
  return Math.ceil(count * DTYPES[dtype].bytes);
}

/**
 * Dtypes a vendor dump of `count` elements and `bytes` bytes can be, by size ratio
 * (FORMATS.md §1: 4 -> float32, 2 -> uint16, 1 -> uint8, 0.5 -> packed 4-bit).
 */
export function dtypeFromSize(bytes: number, count: number): DType | null {
  if (count <= 0) return null;
  if (bytes === count * 4) return 'float32';
  if (bytes === count * 2) return 'uint16';
  if (bytes === count) return 'uint8';
  if (bytes === Math.ceil(count / 2)) return 'uint4';
  return null;
}

/** Product of a shape; throws RangeError when it is not a safe integer. */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`bad dimension ${d} in shape [${shape.join(',')}]`);
    n *= d;
    if (!Number.isSafeInteger(n)) throw new RangeError(`shape [${shape.join(',')}] has more elements than can be counted`);
  }
  return n;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` elements of `dtype` from `bytes` (little-endian) into `out[0..count)`.
 * For uint4, `bytes` must start on a whole byte (an even element). Returns `count`.
 */
export function decodeInto(dtype: DType, bytes: Uint8Array, out: Float64Array, count: number): number {
  // Fast path: typed-array views (the platform is little-endian, like the dumps) when aligned.
  if (LITTLE_ENDIAN) {
    const off = bytes.byteOffset;
    switch (dtype) {
      case 'uint8':
        out.set(bytes.subarray(0, count));
        return count;
      case 'float32':
        if (off % 4 === 0) {
          out.set(new Float32Array(bytes.buffer, off, count));
          return count;
        }
        break;
      case 'uint16':
        if (off % 2 === 0) {
          out.set(new Uint16Array(bytes.buffer, off, count));
          return count;
        }
        break;
      case 'int8':
        out.set(new Int8Array(bytes.buffer, off, count));
        return count;
      case 'int16':
        if (off % 2 === 0) {
          out.set(new Int16Array(bytes.buffer, off, count));
          return count;
        }
        break;
      case 'int32':
        if (off % 4 === 0) {
          out.set(new Int32Array(bytes.buffer, off, count));
          return count;
        }
        break;
      default:
        break;
    }
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      return count;
    case 'float64':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
      return count;
    case 'uint8':
      for (let i = 0; i < count; i++) out[i] = bytes[i]!;
      return count;
    case 'int8':
      for (let i = 0; i < count; i++) out[i] = dv.getInt8(i);
      return count;
    case 'uint16':
      for (let i = 0; i < count; i++) out[i] = dv.getUint16(i * 2, true);
      return count;
    case 'int16':
      for (let i = 0; i < count; i++) out[i] = dv.getInt16(i * 2, true);
      return count;
    case 'int32':
      for (let i = 0; i < count; i++) out[i] = dv.getInt32(i * 4, true);
      return count;
    case 'int64':
      for (let i = 0; i < count; i++) out[i] = Number(dv.getBigInt64(i * 8, true));
      return count;
    case 'uint4':
      for (let i = 0; i < count; i++) {
        const b = bytes[i >> 1]!;
        out[i] = i & 1 ? b & 0x0f : b >> 4;
      }
      return count;
  }
}
