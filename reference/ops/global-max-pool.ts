/** GlobalMaxPool: max over all spatial axes -> [N, C, 1, ...]. Integer mode: max of the codes (`preservesScale`). */
import { makeTensor } from '../tensor.js';
import { badNode, defineOp, req, reqFloat } from './op.js';
import { globalPoolImpl } from './pool2d.js';
import { allocQ, featureIn, featureInput0, movedOutputs, outParams, qTensor } from './int-support.js';
import { globalPoolIntImpl } from './pool2d-int.js';

export const globalMaxPool = featureInput0(defineOp({
  opType: 'GlobalMaxPool',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: () => null,
  float: (inputs, _a, ctx) => {
    const x = req(inputs, 0, ctx);
    if (x.dims.length < 3) throw badNode(ctx, `input rank ${x.dims.length} < 3`);
    const planes = x.dims[0]! * x.dims[1]!;
    const size = x.dims.slice(2).reduce((p, d) => p * d, 1);
    return [makeTensor('float32', [x.dims[0]!, x.dims[1]!, ...x.dims.slice(2).map(() => 1)], globalPoolImpl(reqFloat(x, 'input', ctx), planes, size, 'max'))];
  },
  preservesScale: true,
  int: (inputs, _a, ctx) => {
    const x = featureIn(inputs, 0, ctx);
    if (x.t.dims.length < 3) throw badNode(ctx, `input rank ${x.t.dims.length} < 3`);
    const planes = x.t.dims[0]! * x.t.dims[1]!;
    const size = x.t.dims.slice(2).reduce((p, d) => p * d, 1);
    const dims = [x.t.dims[0]!, x.t.dims[1]!, ...x.t.dims.slice(2).map(() => 1)];
    return movedOutputs([qTensor(x.p, dims, globalPoolIntImpl(x.q, planes, size, 'max', x.p, x.p, allocQ(x.p, planes)))], x.p, ctx);
  },
}));
