/** Producer and consumer maps of a node list (shared by the loader and graph rewrites). */
import type { OnnxNode } from './types.js';

export function linkNodes(nodes: readonly OnnxNode[]): { producer: Map<string, OnnxNode>; consumers: Map<string, OnnxNode[]> } {
  const producer = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of nodes) {
    for (const o of n.outputs) if (o) producer.set(o, n);
    for (const t of new Set(n.inputs)) {
      if (!t) continue;
      const list = consumers.get(t);
      if (list) list.push(n);
      else consumers.set(t, [n]);
    }
  }
  return { producer, consumers };
}
