/**
 * Clip: y = min(max(x, lo), hi). Opset < 11: attributes `min`/`max` (defaults -/+ float max);
 * opset >= 11: optional inputs 1 (min) and 2 (max), scalars. Integer mode: a lookup table.
 */
import { makeTensor } from '../tensor.js';
import * as A from './attrs.js';
import { mapFloat } from './elementwise.js';
import { lutUnaryInt } from './int-lut.js';
import { badNode, defineOp, opt, req, reqFloat, type OpKernel } from './op.js';

export const clip: OpKernel<{ min: number; max: number } | null> = defineOp({
  opType: 'Clip',
  inputs: [1, 3],
  outputs: [1, 1],
  attrs: (ctx) => (ctx.opset < 11 ? { min: A.float(ctx, 'min', -Infinity), max: A.float(ctx, 'max', Infinity) } : null),
  float: (inputs, attrs, ctx) => {
    const x = req(inputs, 0, ctx);
    let lo = attrs?.min ?? -Infinity;
    let hi = attrs?.max ?? Infinity;
    if (!attrs) {
      const mn = opt(inputs, 1);
      const mx = opt(inputs, 2);
      if (mn) {
        if (mn.data.length !== 1) throw badNode(ctx, 'min must be a scalar');
        lo = reqFloat(mn, 'min', ctx)[0]!;
      }
      if (mx) {
        if (mx.data.length !== 1) throw badNode(ctx, 'max must be a scalar');
        hi = reqFloat(mx, 'max', ctx)[0]!;
      }
    }
    return [makeTensor('float32', x.dims, mapFloat(reqFloat(x, 'input', ctx), (v) => (v < lo ? lo : v > hi ? hi : v)))];
  },
  int: (inputs, a, ctx) => lutUnaryInt(clip, inputs, a, ctx),
});
