/** LeakyRelu: y = x >= 0 ? x : alpha*x; alpha = 0.01 by default. */
import * as A from './attrs.js';
import { defineUnary } from './elementwise.js';

export const leakyRelu = defineUnary(
  'LeakyRelu',
  (ctx) => ({ alpha: Math.fround(A.float(ctx, 'alpha', 0.01)) }),
  ({ alpha }) =>
    (v) => (v >= 0 ? v : alpha * v),
);
