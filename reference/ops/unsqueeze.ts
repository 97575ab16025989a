/** Unsqueeze: inserts size-1 axes; `axes` attribute before opset 13, int64 input 1 from 13. No copy. */
import { reshapeView, toNumbers } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, defineOp, opt, req } from './op.js';
import { movementOp } from './int-movement.js';

export const unsqueeze = movementOp(defineOp({
  opType: 'Unsqueeze',
  inputs: [1, 2],
  outputs: [1, 1],
  attrs: (ctx) => ({ axes: ctx.opset < 13 ? A.ints(ctx, 'axes') : undefined }),
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const t = opt(inputs, 1);
    const axes = t ? toNumbers(t) : a.axes;
    if (!axes) throw badNode(ctx, 'has no axes');
    const r = x.dims.length + axes.length;
    const norm = axes.map((ax) => (ax < 0 ? ax + r : ax));
    if (norm.some((ax) => ax < 0 || ax >= r) || new Set(norm).size !== norm.length) throw badNode(ctx, `axes [${axes.join(',')}] invalid for output rank ${r}`);
    const dims: number[] = [];
    let k = 0;
    for (let i = 0; i < r; i++) dims.push(norm.includes(i) ? 1 : x.dims[k++]!);
    return [reshapeView(x, dims)];
  },
}));
