/**
 * BatchNormalization, inference form: y = (x - mean) / sqrt(var + epsilon) * scale + B per
 * channel (axis 1); epsilon = 1e-5 by default. Training mode (opset 14 `training_mode`=1, or
 * extra outputs) is refused.
 *
 * Integer mode (a BatchNormalization left unfolded, e.g. after a non-conv op; SEMANTICS.md): per
 * channel, with a_c = scale/sqrt(var+eps) and b_c = B − mean·a_c as in the float kernel,
 * g_c = s_in·a_c/s_out and o_c = b_c/s_out (output steps), in fixed point with F = 28 − b_out
 * fraction bits (20 for 8-bit outputs, 12 for 16-bit: terms up to 8× the output range fit int32):
 *   T   = requantize(q − zp_in, M_c),   M_c = |g_c| · 2^F
 *   acc = sign(g_c) · T + round_half_even(o_c · 2^F)
 *   q'  = clamp(requantize(acc, 2^-F) + zp_out, 0, qmax)   (2^-F as m = 2^30, shift = F − 1: half away from zero)
 */
import { makeTensor } from '../tensor.js';
import * as A from './attrs.js';
import { badNode, defineOp, req, reqFloat, unsupported, type Inputs, type IntContext } from './op.js';
import { quantizeMultiplier, requantize } from '../quant/fixed-point.js';
import { roundClamp } from '../quant/rounding.js';
import { allocQ, featureIn, featureInput0, outParams, qTensor, requantizeWide } from './int-support.js';
import type { Tensor } from '../tensor.js';

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

/** Fraction bits of the integer BatchNormalization for a `bits`-bit output (file comment). */
export function bnFractionBits(bits: number): number {
  return 28 - bits;
}

function batchNormInt(inputs: Inputs, epsilon: number, ctx: IntContext): Tensor[] {
  const x = featureIn(inputs, 0, ctx);
  const po = outParams(ctx);
  if (x.t.dims.length < 2) throw badNode(ctx, `input rank ${x.t.dims.length} < 2`);
  const c = x.t.dims[1]!;
  const ps = [1, 2, 3, 4].map((i) => {
    const p = req(inputs, i, ctx);
    if (p.data.length !== c) throw badNode(ctx, `parameter input ${i} has ${p.data.length} values for ${c} channels`);
    return reqFloat(p, `input ${i}`, ctx);
  });
  const [scale, bias, mean, variance] = ps as [Float32Array, Float32Array, Float32Array, Float32Array];
  const F = bnFractionBits(po.bits);
  const inner = x.t.dims.slice(2).reduce((p, d) => p * d, 1);
  const n = x.t.dims[0]!;
  const out = allocQ(po, x.q.length);
  const qmax = 2 ** po.bits - 1;
  const zpIn = x.p.zeroPoint;
  const zpOut = po.zeroPoint;
  for (let ch = 0; ch < c; ch++) {
    const a = scale[ch]! * (1 / Math.sqrt(variance[ch]! + epsilon));
    const b = bias[ch]! - mean[ch]! * a;
    const g = (x.p.scale * a) / po.scale;
    const { m, shift } = quantizeMultiplier(Math.abs(g) * 2 ** F);
    const sign = g < 0 ? -1 : 1;
    const off = roundClamp((b / po.scale) * 2 ** F, -2147483648, 2147483647);
    for (let b0 = 0; b0 < n; b0++) {
      const o = (b0 * c + ch) * inner;
      for (let i = 0; i < inner; i++) {
        const acc = sign * requantize(x.q[o + i]! - zpIn, m, shift) + off;
        const v = requantizeWide(acc, 1073741824, F - 1) + zpOut;
        out[o + i] = v < 0 ? 0 : v > qmax ? qmax : v;
      }
    }
  }
  return [qTensor(po, x.t.dims, out)];
}

export const batchNormalization = featureInput0(defineOp({
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
  int: (inputs, a, ctx) => batchNormInt(inputs, a.epsilon, ctx),
}));
