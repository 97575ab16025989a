/**
 * Slice. Opset < 10: attributes starts/ends/axes. Opset >= 10: inputs starts, ends, axes?,
 * steps? (int32 or int64). Clamping follows the ONNX spec: negative indices count from the end;
 * for step > 0, start and end are clamped to [0, dim]; for step < 0, start to [0, dim-1] and end
 * to [-1, dim-1]. Length = max(0, ceil((end - start) / step)).
 */
import { allocData, makeTensor, stridesOf, toNumbers, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import type { AnyArray } from './copy.js';
import { badNode, defineOp, opt, req, type OpContext } from './op.js';
import { movementOp } from './int-movement.js';

/** Start, step and length of one sliced axis. */
export interface AxisSlice {
  start: number;
  step: number;
  len: number;
}

/** Clamps one axis' (start, end, step) against `dim` per the ONNX spec. */
export function sliceAxis(dim: number, start: number, end: number, step: number): AxisSlice {
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  const len = Math.max(0, Math.ceil((e - s) / step));
  return { start: s, step, len };
}

/** Gathers the N-D strided box described by `per` (one entry per axis). */
export function sliceImpl(x: Tensor, per: readonly AxisSlice[]): Tensor {
  const dims = per.map((p) => p.len);
  const n = dims.reduce((p, d) => p * d, 1);
  const out = allocData(x.dtype, n) as unknown as AnyArray;
  const src = x.data as unknown as AnyArray;
  const st = stridesOf(x.dims);
  const r = dims.length;
  if (n > 0) {
    const counter = new Array<number>(r).fill(0);
    let base = per.reduce((p, a, i) => p + a.start * st[i]!, 0);
    const inner = dims[r - 1]!;
    const innerStep = per[r - 1]!.step * st[r - 1]!;
    let o = 0;
    while (o < n) {
      let ii = base;
      for (let k = 0; k < inner; k++, ii += innerStep) out[o++] = src[ii]!;
      for (let ax = r - 2; ax >= 0; ax--) {
        const d = per[ax]!.step * st[ax]!;
        counter[ax]!++;
        base += d;
        if (counter[ax]! < dims[ax]!) break;
        base -= d * dims[ax]!;
        counter[ax] = 0;
      }
    }
  }
  return makeTensor(x.dtype, dims, out as never);
}

function intsInput(t: Tensor | null, what: string, ctx: OpContext): number[] | undefined {
  if (!t) return undefined;
  if (t.dtype !== 'int64' && t.dtype !== 'int32') throw badNode(ctx, `${what} must be int32 or int64, got ${t.dtype}`);
  return toNumbers(t);
}

export const slice = movementOp(defineOp({
  opType: 'Slice',
  inputs: [1, 5],
  outputs: [1, 1],
  attrs: (ctx) => (ctx.opset < 10 ? { starts: A.ints(ctx, 'starts'), ends: A.ints(ctx, 'ends'), axes: A.ints(ctx, 'axes') } : null),
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const starts = a ? a.starts : intsInput(req(inputs, 1, ctx), 'starts', ctx);
    const ends = a ? a.ends : intsInput(req(inputs, 2, ctx), 'ends', ctx);
    const axes = a ? a.axes : intsInput(opt(inputs, 3), 'axes', ctx);
    const steps = a ? undefined : intsInput(opt(inputs, 4), 'steps', ctx);
    if (!starts || !ends || starts.length !== ends.length) throw badNode(ctx, 'starts and ends must be given with equal lengths');
    const r = x.dims.length;
    const ax = (axes ?? starts.map((_s, i) => i)).map((v) => (v < 0 ? v + r : v));
    if (ax.length !== starts.length || ax.some((v) => v < 0 || v >= r) || new Set(ax).size !== ax.length) throw badNode(ctx, `axes [${(axes ?? []).join(',')}] invalid for rank ${r}`);
    if (steps && (steps.length !== starts.length || steps.some((s) => s === 0))) throw badNode(ctx, 'steps must match starts and be non-zero');
    const per: AxisSlice[] = x.dims.map((d) => ({ start: 0, step: 1, len: d }));
    ax.forEach((axis, i) => {
      per[axis] = sliceAxis(x.dims[axis]!, starts[i]!, ends[i]!, steps?.[i] ?? 1);
    });
    return [sliceImpl(x, per)];
  },
}));
