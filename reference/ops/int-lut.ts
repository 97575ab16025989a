/**
 * Lookup-table integer kernels (SEMANTICS.md "Element-wise, lookup-table and data-movement
 * operators"). A unary op on a b-bit feature has only 2^b possible inputs, so its integer form is
 *   table[q] = quantize_out(f(dequantize_in(q))),
 * where f is the op's own float kernel (run once on the 2^b dequantized codes), quantize_out the
 * feature quantizer (round half to even, clamp; NaN → 0). The integer result therefore equals
 * "float kernel on the dequantized input, then quantized" exactly, by construction. Tables are
 * built once per (node, input parameters, output parameters) and cached with the node.
 *
 * A binary op with one feature input and one small constant input (a scalar, a per-channel
 * [C,1,1] slope / scale / bias...) gets one table per constant element:
 *   table[k · 2^b + q] = quantize_out(f(dequantize_in(q), c[k]))   (operands in the node's order)
 * used when K · 2^b ≤ 2^20 entries.
 */
import { quantizeTensor } from '../quant/quantize-tensor.js';
import { floatTensor, makeTensor, type Tensor } from '../tensor.js';
import { broadcastDims, forEachBroadcast } from './elementwise.js';
import { allocQ, applyTable, cached, dequantizedCodes, featureIn, floatMiddle, outParams, paramsKey, qTensor, type QArray } from './int-support.js';
import { badNode, type Inputs, type IntContext, type OpKernel } from './op.js';

/** Largest per-constant table (entries) built for a binary op with a constant operand. */
export const MAX_CONST_TABLE = 1 << 20;

/** Integer form of a unary op (input 0 a feature; other inputs, e.g. Clip's min/max, constants). */
export function lutUnaryInt<A>(kernel: OpKernel<A>, inputs: Inputs, attrs: A, ctx: IntContext): Tensor[] {
  if (!inputs[0] || !ctx.inputQuant[0]) return floatMiddle(kernel, inputs, attrs, ctx);
  const x = featureIn(inputs, 0, ctx);
  const po = outParams(ctx);
  const table = cached(ctx, `lut:${paramsKey(x.p)}>${paramsKey(po)}`, () => {
    const codes = dequantizedCodes(x.p);
    const ins = [floatTensor([codes.length], codes), ...inputs.slice(1)];
    const y = kernel.float(ins, attrs, ctx)[0]!;
    return quantizeTensor(y.data as Float32Array, po);
  });
  return [qTensor(po, x.t.dims, applyTable(x.q, table, allocQ(po, x.q.length)))];
}

/** Whether a binary op's constant operand is small enough for {@link lutBinaryConstInt}. */
export function constTableFits(constant: Tensor, bits: number): boolean {
  return constant.data.length * 2 ** bits <= MAX_CONST_TABLE;
}

/**
 * Integer form of a binary op whose input `fi` (0 or 1) is a feature and the other a float
 * constant: one table per constant element (file comment), then one lookup per output element.
 */
export function lutBinaryConstInt<A>(kernel: OpKernel<A>, inputs: Inputs, attrs: A, ctx: IntContext, fi: 0 | 1): Tensor[] {
  const x = featureIn(inputs, fi, ctx);
  const c = inputs[1 - fi]!;
  const po = outParams(ctx);
  const n = 2 ** x.p.bits;
  const k = c.data.length;
  const table = cached(ctx, `lut2:${paramsKey(x.p)}>${paramsKey(po)}`, () => {
    const codes = dequantizedCodes(x.p);
    const xs = floatTensor([n], codes);
    const cs = makeTensor(c.dtype, [k, 1], c.data);
    const y = kernel.float(fi === 0 ? [xs, cs] : [cs, xs], attrs, ctx)[0]!;
    return quantizeTensor(y.data as Float32Array, po);
  });
  if (k === 1) return [qTensor(po, broadcastDims(x.t.dims, c.dims) ?? x.t.dims, applyTable(x.q, table, allocQ(po, x.q.length)))];
  const dims = broadcastDims(inputs[0]!.dims, inputs[1]!.dims);
  if (!dims) throw badNode(ctx, `input shapes [${inputs[0]!.dims.join(',')}] and [${inputs[1]!.dims.join(',')}] do not broadcast`);
  const out: QArray = allocQ(po, dims.reduce((p, d) => p * d, 1));
  const q = x.q;
  if (fi === 0) forEachBroadcast(inputs[0]!.dims, inputs[1]!.dims, dims, (o, ia, ib) => void (out[o] = table[ib * n + q[ia]!]!));
  else forEachBroadcast(inputs[0]!.dims, inputs[1]!.dims, dims, (o, ia, ib) => void (out[o] = table[ia * n + q[ib]!]!));
  return [qTensor(po, dims, out)];
}
