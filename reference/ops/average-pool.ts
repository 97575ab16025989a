/**
 * AveragePool (1-D/2-D): kernel_shape, strides, pads, auto_pad, ceil_mode, count_include_pad (default 0).
 * Integer mode: exact sum of (q − zp), fixed-point multiplier s_in / (s_out · count) (`pool2d-int.ts`).
 */
import { defineOp, unsupported } from './op.js';
import { allocQ, featureIn, featureInput0, outParams, qTensor } from './int-support.js';
import { poolGeometry, readPool, runPool } from './pool-glue.js';
import { averagePool2dIntImpl } from './pool2d-int.js';
import { averagePool2dImpl } from './pool2d.js';

export const averagePool = featureInput0(defineOp({
  opType: 'AveragePool',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: (ctx) => {
    const a = readPool(ctx);
    if (a.dilations && a.dilations.some((d) => d !== 1)) throw unsupported(ctx, 'dilated average pooling');
    return a;
  },
  float: (inputs, a, ctx) => [runPool(inputs, a, ctx, (x, g) => averagePool2dImpl(x, g, a.countIncludePad))],
  int: (inputs, a, ctx) => {
    const x = featureIn(inputs, 0, ctx);
    const po = outParams(ctx);
    const { g, outDims } = poolGeometry(x.t, a, ctx);
    return [qTensor(po, outDims, averagePool2dIntImpl(x.q, g, a.countIncludePad, x.p, po, allocQ(po, g.planes * g.oh * g.ow)))];
  },
}));
