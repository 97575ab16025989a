/**
 * Cast to the `to` dtype (TensorProto enum). Float -> integer truncates toward zero and wraps
 * like a C++ static_cast on in-range values; -> bool is `x != 0`. float16/string are refused.
 */
import { allocData, makeTensor, type TensorDType } from '../tensor.js';
import * as A from './attrs.js';
import { defineOp, req, unsupported } from './op.js';

const TO: Record<number, TensorDType> = { 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool', 11: 'float64' };

export const cast = defineOp({
  opType: 'Cast',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: (ctx) => {
    const to = A.int(ctx, 'to', -1);
    const dt = TO[to];
    if (!dt) throw unsupported(ctx, `cast to TensorProto type ${to}`);
    return { to: dt };
  },
  float: (inputs, { to }, ctx) => {
    const x = req(inputs, 0, ctx);
    if (x.dtype === to) return [x];
    const n = x.data.length;
    const out = allocData(to, n);
    const src = x.data;
    if (to === 'int64') {
      const o = out as BigInt64Array;
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        o[i] = typeof v === 'bigint' ? v : BigInt(Math.trunc(v));
      }
    } else if (to === 'bool') {
      const o = out as Uint8Array;
      for (let i = 0; i < n; i++) o[i] = Number(src[i]!) !== 0 ? 1 : 0;
    } else {
      const o = out as Float32Array;
      const isInt = to !== 'float32' && to !== 'float64';
      for (let i = 0; i < n; i++) {
        const v = Number(src[i]!);
        o[i] = isInt ? Math.trunc(v) : v;
      }
    }
    return [makeTensor(to, x.dims, out)];
  },
});
