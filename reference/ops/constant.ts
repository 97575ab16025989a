/** Constant: the `value` tensor, or `value_float(s)` / `value_int(s)` (opset 12). */
import { fromOnnxTensor, floatTensor, int64Tensor, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, defineOp, unsupported } from './op.js';

export const constant = defineOp({
  opType: 'Constant',
  inputs: [0, 0],
  outputs: [1, 1],
  attrs: (ctx): Tensor => {
    const t = A.tensor(ctx, 'value');
    if (t) return fromOnnxTensor(t);
    if (A.has(ctx, 'value_float')) return floatTensor([], [A.float(ctx, 'value_float', 0)]);
    const fs = A.floats(ctx, 'value_floats');
    if (fs) return floatTensor([fs.length], fs);
    if (A.has(ctx, 'value_int')) return int64Tensor([], [A.int(ctx, 'value_int', 0)]);
    const is = A.ints(ctx, 'value_ints');
    if (is) return int64Tensor([is.length], is);
    if (A.has(ctx, 'sparse_value') || A.has(ctx, 'value_string') || A.has(ctx, 'value_strings')) throw unsupported(ctx, 'a sparse or string constant');
    throw badNode(ctx, 'has no value attribute');
  },
  float: (_inputs, value) => [value],
});
