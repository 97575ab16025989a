/**
 * Softmax. Opset < 13: the input is coerced to 2-D [prod(dims[:axis]), prod(dims[axis:])]
 * (axis default 1) and normalized over each row. Opset >= 13: normalized along `axis` alone
 * (default -1). Max-subtracted, sums in double.
 * Integer mode: exp table, integer sum, fixed-point reciprocal (`softmax-int.ts`).
 */
import { makeTensor } from '../tensor.js';
import * as A from './attrs.js';
import { defineOp, normAxis, req, reqFloat } from './op.js';
import { allocQ, cached, featureIn, featureInput0, outParams, paramsKey, qTensor } from './int-support.js';
import { softmaxExpTable, softmaxIntImpl } from './softmax-int.js';

/** Softmax over `len` elements spaced `stride` apart, for `outer` x `inner` groups (math). */
export function softmaxImpl(x: Float32Array, outer: number, len: number, inner: number): Float32Array {
  const out = new Float32Array(x.length);
  const e = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let mx = -Infinity;
      for (let k = 0; k < len; k++) mx = Math.max(mx, x[base + k * inner]!);
      let s = 0;
      for (let k = 0; k < len; k++) {
        e[k] = Math.exp(x[base + k * inner]! - mx);
        s += e[k]!;
      }
      for (let k = 0; k < len; k++) out[base + k * inner] = e[k]! / s;
    }
  }
  return out;
}

export const softmax = featureInput0(defineOp({
  opType: 'Softmax',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: (ctx) => ({ axis: A.int(ctx, 'axis', ctx.opset < 13 ? 1 : -1) }),
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const d = reqFloat(x, 'input', ctx);
    const axis = normAxis(a.axis, x.dims.length, ctx);
    const prod = (ds: number[]): number => ds.reduce((p, v) => p * v, 1);
    const y =
      ctx.opset < 13
        ? softmaxImpl(d, prod(x.dims.slice(0, axis)), prod(x.dims.slice(axis)), 1)
        : softmaxImpl(d, prod(x.dims.slice(0, axis)), x.dims[axis]!, prod(x.dims.slice(axis + 1)));
    return [makeTensor('float32', x.dims, y)];
  },
  int: (inputs, a, ctx) => {
    const x = featureIn(inputs, 0, ctx);
    const po = outParams(ctx);
    const dims = x.t.dims;
    const axis = normAxis(a.axis, dims.length, ctx);
    const prod = (ds: number[]): number => ds.reduce((p, v) => p * v, 1);
    const [outer, len, inner] = ctx.opset < 13 ? [prod(dims.slice(0, axis)), prod(dims.slice(axis)), 1] : [prod(dims.slice(0, axis)), dims[axis]!, prod(dims.slice(axis + 1))];
    const table = cached(ctx, `softmax:${paramsKey(x.p)}`, () => softmaxExpTable(x.p));
    return [qTensor(po, dims, softmaxIntImpl(x.q, outer, len, inner, table, po, allocQ(po, x.q.length)))];
  },
}));
