/** Squeeze: removes size-1 axes (all of them when no axes are given); attribute before opset 13, input from 13. */
import { reshapeView, toNumbers } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, defineOp, opt, req } from './op.js';
import { movementOp } from './int-movement.js';

export const squeeze = movementOp(defineOp({
  opType: 'Squeeze',
  inputs: [1, 2],
  outputs: [1, 1],
  attrs: (ctx) => ({ axes: ctx.opset < 13 ? A.ints(ctx, 'axes') : undefined }),
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const t = opt(inputs, 1);
    const r = x.dims.length;
    const axes = (t ? toNumbers(t) : a.axes)?.map((ax) => (ax < 0 ? ax + r : ax));
    if (axes?.some((ax) => ax < 0 || ax >= r || x.dims[ax] !== 1)) throw badNode(ctx, `cannot squeeze axes [${axes.join(',')}] of [${x.dims.join(',')}]`);
    const dims = x.dims.filter((d, i) => (axes ? !axes.includes(i) : d !== 1));
    return [reshapeView(x, dims)];
  },
}));
