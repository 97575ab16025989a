/**
 * The integer linear kernels (Conv, ConvTranspose, Gemm, MatMul) against (1) the float kernel on
 * the dequantized operands, quantized with the output's parameters, and (2) onnxruntime's own
 * integer QLinearConv / QLinearMatMul built from the same parameters (one-node models).
 */
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { conv } from './conv.js';
import { convTranspose } from './conv-transpose.js';
import { gemm } from './gemm.js';
import { matMul } from './mat-mul.js';
import { makeTensor, type Tensor } from '../tensor.js';
import { quantizeWeights, dequantizeWeights, type QuantizedWeights } from '../quant/weights.js';
import { featureParamsFromRange, type FeatureQParams } from '../quant/feature-params.js';
import { quantizeTensor, dequantizeTensor } from '../quant/quantize-tensor.js';
import type { IntContext, OpContext, OpKernel } from './op.js';
import type { OnnxNode } from '../../src/onnx/types.js';
import { graphModel } from '../testing/proto-model.js';
import { roundHalfEven } from '../quant/rounding.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function nodeOf(opType: string, attrs: OnnxNode['attrs'], nIn: number): OpContext {
  const node: OnnxNode = { name: 'n', nameSynthesized: false, opType, domain: '', inputs: ['x', 'w', 'b'].slice(0, nIn), outputs: ['y'], attrs, index: 0 };
  return { node, opset: 13 };
}

interface Case {
  kernel: OpKernel<unknown>;
  ctx: OpContext;
  x: Float32Array;
  xDims: number[];
  w: Float32Array;
  wDims: number[];
  wAxis: number;
  b: Float32Array | null;
  bits: number;
  wBits?: number;
}

