/** Shared glue of MaxPool / AveragePool: attributes, geometry, 1-D as 2-D. */
import { makeTensor, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, req, reqFloat, unsupported, type Inputs, type OpContext } from './op.js';
import type { Pool2dGeom } from './pool2d.js';
import { forwardGeometry, readSpatial, type SpatialAttrs } from './spatial.js';

export interface PoolAttrs extends SpatialAttrs {
  ceil: boolean;
  countIncludePad: boolean;
}

export function readPool(ctx: OpContext): PoolAttrs {
  const a = readSpatial(ctx);
  if (!a.kernel) throw badNode(ctx, 'attribute kernel_shape is required');
  return { ...a, ceil: A.int(ctx, 'ceil_mode', 0) === 1, countIncludePad: A.int(ctx, 'count_include_pad', 0) === 1 };
}

/** Pooling geometry of a 3-D or 4-D input (1-D pooling runs as 2-D with a unit height). */
export function poolGeometry(x: Tensor, a: PoolAttrs, ctx: OpContext): { g: Pool2dGeom; outDims: number[] } {
  const r = x.dims.length - 2;
  if (r !== 1 && r !== 2) throw unsupported(ctx, `${r}-D pooling`);
  const geo = forwardGeometry(ctx, a, x.dims.slice(2), a.kernel!, a.ceil);
  const two = r === 2;
  const g: Pool2dGeom = {
    planes: x.dims[0]! * x.dims[1]!,
    h: two ? x.dims[2]! : 1,
    w: x.dims[r + 1]!,
    kh: two ? geo.kernel[0]! : 1,
    kw: geo.kernel[r - 1]!,
    sh: two ? geo.strides[0]! : 1,
    sw: geo.strides[r - 1]!,
    dh: two ? geo.dilations[0]! : 1,
    dw: geo.dilations[r - 1]!,
    pt: two ? geo.pads[0]! : 0,
    pl: geo.pads[r - 1]!,
    pb: two ? geo.pads[2]! : 0,
    pr: geo.pads[2 * r - 1]!,
    oh: two ? geo.out[0]! : 1,
    ow: geo.out[r - 1]!,
  };
  return { g, outDims: [x.dims[0]!, x.dims[1]!, ...geo.out] };
}

/** Runs a 2-D pooling function on a 3-D or 4-D float input. */
export function runPool(inputs: Inputs, a: PoolAttrs, ctx: OpContext, impl: (x: Float32Array, g: Pool2dGeom) => Float32Array): Tensor {
  const x = req(inputs, 0, ctx);
  const { g, outDims } = poolGeometry(x, a, ctx);
  return makeTensor('float32', outDims, impl(reqFloat(x, 'input', ctx), g));
}
