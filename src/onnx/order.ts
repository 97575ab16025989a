/**
 * The model's tensors in topological order, labelled: what compare uses to order dump layers,
 * name them, and follow the data from the graph inputs (error gain per layer).
 */
import { sanitizeName } from '../names.js';
import type { OnnxModel } from './types.js';

export interface GraphOrderEntry {
  /** Position (0-based, dense): the real graph inputs first, then node outputs in node order. */
  order: number;
  /** Original tensor name. */
  tensorName: string;
  /** Vendor file-name form of the tensor name (sanitizeName); may collide for different tensors. */
  sanitized: string;
  /** Producing node ('' for a graph input). */
  nodeName: string;
  /** Producing node's op type ('Input' for a graph input). */
  opType: string;
  /** Which output of the node this tensor is (0 for graph inputs). */
  outputIndex: number;
  /**
   * The producing node's non-constant inputs: tensors that are neither initializers nor
   * `Constant` outputs, omitted optional inputs dropped, each listed once. Empty for inputs.
   */
  dataInputs: string[];
  /** 'input' (graph input), 'constant' (output of a Constant node) or 'layer'. */
  kind: 'input' | 'layer' | 'constant';
}

/** Every graph input and node output in topological order. */
export function graphOrder(model: OnnxModel): GraphOrderEntry[] {
  const g = model.graph;
  const out: GraphOrderEntry[] = [];
  for (const i of g.inputs) {
    out.push({ order: out.length, tensorName: i.name, sanitized: sanitizeName(i.name), nodeName: '', opType: 'Input', outputIndex: 0, dataInputs: [], kind: 'input' });
  }
  for (const n of g.nodes) {
    const dataInputs = [...new Set(n.inputs.filter((t) => t && !g.initializers.has(t)))];
    const kind = n.opType === 'Constant' && n.domain === '' ? 'constant' : 'layer';
    n.outputs.forEach((t, k) => {
      if (!t) return;
      out.push({ order: out.length, tensorName: t, sanitized: sanitizeName(t), nodeName: n.name, opType: n.opType, outputIndex: k, dataInputs, kind });
    });
  }
  return out;
}
