/**
 * The reference executor: runs an {@link OnnxModel} node by node in topological order with the
 * kernels of `ops/registry.ts`. Float mode only for now; integer mode will pick each kernel's
 * `int` implementation with per-tensor quantization (see `ops/op.ts`).
 *
 * Layout: ONNX order throughout (NCHW for feature maps); dumps transpose to NHWC elsewhere.
 * Memory: with `keep: 'needed'` a tensor is released as soon as its last consumer has run (graph
 * outputs are kept). Every produced tensor is first handed to `onTensor`, so a dump writer can
 * stream tensors to disk without the executor holding them.
 * Shape sub-graphs (Shape -> Gather -> Unsqueeze -> Concat -> Reshape) run as ordinary int64
 * kernels: Shape reads only dims, so their values are the same for every input of the model's
 * shape, i.e. they are constants; integer mode leaves non-float tensors unquantized.
 */
import type { OnnxModel, OnnxNode, OnnxTensor } from '../src/onnx/types.js';
import { UserError } from '../src/errors.js';
import { describe, fromOnnxTensor, isTensorDType, type Tensor } from './tensor.js';
import type { Inputs, OpContext, OpKernel } from './ops/op.js';
import { kernelFor, unsupportedOps, supportedOps } from './ops/registry.js';

export interface RunOptions {
  /**
   * Called once per produced tensor (every non-empty node output), in execution order, with the
   * producing node. Awaited before the tensor may be released. The tensor must not be modified.
   */
  onTensor?: (name: string, tensor: Tensor, node: OnnxNode) => void | Promise<void>;
  /** 'needed' (default): release tensors after their last use and return the graph outputs; 'all': keep and return every tensor. */
  keep?: 'all' | 'needed';
  /**
   * Runs one planned node; defaults to {@link floatStep} (the kernel's float implementation).
   * This is the integer mode's hook: it supplies a step that calls `kernel.int` with the
   * tensors' quantization, or wraps the float kernel in dequantize/quantize for skipped nodes,
   * while the executor keeps ordering, lifetimes and `onTensor`.
   */
  execute?: (step: PlannedNode, inputs: Inputs) => Tensor[];
}

/** The default step: the kernel's float semantics. */
export function floatStep(step: PlannedNode, inputs: Inputs): Tensor[] {
  return step.kernel.float(inputs, step.attrs, step.ctx);
}

/** A node with its kernel and checked attributes, resolved once per model. */
export interface PlannedNode {
  node: OnnxNode;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  kernel: OpKernel<any>;
  attrs: unknown;
  ctx: OpContext;
}

export interface ExecutionPlan {
  model: OnnxModel;
  steps: PlannedNode[];
  /** tensor name -> index of the last step that reads it (graph outputs: Infinity). */
  lastUse: Map<string, number>;
  /**
   * Tensors whose values do not depend on the input's values (only on its shape): Constant
   * outputs, Shape outputs, and everything computed from those and initializers alone (the
   * Shape -> Gather -> Unsqueeze -> Concat chains). Integer mode never quantizes these.
   */
  valueIndependent: Set<string>;
}

const plans = new WeakMap<OnnxModel, ExecutionPlan>();

/**
 * Resolves kernels and attributes of every node (all unsupported ops are reported in one
 * error) and computes tensor lifetimes. Cached per model object.
 */
export function planGraph(model: OnnxModel): ExecutionPlan {
  const cached = plans.get(model);
  if (cached) return cached;
  const missing = unsupportedOps(model);
  if (missing.length > 0) {
    const list = missing.map((m) => `${m.opType} (node "${m.nodes[0]}"${m.nodes.length > 1 ? ` and ${m.nodes.length - 1} more` : ''})`).join(', ');
    throw new UserError(
      'UNSUPPORTED_OP',
      `${model.file}: no reference kernel for ${list}; supported ops: ${supportedOps().join(', ')}`,
      'simplify or re-export the model with supported ops, or add a kernel in reference/ops/ and list it in reference/ops/registry.ts',
    );
  }
  const steps = model.graph.nodes.map((node): PlannedNode => {
    const kernel = kernelFor(node);
    const ctx: OpContext = { node, opset: model.opset };
    return { node, kernel, attrs: kernel.attrs(ctx), ctx };
  });
  const lastUse = new Map<string, number>();
  steps.forEach((s, i) => {
    for (const name of s.node.inputs) if (name !== '') lastUse.set(name, i);
  });
  for (const o of model.graph.outputs) lastUse.set(o.name, Infinity);
  const valueIndependent = new Set<string>();
  const independent = (name: string): boolean => name === '' || valueIndependent.has(name) || (model.graph.initializers.has(name) && !model.graph.producer.has(name));
  for (const { node } of steps) {
    if (node.opType === 'Shape' || node.opType === 'Constant' || node.inputs.every(independent)) for (const o of node.outputs) if (o !== '') valueIndependent.add(o);
  }
  const plan = { model, steps, lastUse, valueIndependent };
  plans.set(model, plan);
  return plan;
}

