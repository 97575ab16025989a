/**
 * Byte encoders for golden fixtures: raw little-endian dumps (incl. the vendor's packed 4-bit,
 * high nibble first, FORMATS.md §1) and numpy `.npy` files (numpy/lib/format.py layout).
 */
import type { DType } from '../src/tensor/dtype.js';

/** Encodes values as raw little-endian bytes of `dtype`. */
export function encodeRaw(dtype: DType, values: readonly number[]): Uint8Array {
  if (dtype === 'uint4') {
    const out = new Uint8Array(Math.ceil(values.length / 2));
    for (let i = 0; i < values.length; i++) {
      const v = values[i]! & 0x0f;
      out[i >> 1]! |= i & 1 ? v : v << 4;
    }
    return out;
  }
  const size = { float32: 4, float64: 8, uint8: 1, uint16: 2, int8: 1, int16: 2, int32: 4, int64: 8 }[dtype];
  const out = new Uint8Array(values.length * size);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => {
    const o = i * size;
    switch (dtype) {
      case 'float32':
        dv.setFloat32(o, v, true);
        break;
      case 'float64':
        dv.setFloat64(o, v, true);
        break;
      case 'uint8':
        dv.setUint8(o, v);
        break;
      case 'int8':
        dv.setInt8(o, v);
        break;
      case 'uint16':
        dv.setUint16(o, v, true);
        break;
      case 'int16':
        dv.setInt16(o, v, true);
        break;
      case 'int32':
        dv.setInt32(o, v, true);
        break;
      case 'int64':
        dv.setBigInt64(o, BigInt(v), true);
        break;
    }
  });
  return out;
}

/**
 * A `.npy` file: magic, version, header length (uint16 for 1.0, uint32 for 2.0/3.0), the dict
 * literal padded with spaces to a multiple of 64 bytes and ended by '\n', then `data`.
 */
export function encodeNpy(descr: string, shape: readonly number[], data: Uint8Array, opts: { version?: 1 | 2 | 3; fortran?: boolean } = {}): Uint8Array {
  const version = opts.version ?? 1;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${opts.fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const pre = version === 1 ? 10 : 12;
  const total = Math.ceil((pre + dict.length + 1) / 64) * 64;
  dict = dict.padEnd(total - pre - 1, ' ') + '\n';
  const head = new Uint8Array(pre);
  head.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const dv = new DataView(head.buffer);
  if (version === 1) dv.setUint16(8, dict.length, true);
  else dv.setUint32(8, dict.length, true);
  const dictBytes = Buffer.from(dict, version === 3 ? 'utf8' : 'latin1');
  const out = new Uint8Array(pre + dictBytes.length + data.length);
  out.set(head, 0);
  out.set(dictBytes, pre);
  out.set(data, pre + dictBytes.length);
  return out;
}
