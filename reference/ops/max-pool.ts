/**
 * MaxPool (1-D/2-D): kernel_shape, strides, pads, auto_pad, dilations, ceil_mode. The Indices output is not produced.
 * Integer mode: the max of the codes (data movement, `preservesScale`).
 */
import { defineOp, unsupported } from './op.js';
import * as A from './attrs.js';
import { maxPool2dCodes } from './pool2d-int.js';
import { allocQ, featureIn, featureInput0, movedOutputs, qTensor } from './int-support.js';
import { poolGeometry, readPool, runPool } from './pool-glue.js';
import { maxPool2dImpl } from './pool2d.js';

export const maxPool = featureInput0(defineOp({
  opType: 'MaxPool',
  inputs: [1, 1],
  outputs: [1, 2],
  attrs: (ctx) => {
    if (ctx.node.outputs.length > 1 && ctx.node.outputs[1] !== '') throw unsupported(ctx, 'the Indices output');
    if (A.int(ctx, 'storage_order', 0) !== 0) throw unsupported(ctx, 'storage_order=1');
    return readPool(ctx);
  },
  float: (inputs, a, ctx) => [runPool(inputs, a, ctx, maxPool2dImpl)],
  preservesScale: true,
  int: (inputs, a, ctx) => {
    const x = featureIn(inputs, 0, ctx);
    const { g, outDims } = poolGeometry(x.t, a, ctx);
    const y = maxPool2dCodes(x.q, g, allocQ(x.p, g.planes * g.oh * g.ow));
    return movedOutputs([qTensor(x.p, outDims, y)], x.p, ctx);
  },
}));
