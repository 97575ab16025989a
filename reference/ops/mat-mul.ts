/**
 * MatMul with numpy semantics: 1-D operands are promoted and the added axis removed; batch axes broadcast.
 * Integer mode (SEMANTICS.md "Conv, ConvTranspose, Gemm, MatMul"): A is a quantized feature; B is
 * either constant weights quantized per output column (last axis) or a second quantized feature
 * (per tensor, centred by its zero point).
 */
import { makeTensor } from '../tensor.js';
import { broadcastDims, forEachBroadcast } from './elementwise.js';
import { matmul2d } from './gemm.js';
import { accScales, centered, linearQuant, requantizeChannels, weightCodes } from './int-linear.js';
import { matMulFast } from './int-linear-fast.js';
import { badNode, defineOp, req, reqFloat, where, type Inputs, type IntContext, type OpContext } from './op.js';
import type { Tensor } from '../tensor.js';

/** Batched product of two float32 operands laid out like `a`/`b`, accumulated exactly in doubles. */
function matmulAll(a: Tensor, b: Tensor, x: Float32Array, y: Float32Array, ctx: OpContext, wide: boolean): { out: Float32Array | Float64Array; dims: number[]; rows: number; n: number } {
  const ad = a.dims.length === 1 ? [1, a.dims[0]!] : a.dims;
  const bd = b.dims.length === 1 ? [b.dims[0]!, 1] : b.dims;
  const m = ad[ad.length - 2]!;
  const k = ad[ad.length - 1]!;
  const n = bd[bd.length - 1]!;
  if (bd[bd.length - 2] !== k) throw badNode(ctx, `inner dimensions of [${a.dims.join(',')}] and [${b.dims.join(',')}] differ`);
  const batch = broadcastDims(ad.slice(0, -2), bd.slice(0, -2));
  if (!batch) throw badNode(ctx, `batch axes of [${a.dims.join(',')}] and [${b.dims.join(',')}] do not broadcast`);
  const nb = batch.reduce((p, d) => p * d, 1);
  const out = wide ? new Float64Array(nb * m * n) : new Float32Array(nb * m * n);
  const acc = new Float64Array(m * n);
  forEachBroadcast(ad.slice(0, -2), bd.slice(0, -2), batch, (o, ia, ib) => {
    matmul2d(x, ia * m * k, y, ib * k * n, m, k, n, false, false, acc);
    out.set(acc, o * m * n);
  });
  const dims = [...batch, ...(a.dims.length === 1 ? [] : [m]), ...(b.dims.length === 1 ? [] : [n])];
  return { out, dims, rows: nb * m, n };
}

function intMatMul(inputs: Inputs, ctx: IntContext): Tensor[] {
  const a = req(inputs, 0, ctx);
  const b = req(inputs, 1, ctx);
  const weights = ctx.weightQuant?.[1] ?? null;
  const { qx, qy } = linearQuant(ctx, null);
  let y: Float32Array;
  let sAcc: Float64Array;
  const n = b.dims[b.dims.length - 1]!;
  if (weights) {
    sAcc = accScales(qx.scale, weights.scales, n);
    if (ctx.fast && a.dims.length >= 2 && b.dims.length === 2) {
      const k = a.dims[a.dims.length - 1]!;
      const rows = a.data.length / k;
      const out = b.dims[0] === k ? matMulFast(ctx.fast, a.data, qx, weights, rows, k, n, false, null, sAcc, qy) : null;
      if (out) return [makeTensor(qy.bits <= 8 ? 'uint8' : 'uint16', [...a.dims.slice(0, -1), n], out)];
    }
    y = weightCodes(weights);
  } else {
    const qb = ctx.inputQuant[1];
    if (!qb) throw new Error(`${where(ctx)}: integer MatMul needs B quantized (a feature) or as weights`);
    y = centered(b, qb, ctx, 'B');
    sAcc = accScales(qx.scale, Float64Array.of(qb.scale), n, () => 0);
  }
  const r = matmulAll(a, b, centered(a, qx, ctx, 'A'), y, ctx, true);
  const out = requantizeChannels(r.out as Float64Array, r.rows, r.n, 1, sAcc, null, qy);
  return [makeTensor(qy.bits <= 8 ? 'uint8' : 'uint16', r.dims, out)];
}

export const matMul = defineOp({
  opType: 'MatMul',
  inputs: [2, 2],
  outputs: [1, 1],
  attrs: () => null,
  float: (inputs, _a, ctx) => {
    const a = req(inputs, 0, ctx);
    const b = req(inputs, 1, ctx);
    const r = matmulAll(a, b, reqFloat(a, 'A', ctx), reqFloat(b, 'B', ctx), ctx, false);
    return [makeTensor('float32', r.dims, r.out)];
  },
  int: (inputs, _a, ctx) => intMatMul(inputs, ctx),
});
