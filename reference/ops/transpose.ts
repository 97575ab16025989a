/** Transpose: output axis i is input axis perm[i]; perm defaults to reversing the axes. */
import { allocData, makeTensor, stridesOf, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import type { AnyArray } from './copy.js';
import { badNode, defineOp, req } from './op.js';
import { movementOp } from './int-movement.js';

/** Any-dtype N-D transpose (math, no glue). */
export function transposeImpl(x: Tensor, perm: readonly number[]): Tensor {
  const r = x.dims.length;
  const outDims = perm.map((p) => x.dims[p]!);
  const inStrides = stridesOf(x.dims);
  const s = perm.map((p) => inStrides[p]!); // input stride along each output axis
  const n = x.data.length;
  const out = allocData(x.dtype, n) as unknown as AnyArray;
  const src = x.data as unknown as AnyArray;
  if (n === 0) return makeTensor(x.dtype, outDims, out as never);
  if (r === 0) {
    out[0] = src[0]!;
    return makeTensor(x.dtype, outDims, out as never);
  }
  const inner = outDims[r - 1]!;
  const si = s[r - 1]!;
  const counter = new Array<number>(r).fill(0);
  let base = 0;
  let o = 0;
  while (o < n) {
    let ii = base;
    for (let k = 0; k < inner; k++, ii += si) out[o++] = src[ii]!;
    for (let ax = r - 2; ax >= 0; ax--) {
      counter[ax]!++;
      base += s[ax]!;
      if (counter[ax]! < outDims[ax]!) break;
      base -= s[ax]! * outDims[ax]!;
      counter[ax] = 0;
    }
  }
  return makeTensor(x.dtype, outDims, out as never);
}

export const transpose = movementOp(defineOp({
  opType: 'Transpose',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: (ctx) => ({ perm: A.ints(ctx, 'perm') }),
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const r = x.dims.length;
    const perm = a.perm ?? x.dims.map((_d, i) => r - 1 - i);
    if (perm.length !== r || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) throw badNode(ctx, `perm [${perm.join(',')}] is not a permutation of ${r} axes`);
    return [transposeImpl(x, perm)];
  },
}));
