/**
 * Integer form of data-movement kernels (SEMANTICS.md "Element-wise, lookup-table and
 * data-movement operators"): the float kernels of these ops are dtype-agnostic (they copy
 * elements), so on a feature tensor they move the integer codes unchanged. When the driver gave
 * the output other parameters than input 0 (it should not: `preservesScale`), the moved codes are
 * requantized with the fixed-point multiplier s_in / s_out. Input 0 not being a feature (a
 * constant table, a shape) runs the float kernel and quantizes its float output.
 */
import { featureIn, floatMiddle, movedOutputs } from './int-support.js';
import type { OpKernel } from './op.js';

/** `k` with `preservesScale: true` and an `int` that moves codes (see the file comment). */
export function movementOp<A>(k: OpKernel<A>, preserves: boolean | ((attrs: A) => boolean) = true): OpKernel<A> {
  return {
    ...k,
    preservesScale: preserves,
    int: (inputs, attrs, ctx) => {
      if (!ctx.inputQuant[0]) return floatMiddle(k, inputs, attrs, ctx);
      const x = featureIn(inputs, 0, ctx);
      return movedOutputs(k.float(inputs, attrs, ctx), x.p, ctx);
    },
  };
}