/** Executor tensors of initializers, made once per initializer (tensors are immutable, so runs share them). */
const constants = new WeakMap<OnnxTensor, Tensor>();

function constantTensor(c: OnnxTensor): Tensor {
  let t = constants.get(c);
  if (!t) constants.set(c, (t = fromOnnxTensor(c)));
  return t;
}

/** Checks the caller's inputs against the graph inputs (names, dtypes, static dims). */
function checkInputs(model: OnnxModel, inputs: Map<string, Tensor>): void {
  const expected = model.graph.inputs;
  for (const vi of expected) {
    const t = inputs.get(vi.name);
    if (!t) {
      throw new UserError('INPUT_MISMATCH', `${model.file}: graph input "${vi.name}" was not given (have: ${[...inputs.keys()].join(', ') || 'none'})`, `the model needs inputs ${expected.map((e) => `"${e.name}"`).join(', ')}`);
    }
    if (isTensorDType(vi.dtype) && vi.dtype !== t.dtype) {
      throw new UserError('INPUT_MISMATCH', `${model.file}: input "${vi.name}" is ${describe(t)}, the model expects ${vi.dtype}`, 'convert the input to the model dtype');
    }
    const shape = vi.shape;
    if (shape && (shape.length !== t.dims.length || shape.some((d, i) => typeof d === 'number' && d > 0 && d !== t.dims[i]))) {
      throw new UserError('INPUT_MISMATCH', `${model.file}: input "${vi.name}" has dims [${t.dims.join(',')}], the model expects [${shape.map((d) => d ?? '?').join(',')}]`, 'resize the input to the model input shape');
    }
  }
  for (const name of inputs.keys()) {
    if (!expected.some((e) => e.name === name)) throw new UserError('INPUT_MISMATCH', `${model.file}: "${name}" is not a graph input (inputs: ${expected.map((e) => e.name).join(', ')})`);
  }
}

/**
 * Runs the graph in float mode. Returns the graph outputs by name (or, with `keep: 'all'`, every
 * tensor produced plus the inputs). Throws UserError for unsupported ops, malformed nodes and
 * input mismatches; an internal kernel failure is rethrown naming the node.
 */
export async function runGraph(model: OnnxModel, inputs: Map<string, Tensor>, opts: RunOptions = {}): Promise<Map<string, Tensor>> {
  const plan = planGraph(model);
  checkInputs(model, inputs);
  const keepAll = opts.keep === 'all';
  const execute = opts.execute ?? floatStep;
  const values = new Map<string, Tensor>(inputs);
  const inits = model.graph.initializers;
  const lookup = (name: string, node: OnnxNode): Tensor | null => {
    if (name === '') return null;
    const v = values.get(name);
    if (v) return v;
    const c = inits.get(name);
    if (c) return constantTensor(c);
    throw new UserError('ONNX_FORMAT', `${node.opType} node "${node.name}": input "${name}" is neither produced earlier, a graph input nor an initializer`, 'the graph is not topologically sorted or is missing a tensor');
  };
  for (let i = 0; i < plan.steps.length; i++) {
    const step = plan.steps[i]!;
    const node = step.node;
    const ins = node.inputs.map((n) => lookup(n, node));
    let outs: Tensor[];
    try {
      outs = execute(step, ins);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new Error(`reference executor: ${node.opType} node "${node.name}" failed on inputs ${ins.map((t) => (t ? describe(t) : 'none')).join(', ')}: ${(e as Error).message}`, { cause: e });
    }
    for (let k = 0; k < node.outputs.length; k++) {
      const name = node.outputs[k]!;
      if (name === '') continue;
      const t = outs[k];
      if (!t) throw new Error(`reference executor: ${node.opType} node "${node.name}" produced no tensor for its output ${k} "${name}"`);
      values.set(name, t);
      if (opts.onTensor) await opts.onTensor(name, t, node);
    }
    if (!keepAll) {
      for (const name of node.inputs) if (name !== '' && plan.lastUse.get(name) === i) values.delete(name);
      for (const name of node.outputs) if (name !== '' && !plan.lastUse.has(name)) values.delete(name);
    }
  }
  if (keepAll) return values;
  const result = new Map<string, Tensor>();
  for (const o of model.graph.outputs) {
    const t = values.get(o.name) ?? (inits.has(o.name) ? constantTensor(inits.get(o.name)!) : undefined);
    if (!t) throw new UserError('ONNX_FORMAT', `${model.file}: graph output "${o.name}" is never produced`);
    result.set(o.name, t);
  }
  return result;
}
