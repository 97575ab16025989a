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
  /** Slot-indexed form of the tensors (see {@link Slots}), for runGraph's loop. */
  slots: Slots;
}

/**
 * Tensors as slots (array indices) instead of names, resolved once per plan, so the executor's
 * per-node bookkeeping is array access (≈370 nodes per YOLOX inference: the Map look-ups by name
 * cost ~2 µs per node). Slot k holds the tensor named `names[k]`: the graph inputs, every node
 * output, and every other name a node reads (an initializer, or a missing tensor reported when read).
 */
interface Slots {
  names: string[];
  bySlot: Map<string, number>;
  /** Per step: the slot of each input (−1: the optional input '' is absent). */
  inputs: Int32Array[];
  /** Per step: the slot of each output (−1: ''). */
  outputs: Int32Array[];
  /** Per step: slots to release after it with keep 'needed' (inputs read for the last time, outputs nobody reads). */
  release: Int32Array[];
}

function slotsOf(model: OnnxModel, steps: PlannedNode[], lastUse: Map<string, number>): Slots {
  const names: string[] = [];
  const bySlot = new Map<string, number>();
  const slot = (name: string): number => {
    let k = bySlot.get(name);
    if (k === undefined) {
      bySlot.set(name, (k = names.length));
      names.push(name);
    }
    return k;
  };
  for (const vi of model.graph.inputs) slot(vi.name);
  const inputs: Int32Array[] = [];
  const outputs: Int32Array[] = [];
  const release: Int32Array[] = [];
  steps.forEach((s, i) => {
    inputs.push(Int32Array.from(s.node.inputs, (n) => (n === '' ? -1 : slot(n))));
    outputs.push(Int32Array.from(s.node.outputs, (n) => (n === '' ? -1 : slot(n))));
    const free = new Set<number>();
    for (const n of s.node.inputs) if (n !== '' && lastUse.get(n) === i) free.add(slot(n));
    for (const n of s.node.outputs) if (n !== '' && !lastUse.has(n)) free.add(slot(n));
    release.push(Int32Array.from(free));
  });
  return { names, bySlot, inputs, outputs, release };
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
  const plan = { model, steps, lastUse, valueIndependent, slots: slotsOf(model, steps, lastUse) };
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
  const { names, bySlot, inputs: inSlots, outputs: outSlots, release } = plan.slots;
  // values by slot; a name the caller gives that no node reads is kept only for keep 'all'
  const vals: (Tensor | undefined)[] = new Array(names.length);
  for (const [name, t] of inputs) {
    const k = bySlot.get(name);
    if (k !== undefined) vals[k] = t;
  }
  const inits = model.graph.initializers;
  const lookup = (k: number, node: OnnxNode): Tensor | null => {
    if (k < 0) return null;
    const v = vals[k];
    if (v) return v;
    const name = names[k]!;
    const c = inits.get(name);
    if (c) return constantTensor(c);
    throw new UserError('ONNX_FORMAT', `${node.opType} node "${node.name}": input "${name}" is neither produced earlier, a graph input nor an initializer`, 'the graph is not topologically sorted or is missing a tensor');
  };
  for (let i = 0; i < plan.steps.length; i++) {
    const step = plan.steps[i]!;
    const node = step.node;
    const ks = inSlots[i]!;
    const ins: (Tensor | null)[] = new Array(ks.length);
    for (let j = 0; j < ks.length; j++) ins[j] = lookup(ks[j]!, node);
    let outs: Tensor[];
    try {
      outs = execute(step, ins);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new Error(`reference executor: ${node.opType} node "${node.name}" failed on inputs ${ins.map((t) => (t ? describe(t) : 'none')).join(', ')}: ${(e as Error).message}`, { cause: e });
    }
    const os = outSlots[i]!;
    for (let k = 0; k < os.length; k++) {
      const o = os[k]!;
      if (o < 0) continue;
      const t = outs[k];
      if (!t) throw new Error(`reference executor: ${node.opType} node "${node.name}" produced no tensor for its output ${k} "${node.outputs[k]}"`);
      vals[o] = t;
      if (opts.onTensor) await opts.onTensor(node.outputs[k]!, t, node);
    }
    if (!keepAll) for (const k of release[i]!) vals[k] = undefined;
  }
  if (keepAll) {
    // every tensor given or produced, in slot order (graph inputs, then as the nodes name them)
    const all = new Map<string, Tensor>(inputs);
    for (let k = 0; k < names.length; k++) if (vals[k]) all.set(names[k]!, vals[k]!);
    return all;
  }
  const result = new Map<string, Tensor>();
  for (const o of model.graph.outputs) {
    const k = bySlot.get(o.name);
    const t = (k !== undefined ? vals[k] : undefined) ?? (inits.has(o.name) ? constantTensor(inits.get(o.name)!) : undefined);
    if (!t) throw new UserError('ONNX_FORMAT', `${model.file}: graph output "${o.name}" is never produced`);
    result.set(o.name, t);
  }
  return result;
}
