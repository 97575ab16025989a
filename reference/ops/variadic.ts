/**
 * Glue for variadic broadcasting ops (Max, Min, Sum): a left fold of the binary op over the inputs.
 * Integer mode: `variadicInt` (`int-binary.ts`).
 */
import type { Tensor } from '../tensor.js';
import { binaryImpl, type BinaryMath } from './elementwise.js';
import { badNode, defineOp, type OpKernel } from './op.js';
import { variadicInt } from './int-binary.js';

export function defineVariadic(opType: string, math: BinaryMath, kind: 'add' | 'max' | 'min'): OpKernel<null> {
  const k: OpKernel<null> = defineOp({
    opType,
    inputs: [1, Infinity],
    outputs: [1, 1],
    attrs: () => null,
    float: (inputs, _a, ctx) => {
      const xs = inputs.filter((t): t is Tensor => t !== null);
      if (xs.length === 0) throw badNode(ctx, 'has no inputs');
      return [xs.slice(1).reduce((acc, t) => binaryImpl(acc, t, math, ctx), xs[0]!)];
    },
    int: (inputs, a, ctx) => variadicInt(k, kind, inputs, a, ctx),
  });
  return k;
}
