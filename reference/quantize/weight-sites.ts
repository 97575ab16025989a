/**
 * Which constant inputs are quantized as weights (SEMANTICS.md "Weights"): input 1 of Conv,
 * ConvTranspose, Gemm and MatMul when it is a float32 constant of rank ≥ 2, with its
 * output-channel axis. Everything else constant (Mul/Add operands, PRelu slopes, Resize scales)
 * stays with its kernel.
 */
import type { OnnxModel, OnnxNode, OnnxTensor } from '../../src/onnx/types.js';
import { roundHalfEven } from '../quant/rounding.js';
import { weightQmax, type QuantizedWeights } from '../quant/weights.js';

export interface WeightSite {
  node: OnnxNode;
  /** Input index of the weight. */
  input: number;
  tensor: OnnxTensor;
  /** Output-channel axis. */
  axis: number;
}

/** Op types whose input 1 can be a weight. */
export const WEIGHTED_OPS: readonly string[] = ['Conv', 'ConvTranspose', 'Gemm', 'MatMul'];

/** The weight sites of `model`, in node order. */
export function weightSites(model: OnnxModel): WeightSite[] {
  const out: WeightSite[] = [];
  for (const node of model.graph.nodes) {
    if (!WEIGHTED_OPS.includes(node.opType) || !(node.domain === '' || node.domain === 'ai.onnx')) continue;
    const t = model.graph.initializers.get(node.inputs[1] ?? '');
    if (!t || t.dtype !== 'float32' || !(t.data instanceof Float32Array) || t.dims.length < 2) continue;
    let axis: number;
    switch (node.opType) {
      case 'Conv':
        axis = 0;
        break;
      case 'ConvTranspose':
        axis = 1;
        break;
      case 'Gemm':
        if (t.dims.length !== 2) continue;
        axis = node.attrs.transB === 1 ? 0 : 1;
        break;
      default:
        axis = t.dims.length - 1;
    }
    out.push({ node, input: 1, tensor: t, axis });
  }
  return out;
}

/** Weight codes for given per-channel scales: q = clamp(round_half_even(w / s[c]), −qm, qm). */
export function quantizeWithScales(w: Float32Array, dims: readonly number[], axis: number, bits: number, scales: ArrayLike<number>): QuantizedWeights {
  const qm = weightQmax(bits);
  const channels = dims[axis]!;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const q = new Int32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const r = roundHalfEven(w[i]! / scales[Math.floor(i / inner) % channels]!);
    q[i] = r < -qm ? -qm : r > qm ? qm : r;
  }
  return { q, scales: Float64Array.from(scales), axis, bits };
}
