/**
 * ConvTranspose (1-D/2-D, NCHW): weight [C, M/group, kH, kW]; strides, dilations, pads,
 * output_padding, output_shape and auto_pad as in onnxruntime's conv_transpose_attributes.h
 * (SAME_UPPER puts the smaller half of the total padding first; SAME_LOWER and output_shape
 * without auto_pad put the larger half first, per the ONNX spec). Scatter form with double
 * accumulation.
 */
import { makeTensor, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import { accScales, centered, linearQuant, quantizeBiasTo, requantizeChannels, weightCodes, wideBias } from './int-linear.js';
import { convTransposeFast } from './int-linear-fast.js';
import { badNode, defineOp, opt, req, reqFloat, unsupported, type Inputs, type OpContext } from './op.js';
import { readSpatial, type SpatialAttrs } from './spatial.js';

export interface ConvT2dGeom {
  n: number; c: number; h: number; w: number; m: number; group: number;
  kh: number; kw: number; sh: number; sw: number; dh: number; dw: number;
  pt: number; pl: number; oh: number; ow: number;
}

/** y[n, g*Mg+oc, iy*sh-pt+ky*dh, ix*sw-pl+kx*dw] += x[n, g*Cg+ic, iy, ix] * w[g*Cg+ic, oc, ky, kx] (math). */
export function convTranspose2dImpl(x: Float32Array, wt: Float32Array, bias: Float32Array | null, g: ConvT2dGeom): Float32Array;
/** With `wide`: the exact double accumulators (integer mode; `bias` must be null). */
export function convTranspose2dImpl(x: Float32Array, wt: Float32Array, bias: null, g: ConvT2dGeom, wide: true): Float64Array;
export function convTranspose2dImpl(x: Float32Array, wt: Float32Array, bias: Float32Array | null, g: ConvT2dGeom, wide = false): Float32Array | Float64Array {
  const { n, c, h, w, m, group, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = g;
  const cg = c / group;
  const mg = m / group;
  const plane = oh * ow;
  const acc = new Float64Array(n * m * plane);
  for (let b = 0; b < n; b++) {
    for (let gi = 0; gi < group; gi++) {
      for (let ic = 0; ic < cg; ic++) {
        const ci = gi * cg + ic;
        const xp = (b * c + ci) * h * w;
        for (let oc = 0; oc < mg; oc++) {
          const ap = (b * m + gi * mg + oc) * plane;
          const wb = (ci * mg + oc) * kh * kw;
          for (let ky = 0; ky < kh; ky++) {
            for (let kx = 0; kx < kw; kx++) {
              const wv = wt[wb + ky * kw + kx]!;
              for (let iy = 0; iy < h; iy++) {
                const oy = iy * sh - pt + ky * dh;
                if (oy < 0 || oy >= oh) continue;
                for (let ix = 0; ix < w; ix++) {
                  const ox = ix * sw - pl + kx * dw;
                  if (ox < 0 || ox >= ow) continue;
                  acc[ap + oy * ow + ox] += wv * x[xp + iy * w + ix]!;
                }
              }
            }
          }
        }
      }
    }
  }
  if (wide) return acc;
  const out = new Float32Array(acc.length);
  for (let b = 0; b < n; b++) {
    for (let oc = 0; oc < m; oc++) {
      const bv = bias ? bias[oc]! : 0;
      const o = (b * m + oc) * plane;
      for (let i = 0; i < plane; i++) out[o + i] = acc[o + i]! + bv;
    }
  }
  return out;
}

type ConvTAttrs = SpatialAttrs & { group: number; outputPadding?: number[]; outputShape?: number[] };

/** Checks shapes and resolves the 2-D geometry (1-D as H = 1), the output dims and the bias. */
function convTGeometry(inputs: Inputs, a: ConvTAttrs, ctx: OpContext): { g: ConvT2dGeom; dims: number[]; bias: Tensor | null } {
  const x = req(inputs, 0, ctx);
  const wt = req(inputs, 1, ctx);
  const bias = opt(inputs, 2);
  const r = x.dims.length - 2;
  if (r !== 1 && r !== 2) throw unsupported(ctx, `a ${r}-D transposed convolution`);
  const [n, c] = x.dims as [number, number];
  if (wt.dims.length !== r + 2 || wt.dims[0] !== c || c % a.group !== 0) throw badNode(ctx, `weight [${wt.dims.join(',')}] does not fit ${c} input channels, group ${a.group}`);
  const m = wt.dims[1]! * a.group;
  if (bias && bias.data.length !== m) throw badNode(ctx, `bias has ${bias.data.length} values for ${m} output channels`);
  const kernel = wt.dims.slice(2);
  const strides = a.strides ?? kernel.map(() => 1);
  const dil = a.dilations ?? kernel.map(() => 1);
  const outPad = a.outputPadding ?? kernel.map(() => 0);
  const pads = a.pads ? [...a.pads] : new Array<number>(2 * r).fill(0);
  const inSp = x.dims.slice(2);
  const outSp: number[] = [];
  const wantShape = a.outputShape ? a.outputShape.slice(-r) : a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER' ? inSp.map((d, i) => d * strides[i]!) : undefined;
  for (let i = 0; i < r; i++) {
    const full = strides[i]! * (inSp[i]! - 1) + outPad[i]! + (kernel[i]! - 1) * dil[i]! + 1;
    if (wantShape) {
      const total = full - wantShape[i]!;
      const small = Math.floor(total / 2);
      pads[i] = a.autoPad === 'SAME_UPPER' ? small : total - small; // NOTSET with output_shape puts the extra pad first, like SAME_LOWER (ONNX spec)
      pads[i + r] = total - pads[i]!;
      outSp.push(wantShape[i]!);
    } else {
      if (a.autoPad === 'VALID') pads.fill(0);
      outSp.push(full - pads[i]! - pads[i + r]!);
    }
  }
  if (outSp.some((d) => d <= 0)) throw badNode(ctx, `output spatial size [${outSp.join(',')}] is not positive`);
  const two = r === 2;
  const g: ConvT2dGeom = {
    n, c, h: two ? inSp[0]! : 1, w: inSp[r - 1]!, m, group: a.group,
    kh: two ? kernel[0]! : 1, kw: kernel[r - 1]!, sh: two ? strides[0]! : 1, sw: strides[r - 1]!,
    dh: two ? dil[0]! : 1, dw: dil[r - 1]!, pt: two ? pads[0]! : 0, pl: pads[r - 1]!,
    oh: two ? outSp[0]! : 1, ow: outSp[r - 1]!,
  };
  return { g, dims: [n, m, ...outSp], bias };
}

export const convTranspose = defineOp({
  opType: 'ConvTranspose',
  inputs: [2, 3],
  outputs: [1, 1],
  attrs: (ctx): ConvTAttrs => ({ ...readSpatial(ctx), group: A.int(ctx, 'group', 1), outputPadding: A.ints(ctx, 'output_padding'), outputShape: A.ints(ctx, 'output_shape') }),
  float: (inputs, a, ctx) => {
    const { g, dims, bias } = convTGeometry(inputs, a, ctx);
    const y = convTranspose2dImpl(reqFloat(req(inputs, 0, ctx), 'input', ctx), reqFloat(req(inputs, 1, ctx), 'weight', ctx), bias ? reqFloat(bias, 'bias', ctx) : null, g);
    return [makeTensor('float32', dims, y)];
  },
  int: (inputs, a, ctx) => {
    const { qx, qy, qw } = linearQuant(ctx, 1);
    const { g, dims, bias } = convTGeometry(inputs, a, ctx);
    // weights [C, M/group, kH, kW] are quantized per axis-1 index; output channel gi·(M/g) + oc uses scale oc
    const mg = g.m / g.group;
    const sAcc = accScales(qx.scale, qw!.scales, g.m, (c) => c % mg);
    const qb = bias ? quantizeBiasTo(reqFloat(bias, 'bias', ctx), sAcc, wideBias(qx, qw)) : null;
    const x = req(inputs, 0, ctx);
    const fast = ctx.fast ? convTransposeFast(ctx.fast, x.data, qx, qw!, g, qb, sAcc, qy) : null;
    if (fast) return [makeTensor(qy.bits <= 8 ? 'uint8' : 'uint16', dims, fast)];
    const acc = convTranspose2dImpl(centered(x, qx, ctx), weightCodes(qw!), null, g, true);
    const y = requantizeChannels(acc, g.n, g.m, g.oh * g.ow, sAcc, qb, qy);
    return [makeTensor(qy.bits <= 8 ? 'uint8' : 'uint16', dims, y)];
  },
});
