/**
 * The ONNX loader: the only module that decodes protobuf. It checks the IR version and the
 * default-domain opset, decodes initializers and `Constant` values, names every node uniquely,
 * sorts nodes topologically and builds producer/consumer maps (see {@link OnnxModel}).
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import onnxProto from 'onnx-proto';
import { UserError, fsError } from '../errors.js';
import { decodeAttribute, isGraphAttribute } from './attributes.js';
import { decodeTensor, longToNumber, type LongLike } from './tensor-proto.js';
import { topoSort } from './toposort.js';
import type { OnnxGraph, OnnxModel, OnnxNode, OnnxTensor, ValueInfo } from './types.js';
import { decodeValueInfo, requireTensorInfo } from './value-info.js';
import { linkNodes } from './links.js';

const { onnx } = onnxProto;

/**
 * IR versions accepted: 3 (first with opset imports) .. 10. onnx-proto decodes the onnx 1.10
 * schema (IR 8); later IR versions only add fields that CNN graphs do not use (metadata on
 * nodes, function overloads), which protobufjs skips. onnxruntime-node 1.30 itself runs up to IR 12.
 */
export const IR_RANGE = { min: 3, max: 10 } as const;
/** Default-domain opsets accepted (7 = oldest onnxruntime runs; 23 = onnx 1.18). */
export const OPSET_RANGE = { min: 7, max: 23 } as const;

const REEXPORT = 're-export the model (e.g. torch.onnx.export with opset_version=11..17)';

/** Reads and decodes an ONNX model file. Errors name the file and say what to do. */
export async function loadModel(file: string): Promise<OnnxModel> {
  const abs = path.resolve(file);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fsp.readFile(abs));
  } catch (e) {
    throw fsError(e, abs, 'read the model');
  }
  return parseModel(bytes, abs);
}

/** Decodes model bytes (`file` is used in messages and recorded in the result). */
export function parseModel(bytes: Uint8Array, file: string): OnnxModel {
  const notOnnx = (why: string): UserError =>
    new UserError('ONNX_FORMAT', `${file}: not a readable ONNX model (${why})`, 'the file is corrupt, truncated or not an .onnx file; re-download or re-export it');
  if (bytes.length === 0) throw notOnnx('empty file');
  let m: InstanceType<typeof onnx.ModelProto>;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw notOnnx(`protobuf decoding failed: ${(e as Error).message}`);
  }
  const ir = longToNumber(m.irVersion as number | LongLike | null);
  if (!m.graph || ir === 0) throw notOnnx(m.graph ? 'no IR version' : 'no graph');
  if (ir < IR_RANGE.min || ir > IR_RANGE.max) {
    throw new UserError('ONNX_UNSUPPORTED', `${file}: IR version ${ir} is not supported (supported ${IR_RANGE.min}..${IR_RANGE.max})`, REEXPORT);
  }
  const opsetImports: Record<string, number> = {};
  for (const o of m.opsetImport ?? []) {
    const d = o.domain === 'ai.onnx' ? '' : o.domain ?? '';
    opsetImports[d] = longToNumber(o.version as number | LongLike | null);
  }
  const opset = opsetImports[''];
  if (opset === undefined) throw new UserError('ONNX_UNSUPPORTED', `${file}: no opset for the default ONNX domain`, REEXPORT);
  if (opset < OPSET_RANGE.min || opset > OPSET_RANGE.max) {
    throw new UserError('ONNX_UNSUPPORTED', `${file}: opset ${opset} is not supported (supported ${OPSET_RANGE.min}..${OPSET_RANGE.max})`, REEXPORT);
  }
  const warnings: string[] = [];
  const { graph, initializersAsInputs } = buildGraph(m.graph, file, warnings);
  return {
    file,
    md5: createHash('md5').update(bytes).digest('hex'),
    irVersion: ir,
    opset,
    opsetImports,
    producerName: m.producerName ?? '',
    producerVersion: m.producerVersion ?? '',
    initializersAsInputs,
    warnings,
    graph,
    bytes,
  };
}

