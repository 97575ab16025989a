/**
 * BatchNormalization, inference form: y = (x - mean) / sqrt(var + epsilon) * scale + B per
 * channel (axis 1); epsilon = 1e-5 by default. Training mode (opset 14 `training_mode`=1, or
 * extra outputs) is refused.
 */
import { makeTensor } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, defineOp, req, reqFloat, unsupported } from './op.js';

/** Per-channel affine normalization over NC... float32 (math). */
export function batchNormImpl(x: Float32Array, n: number, c: number, inner: number, scale: Float32Array, bias: Float32Array, mean: Float32Array, variance: Float32Array, epsilon: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let ch = 0; ch < c; ch++) {
    const inv = 1 / Math.sqrt(variance[ch]! + epsilon);
    const s = scale[ch]! * inv;
    const b = bias[ch]! - mean[ch]! * s;
    for (let b0 = 0; b0 < n; b0++) {
      const o = (b0 * c + ch) * inner;
      for (let i = 0; i < inner; i++) out[o + i] = x[o + i]! * s + b;
    }
  }
  return out;
}

export const batchNormalization = defineOp({
  opType: 'BatchNormalization',
  inputs: [5, 5],
  outputs: [1, 5],
  attrs: (ctx) => {
    if (A.int(ctx, 'training_mode', 0) !== 0 || ctx.node.outputs.slice(1).some((o) => o !== '')) throw unsupported(ctx, 'training mode');
    if (ctx.opset < 9 && A.int(ctx, 'spatial', 1) !== 1) throw unsupported(ctx, 'spatial=0');
    return { epsilon: Math.fround(A.float(ctx, 'epsilon', 1e-5)) };
  },
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    if (x.dims.length < 2) throw badNode(ctx, `input rank ${x.dims.length} < 2`);
    const c = x.dims[1]!;
    const ps = [1, 2, 3, 4].map((i) => {
      const p = req(inputs, i, ctx);
      if (p.data.length !== c) throw badNode(ctx, `parameter input ${i} has ${p.data.length} values for ${c} channels`);
      return reqFloat(p, `input ${i}`, ctx);
    });
    const inner = x.dims.slice(2).reduce((p, d) => p * d, 1);
    return [makeTensor('float32', x.dims, batchNormImpl(reqFloat(x, 'input', ctx), x.dims[0]!, c, inner, ps[0]!, ps[1]!, ps[2]!, ps[3]!, a.epsilon))];
  },
});