/** Runs the integer kernel and the float reference; returns the max code difference. */
function checkAgainstFloat(c: Case): number {
  const attrs = c.kernel.attrs(c.ctx);
  let lo = 0;
  let hi = 0;
  for (const v of c.x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const qx = featureParamsFromRange(lo, hi, c.bits);
  const qw = quantizeWeights(c.w, c.wDims, c.wBits ?? c.bits, 'MAX_ABS', c.wAxis);
  const xq = quantizeTensor(c.x, qx);
  const bT = c.b ? [makeTensor('float32', [c.b.length], c.b)] : [];
  const yf = c.kernel.float([makeTensor('float32', c.xDims, dequantizeTensor(xq, qx)), makeTensor('float32', c.wDims, dequantizeWeights(qw, c.wDims)), ...bT], attrs, c.ctx)[0]!;
  let ylo = 0;
  let yhi = 0;
  for (const v of yf.data as Float32Array) {
    ylo = Math.min(ylo, v);
    yhi = Math.max(yhi, v);
  }
  const qy = featureParamsFromRange(ylo, yhi, c.bits);
  const ictx: IntContext = { ...c.ctx, inputQuant: [qx, null, null], outputQuant: [qy], weightQuant: [null, qw, null] };
  const yi = c.kernel.int!([makeTensor(c.bits <= 8 ? 'uint8' : 'uint16', c.xDims, xq), makeTensor('float32', c.wDims, c.w), ...bT], attrs, ictx)[0]!;
  expect(yi.dims).toEqual(yf.dims);
  const want = quantizeTensor(yf.data as Float32Array, qy);
  let maxd = 0;
  for (let i = 0; i < want.length; i++) maxd = Math.max(maxd, Math.abs(want[i]! - yi.data[i]!));
  return maxd;
}

const rand = (r: () => number, n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (hi - lo) * r());

describe('integer kernels equal the float kernel on dequantized operands within 1 LSB', () => {
  for (const bits of [4, 8, 12, 16]) {
    it(`Conv 3x3 pad 1, ${bits} bits (wide bias/accumulator above 8 bits)`, () => {
      const r = rng(bits);
      expect(checkAgainstFloat({ kernel: conv as OpKernel<unknown>, ctx: nodeOf('Conv', { pads: [1, 1, 1, 1] }, 3), x: rand(r, 8 * 81, -1, 5), xDims: [1, 8, 9, 9], w: rand(r, 6 * 8 * 9, -0.5, 0.5), wDims: [6, 8, 3, 3], wAxis: 0, b: rand(r, 6, -2, 2), bits })).toBeLessThanOrEqual(1);
    });
  }
  it('Conv depthwise stride 2 (group = channels), 8 bits', () => {
    const r = rng(7);
    expect(checkAgainstFloat({ kernel: conv as OpKernel<unknown>, ctx: nodeOf('Conv', { group: 8, strides: [2, 2], pads: [1, 1, 1, 1] }, 3), x: rand(r, 8 * 100, -1, 3), xDims: [1, 8, 10, 10], w: rand(r, 8 * 9, -1, 1), wDims: [8, 1, 3, 3], wAxis: 0, b: rand(r, 8, -1, 1), bits: 8 })).toBeLessThanOrEqual(1);
  });
  it('ConvTranspose stride 2, group 2, 8 bits', () => {
    const r = rng(9);
    expect(checkAgainstFloat({ kernel: convTranspose as OpKernel<unknown>, ctx: nodeOf('ConvTranspose', { group: 2, strides: [2, 2] }, 3), x: rand(r, 4 * 25, -1, 3), xDims: [1, 4, 5, 5], w: rand(r, 4 * 3 * 9, -1, 1), wDims: [4, 3, 3, 3], wAxis: 1, b: rand(r, 6, -1, 1), bits: 8 })).toBeLessThanOrEqual(1);
  });
  it('Gemm transB=1 with bias, alpha 0.5, beta 2, 8 bits', () => {
    const r = rng(11);
    expect(checkAgainstFloat({ kernel: gemm as OpKernel<unknown>, ctx: nodeOf('Gemm', { transB: 1, alpha: 0.5, beta: 2 }, 3), x: rand(r, 3 * 20, -2, 2), xDims: [3, 20], w: rand(r, 7 * 20, -1, 1), wDims: [7, 20], wAxis: 0, b: rand(r, 7, -1, 1), bits: 8 })).toBeLessThanOrEqual(1);
  });
  it('MatMul [2,3,16] x [16,5] weights, 12 bits', () => {
    const r = rng(13);
    expect(checkAgainstFloat({ kernel: matMul as OpKernel<unknown>, ctx: nodeOf('MatMul', {}, 2), x: rand(r, 2 * 3 * 16, -1, 1), xDims: [2, 3, 16], w: rand(r, 16 * 5, -1, 1), wDims: [16, 5], wAxis: 1, b: null, bits: 12 })).toBeLessThanOrEqual(1);
  });
});

/** QLinearConv(x, x_scale, x_zp, w, w_scale[M], w_zp[M], y_scale, y_zp, B) in onnxruntime. */
async function ortQLinearConv(x: Tensor, qx: FeatureQParams, qw: QuantizedWeights, wDims: number[], bias: Int32Array, qy: FeatureQParams, attrs: Record<string, number | number[]>): Promise<Uint8Array> {
  const m = wDims[0]!;
  const f32 = (v: number[]) => makeTensor('float32', [v.length], Float32Array.from(v));
  const bytes = graphModel({
    nodes: [{ name: 'qc', opType: 'QLinearConv', inputs: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'b'], outputs: ['y'], attrs }],
    inputs: [
      { name: 'x', tensor: x },
      { name: 'xs', tensor: makeTensor('float32', [], Float32Array.of(qx.scale)), initializer: true },
      { name: 'xz', tensor: makeTensor('uint8', [], Uint8Array.of(qx.zeroPoint)), initializer: true },
      { name: 'w', tensor: makeTensor('int8', wDims, Int8Array.from(qw.q)), initializer: true },
      { name: 'ws', tensor: f32([...qw.scales]), initializer: true },
      { name: 'wz', tensor: makeTensor('int8', [m], new Int8Array(m)), initializer: true },
      { name: 'ys', tensor: makeTensor('float32', [], Float32Array.of(qy.scale)), initializer: true },
      { name: 'yz', tensor: makeTensor('uint8', [], Uint8Array.of(qy.zeroPoint)), initializer: true },
      { name: 'b', tensor: makeTensor('int32', [m], bias), initializer: true },
    ],
    outputs: ['y'],
    outputDtype: 'uint8',
    opset: 13,
  });
  const s = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const out = await s.run({ x: new ort.Tensor('uint8', x.data as Uint8Array, x.dims) });
  await s.release();
  return out.y!.data as Uint8Array;
}

