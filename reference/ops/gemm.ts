/**
 * Gemm: Y = alpha * A' * B' + beta * C, A' = transA ? A^T : A (2-D), C unidirectionally broadcast to [M, N].
 * Integer mode (SEMANTICS.md "Conv, ConvTranspose, Gemm, MatMul"): A is a quantized feature, B
 * constant weights quantized per output column; alpha > 0 joins the multiplier and beta·C (a
 * per-column or scalar constant) becomes the int32 bias. Other forms run through the executor's
 * float fallback (the driver decides).
 */
import { makeTensor } from '../tensor.js';
import * as A from './attrs.js';
import { forEachBroadcast } from './elementwise.js';
import { accScales, centered, linearQuant, quantizeBiasTo, requantizeChannels, weightCodes, wideBias } from './int-linear.js';
import { matMulFast, transposeCodes } from './int-linear-fast.js';
import { badNode, defineOp, opt, req, reqFloat, where } from './op.js';

/** Row-major float32 matrix product with double accumulation: [m,k] x [k,n] (strided views for transposes). */
export function matmul2d(a: Float32Array, aOff: number, b: Float32Array, bOff: number, m: number, k: number, n: number, transA: boolean, transB: boolean, out: Float64Array): void {
  out.fill(0, 0, m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[aOff + (transA ? p * m + i : i * k + p)]!;
      const row = i * n;
      if (transB) for (let j = 0; j < n; j++) out[row + j] += av * b[bOff + j * k + p]!;
      else {
        const bo = bOff + p * n;
        for (let j = 0; j < n; j++) out[row + j] += av * b[bo + j]!;
      }
    }
  }
}

export const gemm = defineOp({
  opType: 'Gemm',
  inputs: [2, 3],
  outputs: [1, 1],
  attrs: (ctx) => ({
    alpha: Math.fround(A.float(ctx, 'alpha', 1)),
    beta: Math.fround(A.float(ctx, 'beta', 1)),
    transA: A.int(ctx, 'transA', 0) === 1,
    transB: A.int(ctx, 'transB', 0) === 1,
  }),
  float: (inputs, at, ctx) => {
    const a = req(inputs, 0, ctx);
    const b = req(inputs, 1, ctx);
    const c = opt(inputs, 2);
    if (a.dims.length !== 2 || b.dims.length !== 2) throw badNode(ctx, `A [${a.dims.join(',')}] and B [${b.dims.join(',')}] must be 2-D`);
    const [m, k] = at.transA ? [a.dims[1]!, a.dims[0]!] : [a.dims[0]!, a.dims[1]!];
    const [k2, n] = at.transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
    if (k !== k2) throw badNode(ctx, `inner dimensions ${k} and ${k2} differ`);
    const acc = new Float64Array(m * n);
    matmul2d(reqFloat(a, 'A', ctx), 0, reqFloat(b, 'B', ctx), 0, m, k, n, at.transA, at.transB, acc);
    const out = new Float32Array(m * n);
    for (let i = 0; i < m * n; i++) out[i] = Math.fround(at.alpha * Math.fround(acc[i]!));
    if (c) {
      const cd = reqFloat(c, 'C', ctx);
      if (c.dims.length > 2 || c.dims.some((d, i) => d !== 1 && d !== [m, n][i + 2 - c.dims.length])) throw badNode(ctx, `C [${c.dims.join(',')}] does not broadcast to [${m},${n}]`);
      forEachBroadcast([m, n], c.dims, [m, n], (o, _ia, ic) => {
        out[o] = out[o]! + Math.fround(at.beta * cd[ic]!);
      });
    }
    return [makeTensor('float32', [m, n], out)];
  },
  int: (inputs, at, ctx) => {
    const { qx, qy, qw } = linearQuant(ctx, 1);
    const a = req(inputs, 0, ctx);
    const b = req(inputs, 1, ctx);
    const c = opt(inputs, 2);
    if (a.dims.length !== 2 || b.dims.length !== 2) throw badNode(ctx, `A [${a.dims.join(',')}] and B [${b.dims.join(',')}] must be 2-D`);
    const [m, k] = at.transA ? [a.dims[1]!, a.dims[0]!] : [a.dims[0]!, a.dims[1]!];
    const [k2, n] = at.transB ? [b.dims[1]!, b.dims[0]!] : [b.dims[0]!, b.dims[1]!];
    if (k !== k2) throw badNode(ctx, `inner dimensions ${k} and ${k2} differ`);
    if (!(at.alpha > 0)) throw new Error(`${where(ctx)}: integer Gemm needs alpha > 0 (got ${at.alpha})`);
    const sAcc = accScales(qx.scale, qw!.scales, n, (j) => j, at.alpha);
    let qb: Float64Array | null = null;
    if (c) {
      const cd = reqFloat(c, 'C', ctx);
      if (cd.length !== 1 && cd.length !== n) throw new Error(`${where(ctx)}: integer Gemm needs C with 1 or ${n} values, got [${c.dims.join(',')}]`);
      const v = new Float64Array(n);
      for (let j = 0; j < n; j++) v[j] = Math.fround(at.beta * cd[cd.length === 1 ? 0 : j]!);
      qb = quantizeBiasTo(v, sAcc, wideBias(qx, qw));
    }
    if (ctx.fast && (a.data instanceof Uint8Array || a.data instanceof Uint16Array)) {
      const codes = at.transA ? transposeCodes(a.data, k, m) : a.data;
      const y = matMulFast(ctx.fast, codes, qx, qw!, m, k, n, at.transB, qb, sAcc, qy);
      if (y) return [makeTensor(qy.bits <= 8 ? 'uint8' : 'uint16', [m, n], y)];
    }
    const acc = new Float64Array(m * n);
    matmul2d(centered(a, qx, ctx, 'A'), 0, weightCodes(qw!), 0, m, k, n, at.transA, at.transB, acc);
    const y = requantizeChannels(acc, m, n, 1, sAcc, qb, qy);
    return [makeTensor(qy.bits <= 8 ? 'uint8' : 'uint16', [m, n], y)];
  },
});
