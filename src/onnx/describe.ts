/**
 * A model described for people and scripts (the `inspect` command): header facts, then every
 * node in topological order with its output tensors and their shapes (ONNX order, NCHW).
 */
import { UserError } from '../errors.js';
import { tensorShapes, type TensorShapeInfo } from './shapes.js';
import type { OnnxModel } from './types.js';
import { formatShape } from './value-info.js';

export interface DescribedTensor {
  name: string;
  dtype: string | null;
  /** ONNX order; null when unknown (no run and no value_info). */
  shape: (number | string | null)[] | null;
}

export interface DescribedNode {
  index: number;
  name: string;
  nameSynthesized: boolean;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: DescribedTensor[];
}

export interface ModelDescription {
  file: string;
  md5: string;
  irVersion: number;
  opset: number;
  opsetImports: Record<string, number>;
  producer: string;
  inputs: DescribedTensor[];
  outputs: DescribedTensor[];
  initializers: number;
  /** Where output shapes came from: an onnxruntime run on zero input, or the file's value_info. */
  shapeSource: 'onnxruntime' | 'value_info';
  warnings: string[];
  nodes: DescribedNode[];
}

export interface DescribeOptions {
  /** Graph input shape (ONNX order), for models with dynamic dimensions. */
  inputShape?: number[];
  /** Skip the onnxruntime run and report the file's value_info shapes only. */
  noRun?: boolean;
  threads?: number;
}

/** Describes the model; shapes come from one onnxruntime run on zero input when possible. */
export async function describeModel(model: OnnxModel, options: DescribeOptions = {}): Promise<ModelDescription> {
  const g = model.graph;
  const warnings = [...model.warnings];
  let shapes: Map<string, TensorShapeInfo> | null = null;
  if (!options.noRun) {
    const inputShapes: Record<string, number[]> = {};
    if (options.inputShape && g.inputs[0]) inputShapes[g.inputs[0].name] = options.inputShape;
    try {
      shapes = await tensorShapes(model, { inputShapes, threads: options.threads });
    } catch (e) {
      if (!(e instanceof UserError) || e.code !== 'USAGE') throw e;
      warnings.push(`${e.message}; shapes below come from the file's value_info (${e.hint ?? ''})`);
    }
  }
  const tensor = (name: string): DescribedTensor => {
    const s = shapes?.get(name);
    if (s) return { name, dtype: s.dtype, shape: s.shape };
    const v = g.valueInfo.get(name);
    const c = g.initializers.get(name);
    if (c) return { name, dtype: c.dtype, shape: c.dims };
    return { name, dtype: v?.dtype ?? null, shape: v?.shape ?? null };
  };
  return {
    file: model.file,
    md5: model.md5,
    irVersion: model.irVersion,
    opset: model.opset,
    opsetImports: model.opsetImports,
    producer: `${model.producerName}${model.producerVersion ? ` ${model.producerVersion}` : ''}`,
    inputs: g.inputs.map((i) => tensor(i.name)),
    outputs: g.outputs.map((o) => tensor(o.name)),
    initializers: g.initializers.size,
    shapeSource: shapes ? 'onnxruntime' : 'value_info',
    warnings,
    nodes: g.nodes.map((n) => ({
      index: n.index,
      name: n.name,
      nameSynthesized: n.nameSynthesized,
      opType: n.opType,
      domain: n.domain,
      inputs: n.inputs,
      outputs: n.outputs.filter((o) => o).map(tensor),
    })),
  };
}

function tensorText(t: DescribedTensor): string {
  return `${t.name} ${t.dtype ?? '?'} ${formatShape(t.shape)}`;
}

/**
 * Text form: `# ` header lines, then one tab-separated line per node:
 * `index  node  opType  outputs (comma-separated)  shapes (space-separated, NCHW)`.
 */
export function formatDescription(d: ModelDescription): string {
  const lines: string[] = [];
  lines.push(`# model ${d.file}`);
  lines.push(`# md5 ${d.md5}`);
  const extra = Object.entries(d.opsetImports).filter(([k]) => k !== '').map(([k, v]) => ` ${k}:${v}`).join('');
  lines.push(`# ir ${d.irVersion} opset ${d.opset}${extra} producer ${d.producer || '?'}`);
  lines.push(`# nodes ${d.nodes.length} initializers ${d.initializers} shapes-from ${d.shapeSource}`);
  for (const i of d.inputs) lines.push(`# input ${tensorText(i)}`);
  for (const o of d.outputs) lines.push(`# output ${tensorText(o)}`);
  for (const w of d.warnings) lines.push(`# warning ${w}`);
  lines.push('# index\tnode\top\toutputs\tshapes');
  for (const n of d.nodes) {
    lines.push(`${n.index}\t${n.name}\t${n.opType}\t${n.outputs.map((o) => o.name).join(',')}\t${n.outputs.map((o) => formatShape(o.shape)).join(' ')}`);
  }
  return `${lines.join('\n')}\n`;
}
