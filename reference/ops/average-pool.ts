/** AveragePool (1-D/2-D): kernel_shape, strides, pads, auto_pad, ceil_mode, count_include_pad (default 0). */
import { defineOp, unsupported } from './op.js';
import { readPool, runPool } from './pool-glue.js';
import { averagePool2dImpl } from './pool2d.js';

export const averagePool = defineOp({
  opType: 'AveragePool',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: (ctx) => {
    const a = readPool(ctx);
    if (a.dilations && a.dilations.some((d) => d !== 1)) throw unsupported(ctx, 'dilated average pooling');
    return a;
  },
  float: (inputs, a, ctx) => [runPool(inputs, a, ctx, (x, g) => averagePool2dImpl(x, g, a.countIncludePad))],
});
