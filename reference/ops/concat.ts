/**
 * Concat along `axis` (negative allowed from opset 11); any dtype, all inputs of one dtype.
 * Integer mode: each feature input is requantized to the output's parameters (no-op when equal:
 * pure data movement), a float constant input is quantized with them; then the codes are joined.
 */
import { allocData, makeTensor, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import { copyRange } from './copy.js';
import { badNode, defineOp, normAxis } from './op.js';
import { quantizeTensor } from '../quant/quantize-tensor.js';
import { outParams, qTensor, requantizeFeature } from './int-support.js';

/** Concatenates same-rank, same-dtype tensors along `axis` (math, no glue). */
export function concatImpl(xs: readonly Tensor[], axis: number): Tensor {
  const first = xs[0]!;
  const dims = [...first.dims];
  dims[axis] = xs.reduce((p, t) => p + t.dims[axis]!, 0);
  const outer = first.dims.slice(0, axis).reduce((p, d) => p * d, 1);
  const innerOf = (ds: readonly number[]): number => ds.slice(axis).reduce((p, d) => p * d, 1);
  const outInner = innerOf(dims);
  const out = allocData(first.dtype, outer * outInner);
  let off = 0;
  for (const t of xs) {
    const inner = innerOf(t.dims);
    for (let o = 0; o < outer; o++) copyRange(out, o * outInner + off, t.data, o * inner, inner);
    off += inner;
  }
  return makeTensor(first.dtype, dims, out);
}

export const concat = defineOp({
  opType: 'Concat',
  inputs: [1, Infinity],
  outputs: [1, 1],
  attrs: (ctx) => {
    if (!A.has(ctx, 'axis')) throw badNode(ctx, 'attribute axis is required');
    return { axis: A.int(ctx, 'axis', 0) };
  },
  float: (inputs, a, ctx) => {
    const xs = inputs.filter((t): t is Tensor => t !== null);
    if (xs.length === 0) throw badNode(ctx, 'has no inputs');
    const r = xs[0]!.dims.length;
    const axis = normAxis(a.axis, r, ctx);
    for (const t of xs) {
      if (t.dtype !== xs[0]!.dtype) throw badNode(ctx, `mixes dtypes ${xs[0]!.dtype} and ${t.dtype}`);
      if (t.dims.length !== r || t.dims.some((d, i) => i !== axis && d !== xs[0]!.dims[i])) {
        throw badNode(ctx, `input shapes [${xs[0]!.dims.join(',')}] and [${t.dims.join(',')}] differ outside axis ${axis}`);
      }
    }
    return [concatImpl(xs, axis)];
  },
  int: (inputs, a, ctx): Tensor[] => {
    const po = outParams(ctx);
    const ins = inputs.map((t, i) => {
      if (!t) return t;
      const p = ctx.inputQuant[i];
      if (p) return requantizeFeature(t, p, po);
      if (t.dtype === 'float32') return qTensor(po, t.dims, quantizeTensor(t.data as Float32Array, po));
      return t;
    });
    return concat.float(ins, a, ctx);
  },
});
