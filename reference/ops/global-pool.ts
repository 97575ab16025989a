/**
 * GlobalAveragePool and GlobalMaxPool: mean / max over all spatial axes -> [N, C, 1, ...].
 * Integer mode: the average is requantized to the output's parameters (`pool2d-int.ts`, count =
 * plane size); the max moves codes (`preservesScale`).
 */
import { makeTensor, type Tensor } from '../tensor.js';
import { badNode, defineOp, req, reqFloat, type Inputs, type OpContext } from './op.js';
import { globalPoolImpl } from './pool2d.js';
import { allocQ, featureIn, featureInput0, movedOutputs, outParams, qTensor } from './int-support.js';
import { globalPoolIntImpl } from './pool2d-int.js';

/** Planes, plane size and output dims of a global pool over `dims` (rank ≥ 3). */
function globalGeometry(dims: readonly number[], ctx: OpContext): { planes: number; size: number; out: number[] } {
  if (dims.length < 3) throw badNode(ctx, `input rank ${dims.length} < 3`);
  return {
    planes: dims[0]! * dims[1]!,
    size: dims.slice(2).reduce((p, d) => p * d, 1),
    out: [dims[0]!, dims[1]!, ...dims.slice(2).map(() => 1)],
  };
}

function floatGlobal(kind: 'avg' | 'max') {
  return (inputs: Inputs, _a: null, ctx: OpContext): Tensor[] => {
    const x = req(inputs, 0, ctx);
    const g = globalGeometry(x.dims, ctx);
    return [makeTensor('float32', g.out, globalPoolImpl(reqFloat(x, 'input', ctx), g.planes, g.size, kind))];
  };
}

export const globalAveragePool = featureInput0(defineOp({
  opType: 'GlobalAveragePool',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: () => null,
  float: floatGlobal('avg'),
  int: (inputs, _a, ctx) => {
    const x = featureIn(inputs, 0, ctx);
    const g = globalGeometry(x.t.dims, ctx);
    const po = outParams(ctx);
    return [qTensor(po, g.out, globalPoolIntImpl(x.q, g.planes, g.size, 'avg', x.p, po, allocQ(po, g.planes)))];
  },
}));

export const globalMaxPool = featureInput0(defineOp({
  opType: 'GlobalMaxPool',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: () => null,
  float: floatGlobal('max'),
  preservesScale: true,
  int: (inputs, _a, ctx) => {
    const x = featureIn(inputs, 0, ctx);
    const g = globalGeometry(x.t.dims, ctx);
    return movedOutputs([qTensor(x.p, g.out, globalPoolIntImpl(x.q, g.planes, g.size, 'max', x.p, x.p, allocQ(x.p, g.planes)))], x.p, ctx);
  },
}));
