/** Flatten: to 2-D [prod(dims[:axis]), prod(dims[axis:])]; axis = 1 by default (may equal rank). */
import { reshapeView } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, defineOp, req } from './op.js';
import { movementOp } from './int-movement.js';

export const flatten = movementOp(defineOp({
  opType: 'Flatten',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: (ctx) => ({ axis: A.int(ctx, 'axis', 1) }),
  float: (inputs, { axis }, ctx) => {
    const x = req(inputs, 0, ctx);
    const r = x.dims.length;
    const a = axis < 0 ? axis + r : axis;
    if (a < 0 || a > r) throw badNode(ctx, `axis ${axis} out of range for rank ${r}`);
    const outer = x.dims.slice(0, a).reduce((p, d) => p * d, 1);
    const inner = x.dims.slice(a).reduce((p, d) => p * d, 1);
    return [reshapeView(x, [outer, inner])];
  },
}));
