/**
 * --model: the graph's topological order, node names and op types for every tensor, keyed by
 * the sanitized tensor name (the dump file name), so compare can order and label layers.
 */
import { loadModel } from '../onnx/load.js';
import { graphOrder } from '../onnx/order.js';
import type { OnnxModel } from '../onnx/types.js';
import type { LayerLabel } from './edges.js';
import { sanitizeName } from '../names.js';

/** Labels of an already loaded model. */
export function labelsOf(model: OnnxModel): Map<string, LayerLabel> {
  const labels = new Map<string, LayerLabel>();
  for (const t of graphOrder(model)) {
    labels.set(t.sanitized, { order: t.order, tensorName: t.tensorName, nodeName: t.nodeName, opType: t.opType, dataInputs: t.dataInputs.map(sanitizeName) });
  }
  return labels;
}

export async function modelLabels(file: string): Promise<{ labels: Map<string, LayerLabel>; identity: { file: string; md5: string } }> {
  const model = await loadModel(file);
  return { labels: labelsOf(model), identity: { file: model.file, md5: model.md5 } };
}
