/**
 * Shared glue for element-wise ops: unary maps and binary ops with ONNX multidirectional
 * (numpy) broadcasting. Float arithmetic is done in double and stored to float32, which for a
 * single +, -, *, / of float32 operands equals float32 arithmetic exactly (53 >= 2*24+2 bits).
 */
import { allocData, makeTensor, type Tensor, type TensorData } from '../tensor.js';
import { badNode, defineOp, req, reqFloat, type OpContext, type OpKernel } from './op.js';
import { binaryInt, type IntBinaryKind } from './int-binary.js';
import { lutUnaryInt } from './int-lut.js';

/** Output dims of numpy broadcasting, or null when incompatible. */
export function broadcastDims(a: readonly number[], b: readonly number[]): number[] | null {
  const r = Math.max(a.length, b.length);
  const out = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const da = a[a.length - r + i] ?? 1;
    const db = b[b.length - r + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Strides of `dims` aligned to `outDims`, 0 on broadcast axes. */
function bStrides(dims: readonly number[], outDims: readonly number[]): number[] {
  const r = outDims.length;
  const s = new Array<number>(r).fill(0);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const oi = r - dims.length + i;
    s[oi] = dims[i] === 1 ? 0 : acc;
    acc *= dims[i]!;
  }
  return s;
}

/**
 * Visits every output element of a broadcast of two inputs: `body(o, ia, ib)` with flat
 * indices. The innermost axis is a plain loop.
 */
export function forEachBroadcast(aDims: readonly number[], bDims: readonly number[], outDims: readonly number[], body: (o: number, ia: number, ib: number) => void): void {
  const r = outDims.length;
  const total = outDims.reduce((p, d) => p * d, 1);
  if (total === 0) return;
  if (r === 0) {
    body(0, 0, 0);
    return;
  }
  const sa = bStrides(aDims, outDims);
  const sb = bStrides(bDims, outDims);
  const inner = outDims[r - 1]!;
  const ia1 = sa[r - 1]!;
  const ib1 = sb[r - 1]!;
  const counter = new Array<number>(r).fill(0);
  let o = 0;
  let baseA = 0;
  let baseB = 0;
  while (o < total) {
    let ia = baseA;
    let ib = baseB;
    for (let k = 0; k < inner; k++) {
      body(o++, ia, ib);
      ia += ia1;
      ib += ib1;
    }
    // advance the outer counter
    for (let ax = r - 2; ax >= 0; ax--) {
      counter[ax]!++;
      baseA += sa[ax]!;
      baseB += sb[ax]!;
      if (counter[ax]! < outDims[ax]!) break;
      baseA -= sa[ax]! * outDims[ax]!;
      baseB -= sb[ax]! * outDims[ax]!;
      counter[ax] = 0;
    }
  }
}

export interface BinaryMath {
  /** Float semantics (inputs widened to double, result stored to float32/float64). */
  f: (a: number, b: number) => number;
  /** int32 / small-int semantics; absent = not defined for integers. */
  i?: (a: number, b: number) => number;
  /** int64 semantics. */
  big?: (a: bigint, b: bigint) => bigint;
}

/** Broadcast binary op over two tensors of the same dtype. */
export function binaryImpl(a: Tensor, b: Tensor, math: BinaryMath, ctx: OpContext): Tensor {
  if (a.dtype !== b.dtype) throw badNode(ctx, `inputs have different dtypes ${a.dtype} and ${b.dtype}`);
  const dims = broadcastDims(a.dims, b.dims);
  if (!dims) throw badNode(ctx, `input shapes [${a.dims.join(',')}] and [${b.dims.join(',')}] do not broadcast`);
  const n = dims.reduce((p, d) => p * d, 1);
  const out: TensorData = allocData(a.dtype, n);
  if (a.data instanceof BigInt64Array) {
    const f = math.big;
    if (!f) throw badNode(ctx, `not defined for int64 inputs`);
    const ad = a.data;
    const bd = b.data as BigInt64Array;
    const od = out as BigInt64Array;
    forEachBroadcast(a.dims, b.dims, dims, (o, ia, ib) => {
      od[o] = f(ad[ia]!, bd[ib]!);
    });
  } else {
    const f = a.dtype === 'float32' || a.dtype === 'float64' ? math.f : math.i;
    if (!f) throw badNode(ctx, `not defined for ${a.dtype} inputs`);
    const ad = a.data as Float32Array;
    const bd = b.data as Float32Array;
    const od = out as Float32Array;
    if (a.data.length === n && b.data.length === n) {
      for (let i = 0; i < n; i++) od[i] = f(ad[i]!, bd[i]!);
    } else if (b.data.length === 1 && a.data.length === n) {
      const bv = bd[0]!;
      for (let i = 0; i < n; i++) od[i] = f(ad[i]!, bv);
    } else {
      forEachBroadcast(a.dims, b.dims, dims, (o, ia, ib) => {
        od[o] = f(ad[ia]!, bd[ib]!);
      });
    }
  }
  return makeTensor(a.dtype, dims, out);
}

/**
 * A two-input broadcasting op. Integer mode (`int-binary.ts`): `kind` says how two features
 * combine in integers ('other' = float in the middle); a small constant operand is a lookup table.
 */
export function defineBinary(opType: string, math: BinaryMath, kind: IntBinaryKind = 'other'): OpKernel<null> {
  const k: OpKernel<null> = defineOp({
    opType,
    inputs: [2, 2],
    outputs: [1, 1],
    attrs: () => null,
    float: (inputs, _a, ctx) => [binaryImpl(req(inputs, 0, ctx), req(inputs, 1, ctx), math, ctx)],
    int: (inputs, a, ctx) => binaryInt(k, kind, inputs, a, ctx),
  });
  return k;
}

/** Applies `f` to every element of a float32 array. */
export function mapFloat(x: Float32Array, f: (v: number) => number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = f(x[i]!);
  return out;
}

/** A one-input float op whose attributes are read once; integer mode is a lookup table (`int-lut.ts`). */
export function defineUnary<A>(opType: string, attrs: (ctx: OpContext) => A, fn: (attrs: A) => (v: number) => number): OpKernel<A> {
  const k: OpKernel<A> = defineOp({
    opType,
    inputs: [1, 1],
    outputs: [1, 1],
    attrs,
    float: (inputs, a, ctx) => {
      const x = req(inputs, 0, ctx);
      return [makeTensor('float32', x.dims, mapFloat(reqFloat(x, 'input', ctx), fn(a)))];
    },
    int: (inputs, a, ctx) => lutUnaryInt(k, inputs, a, ctx),
  });
  return k;
}
