/**
 * Split along `axis` (default 0). Sizes: `split` attribute (opset < 13) or int64 input 1
 * (opset >= 13); otherwise equal parts, the last smaller when uneven (opset 18 `num_outputs`).
 */
import { toNumbers } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, defineOp, normAxis, opt, req } from './op.js';
import { sliceImpl, type AxisSlice } from './slice.js';
import { movementOp } from './int-movement.js';

export const split = movementOp(defineOp({
  opType: 'Split',
  inputs: [1, 2],
  outputs: [1, Infinity],
  attrs: (ctx) => ({ axis: A.int(ctx, 'axis', 0), split: ctx.opset < 13 ? A.ints(ctx, 'split') : undefined }),
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const axis = normAxis(a.axis, x.dims.length, ctx);
    const dim = x.dims[axis]!;
    const n = ctx.node.outputs.length;
    const t = opt(inputs, 1);
    let sizes = t ? toNumbers(t) : a.split;
    if (!sizes) {
      const part = Math.ceil(dim / n);
      sizes = Array.from({ length: n }, (_v, i) => Math.max(0, Math.min(part, dim - i * part)));
    }
    if (sizes.length !== n || sizes.reduce((p, s) => p + s, 0) !== dim || sizes.some((s) => s < 0)) {
      throw badNode(ctx, `split sizes [${sizes.join(',')}] do not cover axis ${axis} of size ${dim} in ${n} outputs`);
    }
    let start = 0;
    return sizes.map((len) => {
      const per: AxisSlice[] = x.dims.map((d) => ({ start: 0, step: 1, len: d }));
      per[axis] = { start, step: 1, len };
      start += len;
      return sliceImpl(x, per);
    });
  },
}));
