/**
 * Resize (opset 10: X, scales; opset 11+: X, roi, scales, sizes).
 * Modes: nearest (N-D, any dtype) and linear (bilinear over the last two axes). Opset >= 11
 * reads coordinate_transformation_mode (default half_pixel) and nearest_mode (default
 * round_prefer_floor); older forms are asymmetric with onnxruntime's "simple" nearest rule.
 * Output size: `sizes`, else floor(in * scale) (onnxruntime truncates); with sizes, the scale
 * used for coordinates is out/in in float32.
 */
import { makeTensor, toNumbers, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, defineOp, opt, req, reqFloat, unsupported, type Inputs, type OpContext } from './op.js';
import { floatMiddle } from './int-support.js';
import { movementOp } from './int-movement.js';
import type { OpKernel } from './op.js';
import { resizeBilinearImpl, resizeNearestImpl, type CoordMode, type NearestMode } from './resize-math.js';

export interface ResizeAttrs {
  mode: 'nearest' | 'linear' | 'cubic';
  coord: CoordMode;
  nearest: NearestMode;
  /** Upsample-7 scales attribute. */
  scales?: number[];
}

export function readResizeAttrs(ctx: OpContext, modern: boolean): ResizeAttrs {
  const mode = A.oneOf(ctx, 'mode', 'nearest', ['nearest', 'linear', 'cubic', 'bilinear'] as const);
  const m = mode === 'bilinear' ? 'linear' : mode;
  if (m === 'cubic') throw unsupported(ctx, 'mode=cubic');
  if (!modern) return { mode: m, coord: 'asymmetric', nearest: 'simple', scales: A.floats(ctx, 'scales') };
  const coord = A.oneOf<CoordMode>(ctx, 'coordinate_transformation_mode', 'half_pixel', ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize', 'half_pixel_symmetric']);
  if (coord === 'tf_crop_and_resize') throw unsupported(ctx, 'coordinate_transformation_mode=tf_crop_and_resize');
  if (A.int(ctx, 'antialias', 0) !== 0) throw unsupported(ctx, 'antialias=1');
  if (A.has(ctx, 'axes')) throw unsupported(ctx, 'the axes attribute');
  if (A.str(ctx, 'keep_aspect_ratio_policy', 'stretch') !== 'stretch') throw unsupported(ctx, 'keep_aspect_ratio_policy other than stretch');
  const nearest = A.oneOf<NearestMode>(ctx, 'nearest_mode', 'round_prefer_floor', ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil']);
  return { mode: m, coord, nearest };
}

export function runResize(x: Tensor, scalesIn: number[] | undefined, sizesIn: number[] | undefined, a: ResizeAttrs, ctx: OpContext): Tensor {
  const r = x.dims.length;
  let scales: number[];
  let outDims: number[];
  if (sizesIn && sizesIn.length > 0) {
    if (sizesIn.length !== r) throw badNode(ctx, `sizes has ${sizesIn.length} values for rank ${r}`);
    outDims = sizesIn;
    scales = sizesIn.map((s, i) => Math.fround(s / x.dims[i]!));
  } else if (scalesIn && scalesIn.length > 0) {
    if (scalesIn.length !== r) throw badNode(ctx, `scales has ${scalesIn.length} values for rank ${r}`);
    if (scalesIn.some((s) => !(s > 0))) throw badNode(ctx, `scales [${scalesIn.join(',')}] must be positive`);
    scales = scalesIn.map(Math.fround);
    outDims = x.dims.map((d, i) => Math.floor(Math.fround(d * scales[i]!)));
  } else throw badNode(ctx, 'needs scales or sizes');
  if (a.mode === 'nearest') return resizeNearestImpl(x, outDims, scales, a.coord, a.nearest);
  if (outDims.slice(0, Math.max(0, r - 2)).some((d, i) => d !== x.dims[i])) throw unsupported(ctx, 'linear resize of axes other than the last two');
  const oh = r >= 2 ? outDims[r - 2]! : 1;
  const y = resizeBilinearImpl(reqFloat(x, 'input', ctx), x.dims, oh, outDims[r - 1]!, r >= 2 ? scales[r - 2]! : 1, scales[r - 1]!, a.coord);
  return makeTensor('float32', outDims, y);
}

/**
 * Integer mode: nearest moves codes (`preservesScale`); linear is "float in the middle"
 * (dequantize, the float bilinear kernel, quantize), see SEMANTICS.md.
 */
export function withResizeInt(k: OpKernel<ResizeAttrs>): OpKernel<ResizeAttrs> {
  const moved = movementOp(k, (a) => a.mode === 'nearest');
  return { ...moved, int: (inputs, a, ctx) => (a.mode === 'nearest' ? moved.int!(inputs, a, ctx) : floatMiddle(k, inputs, a, ctx)) };
}

export function floatsOf(t: Tensor | null): number[] | undefined {
  return t && t.data.length > 0 ? toNumbers(t) : undefined;
}

export const resize = withResizeInt(defineOp({
  opType: 'Resize',
  inputs: [1, 4],
  outputs: [1, 1],
  attrs: (ctx) => readResizeAttrs(ctx, ctx.opset >= 11),
  float: (inputs: Inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    if (ctx.opset < 11) return [runResize(x, floatsOf(req(inputs, 1, ctx)), undefined, a, ctx)];
    return [runResize(x, floatsOf(opt(inputs, 2)), floatsOf(opt(inputs, 3)), a, ctx)];
  },
}));
