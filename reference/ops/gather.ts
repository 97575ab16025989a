/**
 * Gather along `axis` (default 0) with int32/int64 indices, negatives counting from the end.
 * Output dims = data[:axis] + indices + data[axis+1:]. Any data dtype.
 */
import { allocData, makeTensor, toNumbers, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import { copyRange } from './copy.js';
import { badNode, defineOp, normAxis, req } from './op.js';
import { movementOp } from './int-movement.js';

export const gather = movementOp(defineOp({
  opType: 'Gather',
  inputs: [2, 2],
  outputs: [1, 1],
  attrs: (ctx) => ({ axis: A.int(ctx, 'axis', 0) }),
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const idx = req(inputs, 1, ctx);
    if (idx.dtype !== 'int64' && idx.dtype !== 'int32') throw badNode(ctx, `indices must be int32 or int64, got ${idx.dtype}`);
    const axis = normAxis(a.axis, x.dims.length, ctx);
    const dim = x.dims[axis]!;
    const ids = toNumbers(idx).map((i) => {
      const j = i < 0 ? i + dim : i;
      if (j < 0 || j >= dim) throw badNode(ctx, `index ${i} is out of range for axis ${axis} of size ${dim}`);
      return j;
    });
    const outer = x.dims.slice(0, axis).reduce((p, d) => p * d, 1);
    const inner = x.dims.slice(axis + 1).reduce((p, d) => p * d, 1);
    const dims = [...x.dims.slice(0, axis), ...idx.dims, ...x.dims.slice(axis + 1)];
    const out = allocData(x.dtype, outer * ids.length * inner);
    let o = 0;
    for (let b = 0; b < outer; b++) {
      for (const j of ids) {
        copyRange(out, o, x.data, (b * dim + j) * inner, inner);
        o += inner;
      }
    }
    return [makeTensor(x.dtype, dims, out as Tensor['data'])];
  },
}));
