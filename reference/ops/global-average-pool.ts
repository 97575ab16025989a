/** GlobalAveragePool: mean over all spatial axes -> [N, C, 1, ...]. */
import { makeTensor } from '../tensor.js';
import { badNode, defineOp, req, reqFloat } from './op.js';
import { globalPoolImpl } from './pool2d.js';

export const globalAveragePool = defineOp({
  opType: 'GlobalAveragePool',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: () => null,
  float: (inputs, _a, ctx) => {
    const x = req(inputs, 0, ctx);
    if (x.dims.length < 3) throw badNode(ctx, `input rank ${x.dims.length} < 3`);
    const planes = x.dims[0]! * x.dims[1]!;
    const size = x.dims.slice(2).reduce((p, d) => p * d, 1);
    return [makeTensor('float32', [x.dims[0]!, x.dims[1]!, ...x.dims.slice(2).map(() => 1)], globalPoolImpl(reqFloat(x, 'input', ctx), planes, size, 'avg'))];
  },
});
