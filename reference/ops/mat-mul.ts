/** MatMul with numpy semantics: 1-D operands are promoted and the added axis removed; batch axes broadcast. */
import { makeTensor } from '../tensor.js';
import { broadcastDims, forEachBroadcast } from './elementwise.js';
import { matmul2d } from './gemm.js';
import { badNode, defineOp, req, reqFloat } from './op.js';

export const matMul = defineOp({
  opType: 'MatMul',
  inputs: [2, 2],
  outputs: [1, 1],
  attrs: () => null,
  float: (inputs, _a, ctx) => {
    const a = req(inputs, 0, ctx);
    const b = req(inputs, 1, ctx);
    const ad = a.dims.length === 1 ? [1, a.dims[0]!] : a.dims;
    const bd = b.dims.length === 1 ? [b.dims[0]!, 1] : b.dims;
    const m = ad[ad.length - 2]!;
    const k = ad[ad.length - 1]!;
    const n = bd[bd.length - 1]!;
    if (bd[bd.length - 2] !== k) throw badNode(ctx, `inner dimensions of [${a.dims.join(',')}] and [${b.dims.join(',')}] differ`);
    const batch = broadcastDims(ad.slice(0, -2), bd.slice(0, -2));
    if (!batch) throw badNode(ctx, `batch axes of [${a.dims.join(',')}] and [${b.dims.join(',')}] do not broadcast`);
    const x = reqFloat(a, 'A', ctx);
    const y = reqFloat(b, 'B', ctx);
    const out = new Float32Array(batch.reduce((p, d) => p * d, 1) * m * n);
    const acc = new Float64Array(m * n);
    forEachBroadcast(ad.slice(0, -2), bd.slice(0, -2), batch, (o, ia, ib) => {
      matmul2d(x, ia * m * k, y, ib * k * n, m, k, n, false, false, acc);
      out.set(acc, o * m * n);
    });
    const dims = [...batch, ...(a.dims.length === 1 ? [] : [m]), ...(b.dims.length === 1 ? [] : [n])];
    return [makeTensor('float32', dims, out)];
  },
});
