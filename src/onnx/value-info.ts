/**
 * ValueInfoProto -> {@link ValueInfo}: element type and shape (numbers, symbolic names, or null
 * for an unknown dimension, including -1). Hostile dimensions (other negatives, > 2^31-1) are refused.
 */
import type onnxProto from 'onnx-proto';
import { UserError } from '../errors.js';
import { checkDim, dtypeOfElemType, elemTypeName, longToNumber, type LongLike } from './tensor-proto.js';
import type { ValueInfo } from './types.js';

type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** Decoding outcome: a value info, or why it could not be one (a non-tensor or unhandled type). */
export type ValueInfoResult = { ok: true; info: ValueInfo } | { ok: false; reason: string };

/** Decodes a value info; `what` names it in messages (e.g. `graph input "images"`). */
export function decodeValueInfo(v: ValueInfoProto, what: string, file: string): ValueInfoResult {
  const name = v.name ?? '';
  const tt = v.type?.tensorType;
  if (!tt) return { ok: false, reason: v.type ? 'is not a tensor (sequence, map or optional)' : 'has no type information' };
  const dtype = dtypeOfElemType(tt.elemType ?? 0);
  if (!dtype) return { ok: false, reason: `has element type ${elemTypeName(tt.elemType ?? 0)}` };
  let shape: ValueInfo['shape'] = null;
  if (tt.shape) {
    shape = (tt.shape.dim ?? []).map((d) => {
      const which = (d as { value?: string }).value;
      if (which === 'dimValue') {
        // -1 is some converters' way of writing "unknown" (onnxruntime reads it so too).
        if (longToNumber(d.dimValue as number | LongLike) === -1) return null;
        return checkDim(d.dimValue as number | LongLike, what, file);
      }
      if (which === 'dimParam') return d.dimParam || null;
      return null;
    });
  }
  return { ok: true, info: { name, dtype, shape } };
}

/** Like {@link decodeValueInfo}, for graph inputs/outputs, which must be tensors this project handles. */
export function requireTensorInfo(v: ValueInfoProto, what: string, file: string): ValueInfo {
  const r = decodeValueInfo(v, what, file);
  if (!r.ok) throw new UserError('ONNX_UNSUPPORTED', `${file}: ${what} ${r.reason}`, 'only tensor inputs/outputs of numeric types are supported');
  return r.info;
}

/** "[1,3,416,416]" with symbolic dims by name and unknown ones as "?". */
export function formatShape(shape: ValueInfo['shape'] | readonly number[]): string {
  if (!shape) return '?';
  return `[${shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}
