/**
 * BatchNorm folding before quantization (SEMANTICS.md "Which tensors are quantized"): a
 * BatchNormalization whose input is the only use of a Conv's output is merged into that Conv,
 *   s[c] = gamma[c] / sqrt(var[c] + eps)
 *   W'[c, ...] = fround(W[c, ...] · s[c])        b'[c] = fround((b[c] − mean[c]) · s[c] + beta[c])
 * (Jacob et al. 2018 §3.2 "batch normalization folding"; the same s[c] the float kernel uses). The
 * fused Conv keeps the Conv's node name and writes the BatchNorm's output tensor; the Conv's own
 * output tensor disappears (the chip never computes it either). Nothing else changes.
 */
import type { OnnxModel, OnnxNode, OnnxTensor } from '../../src/onnx/types.js';
import { linkNodes } from '../../src/onnx/links.js';

/** One fold that was made. */
export interface BatchNormFold {
  /** The Conv node (its name is kept). */
  conv: string;
  /** The BatchNormalization node removed. */
  batchNorm: string;
  /** The Conv output tensor that no longer exists. */
  removedTensor: string;
  /** The tensor the fused Conv now writes (the BatchNorm's output). */
  output: string;
}

export interface FoldResult {
  model: OnnxModel;
  folds: BatchNormFold[];
}

function floatInit(model: OnnxModel, name: string | undefined): Float32Array | null {
  if (!name) return null;
  const t = model.graph.initializers.get(name);
  if (!t || model.graph.producer.has(name) || !(t.data instanceof Float32Array)) return null;
  return t.data;
}

function isDefault(n: OnnxNode): boolean {
  return n.domain === '' || n.domain === 'ai.onnx';
}

/** Returns a new model with every foldable Conv → BatchNormalization pair fused (the input model is not modified). */
export function foldBatchNorms(model: OnnxModel): FoldResult {
  const g = model.graph;
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const replaced = new Map<OnnxNode, OnnxNode>();
  const removed = new Set<OnnxNode>();
  const initializers = new Map(g.initializers);
  const folds: BatchNormFold[] = [];
  for (const bn of g.nodes) {
    if (bn.opType !== 'BatchNormalization' || !isDefault(bn)) continue;
    if (bn.outputs.length > 1 && bn.outputs.slice(1).some((o) => o !== '')) continue;
    const x = bn.inputs[0]!;
    const conv = g.producer.get(x);
    if (!conv || conv.opType !== 'Conv' || !isDefault(conv) || replaced.has(conv)) continue;
    if (graphOutputs.has(x) || (g.consumers.get(x) ?? []).length !== 1) continue;
    const w = floatInit(model, conv.inputs[1]);
    const wt = g.initializers.get(conv.inputs[1]!);
    const b = conv.inputs[2] ? floatInit(model, conv.inputs[2]) : null;
    if (!w || !wt || (conv.inputs[2] && !b)) continue;
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) => floatInit(model, bn.inputs[i]));
    const m = wt.dims[0]!;
    if (!gamma || !beta || !mean || !variance || [gamma, beta, mean, variance].some((p) => p.length !== m)) continue;
    const epsAttr = bn.attrs.epsilon;
    const eps = Math.fround(typeof epsAttr === 'number' ? epsAttr : 1e-5);
    const per = w.length / m;
    const w2 = new Float32Array(w.length);
    const b2 = new Float32Array(m);
    for (let c = 0; c < m; c++) {
      const s = gamma[c]! * (1 / Math.sqrt(variance[c]! + eps));
      for (let k = 0; k < per; k++) w2[c * per + k] = w[c * per + k]! * s;
      b2[c] = ((b ? b[c]! : 0) - mean[c]!) * s + beta[c]!;
    }
    const wName = uniqueName(initializers, `${conv.inputs[1]}__bn_folded`);
    initializers.set(wName, { name: wName, dtype: 'float32', dims: [...wt.dims], data: w2 } satisfies OnnxTensor);
    const bName = uniqueName(initializers, `${conv.name}__bn_folded_bias`);
    initializers.set(bName, { name: bName, dtype: 'float32', dims: [m], data: b2 });
    replaced.set(conv, { ...conv, inputs: [conv.inputs[0]!, wName, bName], outputs: [bn.outputs[0]!], attrs: { ...conv.attrs } });
    removed.add(bn);
    folds.push({ conv: conv.name, batchNorm: bn.name, removedTensor: x, output: bn.outputs[0]! });
  }
  if (folds.length === 0) return { model, folds };
  const nodes: OnnxNode[] = [];
  for (const n of g.nodes) {
    if (removed.has(n)) continue;
    nodes.push({ ...(replaced.get(n) ?? n), index: nodes.length });
  }
  const { producer, consumers } = linkNodes(nodes);
  const graph = { ...g, nodes, initializers, producer, consumers };
  return { model: { ...model, graph }, folds };
}

function uniqueName(used: Map<string, unknown>, base: string): string {
  let name = base;
  for (let k = 1; used.has(name); k++) name = `${base}_${k}`;
  return name;
}
