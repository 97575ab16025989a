/**
 * "Mark all" (the Polygraphy idea): model bytes in which node output tensors are also graph
 * outputs, so onnxruntime returns every intermediate tensor.
 *
 * What onnxruntime needs for an added output (established with onnxruntime-node 1.30 on the
 * shared models): a ValueInfoProto with the name alone is accepted, ORT infers the type and
 * shape; a wrong element type is refused ("Type (tensor(float)) of output arg (457) ... does not
 * match expected type (tensor(int64))"). So an added output carries the element type of the
 * file's own value_info when the file has one for that tensor (never its shape), and only the
 * name otherwise; it never guesses a type.
 *
 * Old IR files that list initializers among the graph inputs get those entries removed (they
 * would otherwise be overridable inputs and make ORT log one warning per weight).
 */
import onnxProto from 'onnx-proto';
import type { OnnxModel, OnnxNode } from './types.js';

const { onnx } = onnxProto;

export interface ExposeOptions {
  /** Which node outputs to expose (default: every output of every node). */
  include?: (node: OnnxNode, tensorName: string) => boolean;
}

export interface ExposedModel {
  /** Encoded model bytes. */
  bytes: Uint8Array;
  /** Graph outputs of the new model, in order: the original outputs, then the added ones (topological order). */
  outputNames: string[];
  /** The tensors that were added as outputs. */
  added: string[];
}

/** Builds the exposed model from `model.bytes` (the loaded model is not modified). */
export function exposeTensors(model: OnnxModel, options: ExposeOptions = {}): ExposedModel {
  const include = options.include ?? (() => true);
  const m = onnx.ModelProto.decode(model.bytes);
  const g = m.graph!;
  const initNames = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  g.input = (g.input ?? []).filter((v) => !initNames.has(v.name ?? ''));
  const infoByName = new Map<string, onnxProto.onnx.IValueInfoProto>();
  for (const v of g.valueInfo ?? []) if (v.name && v.type?.tensorType) infoByName.set(v.name, v);
  const outputNames = (g.output ?? []).map((v) => v.name ?? '');
  const present = new Set(outputNames);
  const added: string[] = [];
  for (const node of model.graph.nodes) {
    for (const t of node.outputs) {
      if (!t || present.has(t) || !include(node, t)) continue;
      present.add(t);
      added.push(t);
      const info = infoByName.get(t);
      // Element type only: a stale static shape in value_info (e.g. a model later fed another
      // input size) must not become a declared output shape.
      const elemType = info?.type?.tensorType?.elemType;
      g.output!.push(elemType ? onnx.ValueInfoProto.create({ name: t, type: { tensorType: { elemType } } }) : onnx.ValueInfoProto.create({ name: t }));
    }
  }
  return { bytes: onnx.ModelProto.encode(m).finish(), outputNames: [...outputNames, ...added], added };
}