type GraphProto = onnxProto.onnx.IGraphProto;

function formatError(file: string, msg: string): UserError {
  return new UserError('ONNX_FORMAT', `${file}: ${msg}`, 'the model is malformed; re-export it or check it with onnx.checker');
}

function buildGraph(g: GraphProto, file: string, warnings: string[]): { graph: OnnxGraph; initializersAsInputs: boolean } {
  if (g.sparseInitializer && g.sparseInitializer.length > 0) {
    throw new UserError('ONNX_UNSUPPORTED', `${file}: the graph has ${g.sparseInitializer.length} sparse initializer(s)`, 'convert sparse initializers to dense ones');
  }
  const initializers = new Map<string, OnnxTensor>();
  for (const t of g.initializer ?? []) {
    const tensor = decodeTensor(t, `initializer "${t.name ?? ''}"`, file);
    if (!tensor.name) throw formatError(file, 'an initializer has no name');
    initializers.set(tensor.name, tensor);
  }

  const valueInfo = new Map<string, ValueInfo>();
  const allInputNames = new Set<string>();
  const inputs: ValueInfo[] = [];
  let initializersAsInputs = false;
  for (const v of g.input ?? []) {
    const name = v.name ?? '';
    allInputNames.add(name);
    if (initializers.has(name)) {
      initializersAsInputs = true;
      continue;
    }
    const info = requireTensorInfo(v, `graph input "${name}"`, file);
    inputs.push(info);
    valueInfo.set(name, info);
  }
  if (initializersAsInputs) warnings.push('the file lists initializers among the graph inputs (old IR); only inputs without an initializer are treated as real inputs');
  for (const v of g.valueInfo ?? []) {
    const r = decodeValueInfo(v, `value info "${v.name ?? ''}"`, file);
    if (r.ok) valueInfo.set(r.info.name, r.info);
  }
  const outputs = (g.output ?? []).map((v) => requireTensorInfo(v, `graph output "${v.name ?? ''}"`, file));
  for (const o of outputs) valueInfo.set(o.name, o);

  const fileNodes = decodeNodes(g, file, initializers, warnings);
  checkDataflow(fileNodes, file, initializers, allInputNames, outputs);

  const sorted = topoSort(fileNodes);
  if (!sorted.ok) {
    const shown = sorted.cycle.slice(0, 8).map((n) => `"${n}"`).join(' -> ');
    throw formatError(file, `the graph has a cycle: ${shown}${sorted.cycle.length > 8 ? ' ...' : ''} (${sorted.stuck.length} nodes cannot be ordered)`);
  }
  if (sorted.order.some((fi, i) => fi !== i)) warnings.push('the nodes were not in topological order in the file; they were sorted');
  const nodes = sorted.order.map((fi, i) => ({ ...fileNodes[fi]!, index: i }));

  const { producer, consumers } = linkNodes(nodes);
  return { graph: { nodes, inputs, outputs, initializers, valueInfo, producer, consumers }, initializersAsInputs };
}

