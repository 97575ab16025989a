/**
 * model_node_info.json in the vendor's form (FORMATS.md §3):
 * `{"all_type": [op types in order of first appearance], "<OpType>": [node names in order]}`.
 */
import type { OnnxModel } from '../onnx/types.js';

export type ModelNodeInfo = { all_type: string[] } & Record<string, string[]>;

/** Op types and node names of the model, in topological order. */
export function modelNodeInfo(model: OnnxModel): ModelNodeInfo {
  const info: ModelNodeInfo = { all_type: [] } as unknown as ModelNodeInfo;
  for (const n of model.graph.nodes) {
    let list = Object.prototype.hasOwnProperty.call(info, n.opType) ? info[n.opType] : undefined;
    if (!list) {
      info.all_type.push(n.opType);
      list = [];
      info[n.opType] = list;
    }
    list.push(n.name);
  }
  return info;
}
