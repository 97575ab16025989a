/** Shape: the input's dims as int64 (opset 15 `start`/`end` slice them, python-style). */
import { int64Tensor } from '../tensor.js';
import * as A from './attrs.js';
import { defineOp, req } from './op.js';

export const shape = defineOp({
  opType: 'Shape',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: (ctx) => ({ start: A.int(ctx, 'start', 0), end: A.has(ctx, 'end') ? A.int(ctx, 'end', 0) : null }),
  float: (inputs, { start, end }, ctx) => {
    const dims = req(inputs, 0, ctx).dims;
    const r = dims.length;
    const clamp = (v: number): number => Math.min(r, Math.max(0, v < 0 ? v + r : v));
    const s = clamp(start);
    const e = end === null ? r : clamp(end);
    const out = dims.slice(s, Math.max(s, e));
    return [int64Tensor([out.length], out)];
  },
});