describe('integer Conv against onnxruntime QLinearConv (same parameters)', () => {
  const cases: { name: string; c: number; m: number; h: number; k: number; attrs: Record<string, number | number[]> }[] = [
    { name: '3x3 pad 1, 16→24', c: 16, m: 24, h: 20, k: 3, attrs: { pads: [1, 1, 1, 1] } },
    { name: '1x1, 32→16', c: 32, m: 16, h: 16, k: 1, attrs: {} },
    { name: '3x3 stride 2 depthwise, 24 channels', c: 24, m: 24, h: 21, k: 3, attrs: { pads: [1, 1, 1, 1], strides: [2, 2], group: 24 } },
  ];
  for (const cs of cases) {
    it(cs.name, async () => {
      const r = rng(cs.c * 31 + cs.m);
      const cg = cs.c / (cs.attrs.group as number | undefined ?? 1);
      const wDims = [cs.m, cg, cs.k, cs.k];
      const xf = rand(r, cs.c * cs.h * cs.h, -1, 6);
      const wf = rand(r, cs.m * cg * cs.k * cs.k, -0.4, 0.4);
      const bf = rand(r, cs.m, -1, 1);
      const qx = featureParamsFromRange(-1, 6, 8);
      const qw = quantizeWeights(wf, wDims, 8, 'MAX_ABS');
      const qy = featureParamsFromRange(-4, 9, 8);
      const ctx = nodeOf('Conv', cs.attrs, 3);
      const attrs = conv.attrs(ctx);
      const x = makeTensor('uint8', [1, cs.c, cs.h, cs.h], quantizeTensor(xf, qx) as Uint8Array);
      const ours = conv.int!([x, makeTensor('float32', wDims, wf), makeTensor('float32', [cs.m], bf)], attrs, { ...ctx, inputQuant: [qx, null, null], outputQuant: [qy], weightQuant: [null, qw, null] })[0]!.data as Uint8Array;
      // the bias onnxruntime gets is ours: round_half_even(b / fround(s_x · s_w[c]))
      const bias = Int32Array.from(bf, (v, c) => roundHalfEven(v / Math.fround(qx.scale * qw.scales[c]!)));
      const theirs = await ortQLinearConv(x, qx, qw, wDims, bias, qy, cs.attrs);
      expect(theirs.length).toBe(ours.length);
      let exact = 0;
      let within1 = 0;
      for (let i = 0; i < ours.length; i++) {
        const d = Math.abs(ours[i]! - theirs[i]!);
        if (d === 0) exact++;
        if (d <= 1) within1++;
      }
      // measured: 100% exact on all three cases (onnxruntime requantizes with a float32 multiplier and
      // round-half-even; ours is the fixed-point rule, so a 1-LSB difference on near-ties is allowed)
      expect(within1 / ours.length).toBeGreaterThanOrEqual(0.999);
      expect(exact / ours.length).toBeGreaterThanOrEqual(0.999);
    });
  }
});

describe('integer MatMul against onnxruntime QLinearMatMul (same parameters)', () => {
  it('[1,40,64] x weights [64,24], per-column weight scales', async () => {
    const r = rng(77);
    const [m, k, n] = [40, 64, 24];
    const af = rand(r, m * k, -2, 3);
    const wf = rand(r, k * n, -0.5, 0.5);
    const qa = featureParamsFromRange(-2, 3, 8);
    const qw = quantizeWeights(wf, [k, n], 8, 'MAX_ABS', 1);
    const qy = featureParamsFromRange(-6, 6, 8);
    const ctx = nodeOf('MatMul', {}, 2);
    const a = makeTensor('uint8', [1, m, k], quantizeTensor(af, qa) as Uint8Array);
    const ours = matMul.int!([a, makeTensor('float32', [k, n], wf)], null, { ...ctx, inputQuant: [qa, null], outputQuant: [qy], weightQuant: [null, qw] })[0]!.data as Uint8Array;
    const bytes = graphModel({
      nodes: [{ name: 'qm', opType: 'QLinearMatMul', inputs: ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], outputs: ['y'] }],
      inputs: [
        { name: 'a', tensor: a },
        { name: 'as', tensor: makeTensor('float32', [], Float32Array.of(qa.scale)), initializer: true },
        { name: 'az', tensor: makeTensor('uint8', [], Uint8Array.of(qa.zeroPoint)), initializer: true },
        { name: 'b', tensor: makeTensor('int8', [k, n], Int8Array.from(qw.q)), initializer: true },
        { name: 'bs', tensor: makeTensor('float32', [n], Float32Array.from(qw.scales)), initializer: true },
        { name: 'bz', tensor: makeTensor('int8', [n], new Int8Array(n)), initializer: true },
        { name: 'ys', tensor: makeTensor('float32', [], Float32Array.of(qy.scale)), initializer: true },
        { name: 'yz', tensor: makeTensor('uint8', [], Uint8Array.of(qy.zeroPoint)), initializer: true },
      ],
      outputs: ['y'],
      outputDtype: 'uint8',
      opset: 13,
    });
    const s = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    const theirs = (await s.run({ a: new ort.Tensor('uint8', a.data as Uint8Array, a.dims) })).y!.data as Uint8Array;
    await s.release();
    let exact = 0;
    let within1 = 0;
    for (let i = 0; i < ours.length; i++) {
      const d = Math.abs(ours[i]! - theirs[i]!);
      if (d === 0) exact++;
      if (d <= 1) within1++;
    }
    // measured: 960 of 960 identical
    expect(within1 / ours.length).toBeGreaterThanOrEqual(0.999);
    expect(exact / ours.length).toBeGreaterThanOrEqual(0.999);
  });
});