/** Nodes in file order with decoded attributes and unique names; Constant values registered. */
function decodeNodes(g: GraphProto, file: string, initializers: Map<string, OnnxTensor>, warnings: string[]): OnnxNode[] {
  const protos = g.node ?? [];
  const taken = new Set(protos.map((n) => n.name ?? '').filter((s) => s.length > 0));
  const used = new Set<string>();
  let synthesized = 0;
  let renamed = 0;
  const nodes: OnnxNode[] = [];
  protos.forEach((p, fi) => {
    const opType = p.opType ?? '';
    if (!opType) throw formatError(file, `node #${fi} ("${p.name ?? ''}") has no op type`);
    let name = p.name ?? '';
    let nameSynthesized = false;
    if (!name || used.has(name)) {
      const base = name ? `${name}_${fi}` : `${opType}_${fi}`;
      let cand = base;
      for (let k = 1; taken.has(cand) || used.has(cand); k++) cand = `${base}_${k}`;
      if (name) renamed++;
      else synthesized++;
      name = cand;
      nameSynthesized = true;
    }
    used.add(name);
    const attrs: OnnxNode['attrs'] = {};
    for (const a of p.attribute ?? []) {
      if (isGraphAttribute(a)) warnings.push(`node "${name}" (${opType}) has a sub-graph; tensors inside it are not listed`);
      attrs[a.name ?? ''] = decodeAttribute(a, name, file);
    }
    const node: OnnxNode = {
      name,
      nameSynthesized,
      opType,
      domain: p.domain === 'ai.onnx' ? '' : p.domain ?? '',
      inputs: [...(p.input ?? [])],
      outputs: [...(p.output ?? [])],
      attrs,
      index: fi,
    };
    if (opType === 'Constant' && node.domain === '') registerConstant(node, file, initializers, warnings);
    nodes.push(node);
  });
  if (synthesized > 0) warnings.push(`${synthesized} node(s) had no name; named <opType>_<file index>`);
  if (renamed > 0) warnings.push(`${renamed} node(s) repeated another node's name; renamed <name>_<file index>`);
  return nodes;
}

/** A Constant node's value becomes an entry of `initializers` under its output name. */
function registerConstant(node: OnnxNode, file: string, initializers: Map<string, OnnxTensor>, warnings: string[]): void {
  const out = node.outputs[0];
  if (!out) throw formatError(file, `Constant node "${node.name}" has no output`);
  const a = node.attrs;
  let t: OnnxTensor | null = null;
  if (a['value'] && typeof a['value'] === 'object' && 'dims' in a['value']) {
    const v = a['value'] as OnnxTensor;
    t = { ...v, name: out };
  } else if (typeof a['value_float'] === 'number') t = { name: out, dtype: 'float32', dims: [], data: Float32Array.of(a['value_float']) };
  else if (Array.isArray(a['value_floats'])) {
    const v = a['value_floats'] as number[];
    t = { name: out, dtype: 'float32', dims: [v.length], data: Float32Array.from(v) };
  } else if (typeof a['value_int'] === 'number') t = { name: out, dtype: 'int64', dims: [], data: BigInt64Array.of(BigInt(a['value_int'])) };
  else if (Array.isArray(a['value_ints'])) {
    const v = a['value_ints'] as number[];
    t = { name: out, dtype: 'int64', dims: [v.length], data: BigInt64Array.from(v.map((x) => BigInt(x))) };
  }
  if (t) initializers.set(out, t);
  else warnings.push(`Constant node "${node.name}" has a value kind this project does not decode (${Object.keys(a).join(', ') || 'none'})`);
}

/** Every consumed tensor must come from somewhere; every tensor has at most one producer. */
function checkDataflow(nodes: OnnxNode[], file: string, initializers: Map<string, OnnxTensor>, graphInputs: Set<string>, outputs: ValueInfo[]): void {
  const produced = new Map<string, OnnxNode>();
  for (const n of nodes) {
    for (const o of n.outputs) {
      if (!o) continue;
      const prev = produced.get(o);
      if (prev) throw formatError(file, `tensor "${o}" is produced by two nodes, "${prev.name}" and "${n.name}"`);
      if (graphInputs.has(o) || (initializers.has(o) && n.opType !== 'Constant')) {
        throw formatError(file, `node "${n.name}" writes tensor "${o}", which is also a graph input or initializer`);
      }
      produced.set(o, n);
    }
  }
  for (const n of nodes) {
    for (const t of n.inputs) {
      if (t && !produced.has(t) && !initializers.has(t) && !graphInputs.has(t)) {
        throw formatError(file, `node "${n.name}" (${n.opType}) reads tensor "${t}", which no node produces and is neither an initializer nor a graph input`);
      }
    }
  }
  for (const o of outputs) {
    if (!produced.has(o.name) && !initializers.has(o.name) && !graphInputs.has(o.name)) {
      throw formatError(file, `graph output "${o.name}" is not produced by any node`);
    }
  }
}
