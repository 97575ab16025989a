/**
 * Reshape: target shape from input 1 (int64); 0 copies the input dim (unless `allowzero`=1,
 * opset 14), one -1 is inferred. Opset < 5 used a `shape` attribute. No copy.
 */
import { reshapeView, toNumbers } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, defineOp, opt, req } from './op.js';
import { movementOp } from './int-movement.js';

/** Resolves 0 and -1 in `target` against `inDims`; null when impossible. */
export function resolveReshape(inDims: readonly number[], target: readonly number[], allowZero: boolean): number[] | null {
  const total = inDims.reduce((p, d) => p * d, 1);
  const out = target.map((d, i) => (d === 0 && !allowZero ? inDims[i] ?? NaN : d));
  const neg = out.filter((d) => d === -1).length;
  if (neg > 1 || out.some((d) => Number.isNaN(d) || d < -1 || !Number.isInteger(d))) return null;
  const known = out.reduce((p, d) => (d === -1 ? p : p * d), 1);
  if (neg === 1) {
    if (known === 0 || total % known !== 0) return null;
    out[out.indexOf(-1)] = total / known;
  } else if (known !== total) return null;
  return out;
}

export const reshape = movementOp(defineOp({
  opType: 'Reshape',
  inputs: [1, 2],
  outputs: [1, 1],
  attrs: (ctx) => ({ allowZero: A.int(ctx, 'allowzero', 0) === 1, shape: ctx.opset < 5 ? A.ints(ctx, 'shape') : undefined }),
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const s = opt(inputs, 1);
    const target = s ? toNumbers(s) : a.shape;
    if (!target) throw badNode(ctx, 'has no target shape');
    const dims = resolveReshape(x.dims, target, a.allowZero);
    if (!dims) throw badNode(ctx, `cannot reshape [${x.dims.join(',')}] to [${target.join(',')}]`);
    return [reshapeView(x, dims)];
  },
}));
