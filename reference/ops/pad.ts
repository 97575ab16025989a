/**
 * Pad. Opset < 11: attributes `pads`, `value`, `mode`; opset >= 11: inputs pads (int64, the
 * begins of every axis then the ends), constant_value? and (opset 18) axes?. Modes constant,
 * reflect, edge (and wrap, opset 19). Negative pads crop.
 * Integer mode: codes are moved (`preservesScale`; requantized first if the output has other
 * parameters); the constant is quantized with the output's parameters, so the default 0 pads
 * with the zero point (real 0 exactly).
 */
import { allocData, floatTensor, makeTensor, stridesOf, toNumbers, type Tensor } from '../tensor.js';
import * as A from './attrs.js';
import { fillAll, type AnyArray } from './copy.js';
import { quantizeValue } from '../quant/quantize-tensor.js';
import { featureIn, featureInput0, outParams, requantizeFeature } from './int-support.js';
import { badNode, defineOp, opt, req, unsupported } from './op.js';


export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

/** Input index for output index `o` on one axis, or -1 for the constant. */
function sourceIndex(o: number, begin: number, dim: number, mode: PadMode): number {
  let i = o - begin;
  if (i >= 0 && i < dim) return i;
  switch (mode) {
    case 'constant':
      return -1;
    case 'edge':
      return i < 0 ? 0 : dim - 1;
    case 'wrap':
      return ((i % dim) + dim) % dim;
    case 'reflect': {
      if (dim === 1) return 0;
      const period = 2 * (dim - 1);
      i = ((i % period) + period) % period;
      return i < dim ? i : period - i;
    }
  }
}

/** Pads `x` (math, no glue). `pads` = begins of every axis, then ends. */
export function padImpl(x: Tensor, pads: readonly number[], mode: PadMode, value: number): Tensor {
  const r = x.dims.length;
  const dims = x.dims.map((d, i) => d + pads[i]! + pads[i + r]!);
  const n = dims.reduce((p, d) => p * d, 1);
  const out = allocData(x.dtype, n);
  if (mode === 'constant' && value !== 0) fillAll(out, value);
  if (n === 0) return makeTensor(x.dtype, dims, out);
  const maps = dims.map((d, ax) => Int32Array.from({ length: d }, (_v, o) => sourceIndex(o, pads[ax]!, x.dims[ax]!, mode)));
  const st = stridesOf(x.dims);
  const outStrides = stridesOf(dims);
  const src = x.data as unknown as AnyArray;
  const dst = out as unknown as AnyArray;
  // recursive walk: offset into the input accumulated per axis
  const walk = (ax: number, inOff: number, outOff: number): number => {
    const m = maps[ax]!;
    if (ax === r - 1) {
      for (let o = 0; o < m.length; o++) {
        const i = m[o]!;
        if (i >= 0) dst[outOff + o] = src[inOff + i]!;
      }
      return outOff + m.length;
    }
    const innerSize = outStrides[ax]!;
    for (let o = 0; o < m.length; o++) {
      const i = m[o]!;
      if (i >= 0) walk(ax + 1, inOff + i * st[ax]!, outOff);
      outOff += innerSize;
    }
    return outOff;
  };
  walk(0, 0, 0);
  return makeTensor(x.dtype, dims, out);
}

export const pad = featureInput0(defineOp({
  opType: 'Pad',
  inputs: [1, 4],
  outputs: [1, 1],
  attrs: (ctx) => {
    const mode = A.oneOf<PadMode>(ctx, 'mode', 'constant', ['constant', 'reflect', 'edge', 'wrap']);
    return ctx.opset < 11 ? { mode, pads: A.ints(ctx, 'pads'), value: A.float(ctx, 'value', 0) } : { mode, pads: undefined, value: 0 };
  },
  float: (inputs, a, ctx) => {
    const x = req(inputs, 0, ctx);
    const r = x.dims.length;
    let pads = a.pads ?? (inputs[1] ? toNumbers(inputs[1]) : undefined);
    if (!pads) throw badNode(ctx, 'has no pads');
    const cv = opt(inputs, 2);
    const value = cv && cv.data.length > 0 ? Number(cv.data[0]!) : a.value;
    const axesT = opt(inputs, 3);
    if (axesT) {
      const axes = toNumbers(axesT).map((v) => (v < 0 ? v + r : v));
      if (pads.length !== 2 * axes.length) throw badNode(ctx, `pads has ${pads.length} values for ${axes.length} axes`);
      const full = new Array<number>(2 * r).fill(0);
      axes.forEach((ax, i) => {
        full[ax] = pads![i]!;
        full[ax + r] = pads![i + axes.length]!;
      });
      pads = full;
    }
    if (pads.length !== 2 * r) throw badNode(ctx, `pads has ${pads.length} values, expected ${2 * r} for rank ${r}`);
    if (a.mode !== 'constant' && x.dims.some((d, i) => d === 0 && (pads![i]! > 0 || pads![i + r]! > 0))) throw unsupported(ctx, `${a.mode} padding of an empty axis`);
    return [padImpl(x, pads, a.mode, value)];
  },
  preservesScale: true,
  int: (inputs, a, ctx): Tensor[] => {
    const x = featureIn(inputs, 0, ctx);
    const po = outParams(ctx);
    const cv = opt(inputs, 2);
    const qv = quantizeValue(cv && cv.data.length > 0 ? Number(cv.data[0]!) : a.value, po);
    const ins = [...inputs];
    ins[0] = requantizeFeature(x.t, x.p, po);
    if (cv) ins[2] = floatTensor([], [qv]);
    return pad.float(ins, { ...a, value: qv }, ctx);
  },
}));
