/**
 * Conv (1-D and 2-D, NCHW): groups (incl. depthwise), dilations, strides, explicit pads and
 * auto_pad. The math is {@link conv2dImpl}; 1-D runs as 2-D with H = 1.
 * Integer mode (SEMANTICS.md "Conv, ConvTranspose, Gemm, MatMul"): the same loop on centred
 * input codes and weight codes, exact accumulation, int32 bias, per-channel requantization.
 */
import { makeTensor, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import { conv2dImpl, type Conv2dGeom } from './conv2d.js';
import { centered, convScales, linearQuant, requantizeChannels, weightCodes, wideBias } from './int-linear.js';
import { convFast } from './int-linear-fast.js';
import { badNode, defineOp, opt, req, reqFloat, unsupported, type Inputs, type OpContext } from './op.js';
import { forwardGeometry, readSpatial, type SpatialAttrs } from './spatial.js';

type ConvAttrs = SpatialAttrs & { group: number };

/** Checks shapes and resolves the 2-D geometry (1-D as H = 1) and the output dims. */
function convGeometry(inputs: Inputs, a: ConvAttrs, ctx: OpContext): { g: Conv2dGeom; dims: number[]; bias: Tensor | null } {
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
  const g: Conv2dGeom = {
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
  };
  return { g, dims: [n, m, ...geo.out], bias: b };
}

/** The last resolved geometry per node's attributes (a layer sees the same dims on every run). */
const lastGeometry = new WeakMap<ConvAttrs, { x: readonly number[]; w: readonly number[]; b: number; g: Conv2dGeom; dims: number[] }>();

const sameDims = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** {@link convGeometry}, reused while the input, weight and bias dims stay the same (the result is read-only). */
function convGeometryCached(inputs: Inputs, a: ConvAttrs, ctx: OpContext): { g: Conv2dGeom; dims: number[]; bias: Tensor | null } {
  const x = inputs[0];
  const wt = inputs[1];
  const b = opt(inputs, 2);
  const hit = lastGeometry.get(a);
  if (x && wt && hit && hit.b === (b ? b.data.length : -1) && sameDims(hit.x, x.dims) && sameDims(hit.w, wt.dims)) return { g: hit.g, dims: hit.dims, bias: b };
  const r = convGeometry(inputs, a, ctx);
  lastGeometry.set(a, { x: [...x!.dims], w: [...wt!.dims], b: b ? b.data.length : -1, g: r.g, dims: r.dims });
  return r;
}

export const conv = defineOp({
  opType: 'Conv',
  inputs: [2, 3],
  outputs: [1, 1],
  attrs: (ctx): ConvAttrs => ({ ...readSpatial(ctx), group: A.int(ctx, 'group', 1) }),
  float: (inputs, a, ctx) => {
    const { g, dims, bias } = convGeometryCached(inputs, a, ctx);
    const y = conv2dImpl(reqFloat(req(inputs, 0, ctx), 'input', ctx), reqFloat(req(inputs, 1, ctx), 'weight', ctx), bias ? reqFloat(bias, 'bias', ctx) : null, g);
    return [makeTensor('float32', dims, y)];
  },
  int: (inputs, a, ctx) => {
    const { qx, qy, qw } = linearQuant(ctx, 1);
    const { g, dims, bias } = convGeometryCached(inputs, a, ctx);
    const { sAcc, qb } = convScales(qw!, qx.scale, qw!.scales, g.m, bias ? reqFloat(bias, 'bias', ctx) : null, wideBias(qx, qw));
    const x = req(inputs, 0, ctx);
    const fast = ctx.fast ? convFast(ctx.fast, x.data, qx, qw!, g, qb, sAcc, qy, ctx.fastOutputLut) : null;
    if (fast) return [makeTensor(qy.bits <= 8 ? 'uint8' : 'uint16', dims, fast)];
    // Padding stands for real 0, i.e. centred code 0: skipping padded taps is exact.
    const acc = conv2dImpl(centered(x, qx, ctx), weightCodes(qw!), null, g, true);
    const y = requantizeChannels(acc, g.n, g.m, g.oh * g.ow, sAcc, qb, qy);
    return [makeTensor(qy.bits <= 8 ? 'uint8' : 'uint16', dims, y)];
  },
});
