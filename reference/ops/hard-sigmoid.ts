/** HardSigmoid: y = max(0, min(1, alpha*x + beta)); alpha = 0.2, beta = 0.5 by default. */
import * as A from './attrs.js';
import { defineUnary } from './elementwise.js';

export const hardSigmoid = defineUnary(
  'HardSigmoid',
  (ctx) => ({ alpha: Math.fround(A.float(ctx, 'alpha', 0.2)), beta: Math.fround(A.float(ctx, 'beta', 0.5)) }),
  ({ alpha, beta }) =>
    (v) => Math.max(0, Math.min(1, Math.fround(alpha * v) + beta)),
);
