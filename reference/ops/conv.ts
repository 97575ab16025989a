/**
 * Conv (1-D and 2-D, NCHW): groups (incl. depthwise), dilations, strides, explicit pads and
 * auto_pad. The math is {@link conv2dImpl}; 1-D runs as 2-D with H = 1.
 */
import { makeTensor } from '../tensor.js';
import * as A from './attrs.js';
import { conv2dImpl } from './conv2d.js';
import { badNode, defineOp, opt, req, reqFloat, unsupported } from './op.js';
import { forwardGeometry, readSpatial } from './spatial.js';

export const conv = defineOp({
  opType: 'Conv',
  inputs: [2, 3],
  outputs: [1, 1],
  attrs: (ctx) => ({ ...readSpatial(ctx), group: A.int(ctx, 'group', 1) }),
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const wt = req(inputs, 1, ctx);
    const b = opt(inputs, 2);
    const r = x.dims.length - 2;
    if (r !== 1 && r !== 2) throw unsupported(ctx, `a ${r}-D convolution`);
    if (wt.dims.length !== r + 2) throw badNode(ctx, `weight rank ${wt.dims.length} does not match input rank ${x.dims.length}`);
    const [n, c] = x.dims as [number, number];
    const [m, cg] = wt.dims as [number, number];
    if (a.group < 1 || c % a.group !== 0 || m % a.group !== 0 || cg * a.group !== c) {
      throw badNode(ctx, `group ${a.group} does not fit ${c} input channels and weight [${wt.dims.join(',')}]`);
    }
    if (b && b.data.length !== m) throw badNode(ctx, `bias has ${b.data.length} values for ${m} output channels`);
    const kernel = wt.dims.slice(2);
    if (a.kernel && a.kernel.join(',') !== kernel.join(',')) throw badNode(ctx, `kernel_shape [${a.kernel.join(',')}] differs from the weight's [${kernel.join(',')}]`);
    const geo = forwardGeometry(ctx, a, x.dims.slice(2), kernel);
    const two = r === 2;
    const y = conv2dImpl(reqFloat(x, 'input', ctx), reqFloat(wt, 'weight', ctx), b ? reqFloat(b, 'bias', ctx) : null, {
      n,
      c,
      h: two ? x.dims[2]! : 1,
      w: x.dims[r + 1]!,
      m,
      group: a.group,
      kh: two ? kernel[0]! : 1,
      kw: kernel[r - 1]!,
      sh: two ? geo.strides[0]! : 1,
      sw: geo.strides[r - 1]!,
      dh: two ? geo.dilations[0]! : 1,
      dw: geo.dilations[r - 1]!,
      pt: two ? geo.pads[0]! : 0,
      pl: geo.pads[r - 1]!,
      oh: two ? geo.out[0]! : 1,
      ow: geo.out[r - 1]!,
    });
    return [makeTensor('float32', [n, m, ...geo.out], y)];
  },
});
