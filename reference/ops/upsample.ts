/** Upsample (opset 7-9, deprecated): Resize with asymmetric coordinates and onnxruntime's "simple" nearest rule; scales from the attribute (7) or input 1 (9). */
import { defineOp, opt, req } from './op.js';
import { floatsOf, readResizeAttrs, runResize, withResizeInt } from './resize.js';

export const upsample = withResizeInt(defineOp({
  opType: 'Upsample',
  inputs: [1, 2],
  outputs: [1, 1],
  attrs: (ctx) => readResizeAttrs(ctx, false),
  float: (inputs, a, ctx) => [runResize(req(inputs, 0, ctx), a.scales ?? floatsOf(opt(inputs, 1)), undefined, a, ctx)],
}));
