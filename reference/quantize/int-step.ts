/**
 * The integer mode's per-node step for the executor (`RunOptions.execute`; SEMANTICS.md "Which
 * tensors are quantized, and the execution driver"). Quantized feature tensors travel between
 * nodes as their codes (uint8 for ≤ 8 bits, uint16 for 9..16); everything else (int64 shape
 * tensors, constants) as the float executor has them. Per node:
 *
 * 1. Output without parameters (shape arithmetic): the float kernel on dequantized inputs.
 * 2. The node's integer kernel (`kernel.int`), when it has one, the node is not skipped, and its
 *    operands are in the form the kernel takes (Conv/Gemm/... need quantized weights).
 * 3. Otherwise the exact-equivalent fallback: dequantize the quantized inputs, run the float kernel
 *    (with the dequantized weights unless the node is skipped or weights stay float), quantize
 *    each output with its own parameters. `skip_node_quant` / `skip_op_quant` nodes always run so.
 *
 * `feature_fake_quant: false` runs every node in float (features never quantized), with
 * quantized-then-dequantized weights unless `weight_fake_quant` is false too.
 */
import { UserError } from '../../src/errors.js';
import { sanitizeName } from '../../src/names.js';
import type { OnnxNode } from '../../src/onnx/types.js';
import type { ExecutionPlan, PlannedNode } from '../executor.js';
import type { IntContext, Inputs } from '../ops/op.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import { dequantizeTensor, quantizeTensor } from '../quant/quantize-tensor.js';
import { makeTensor, type Tensor } from '../tensor.js';
import type { PreparedQuant, PreparedWeight } from './prepare.js';
import type { QuantizedWeights } from '../quant/weights.js';
import type { FastEngine } from '../fast/engine.js';
import { quantizeFast } from '../fast/eltwise.js';
import { FocusRun, findFocusFusions } from '../fast/focus.js';
import { fastIntOp } from '../fast/fast-ops.js';
import { applyTableInPlace, findSiluFusions, siluTable } from '../fast/fusion.js';
import { takePlan } from '../fast/node-plan.js';
import { fastStats } from '../ops/int-linear-fast.js';
import { record, replay, replayRun } from './replay.js';

export interface IntStepOptions {
  /** false keeps weights in float (guide §8.2 C). Default true. */
  weightFakeQuant?: boolean;
  /** false keeps features in float. Default true. */
  featureFakeQuant?: boolean;
  /** Node names, output tensor names, or sanitized dump names (with or without `_Quantize` / `.bin`). */
  skipNodeQuant?: readonly string[];
  /** ONNX op types. */
  skipOpQuant?: readonly string[];
  /**
   * The fast-kernel engine (reference/fast `fastEngine(threads)`): integer Conv / ConvTranspose /
   * Gemm / MatMul use the WebAssembly SIMD kernels wherever they are provably bit-identical to the
   * plain-TS kernels. Absent or null: plain TypeScript only (the oracle).
   */
  fast?: FastEngine | null;
  /**
   * With `fast`: run Conv → Sigmoid → Mul (SiLU) groups as one Conv with a fused output table
   * (reference/fast/fusion.ts, bit-identical). Only valid when the two intermediate tensors are not
   * observed: the executor then holds the fused codes under their names. runQuantized turns it on
   * when there is no onTensor callback and keep is not 'all'.
   */
  fuse?: boolean;
}

/** How each node ran (for reports and tests). */
export type NodeMode = 'int' | 'fallback' | 'skipped' | 'float' | 'shape';

export interface IntStep {
  execute: (step: PlannedNode, inputs: Inputs) => Tensor[];
  /** Node name -> how it ran (filled while running). */
  modes: Map<string, NodeMode>;
  /** Names in the skip lists that matched nothing. */
  warnings: string[];
}

/** True for a tensor holding feature codes. */
export function isCodes(t: Tensor): boolean {
  return t.dtype === 'uint8' || t.dtype === 'uint16';
}

/** The codes of a feature tensor (quantizing a float one, e.g. the graph input). */
export function toCodes(t: Tensor, q: FeatureQParams): Tensor {
  if (isCodes(t)) return t;
  return makeTensor(q.bits <= 8 ? 'uint8' : 'uint16', t.dims, quantizeTensor(t.data as Float32Array, q));
}

/** The float value of a feature tensor: dequantized codes, or a float tensor fake-quantized. */
export function toFloat(t: Tensor, q: FeatureQParams): Tensor {
  const codes = toCodes(t, q);
  return makeTensor('float32', t.dims, dequantizeTensor(codes.data as Uint8Array, q));
}

/** Names a skip entry can match for a node: its name, its outputs, their dump names. */
function skipKeys(node: OnnxNode): string[] {
  const keys = [node.name];
  for (const o of node.outputs) {
    if (!o) continue;
    const s = sanitizeName(o);
    keys.push(o, s, `${s}.bin`, `${s}_Quantize`, `${s}_Quantize.bin`);
  }
  return keys;
}

/**
 * What a node's step takes from the prepared model, derived once per (prepared model, node) instead
 * of on every run: its weights and bias correction, the parameters of its inputs and outputs.
 */
interface NodeInfo {
  w: PreparedWeight | undefined;
  delta: Float32Array | undefined;
  inQ: (FeatureQParams | null)[];
  outQ: (FeatureQParams | null)[];
  /** No output has parameters (shape arithmetic). */
  shape: boolean;
  /** `IntContext.weightQuant`. */
  weightQuant: (QuantizedWeights | null)[] | undefined;
}

/** Node infos per prepared model (rebuilt if its maps are replaced). */
const infoCache = new WeakMap<PreparedQuant, { features: PreparedQuant['features']; weights: PreparedQuant['weights']; biasDelta: PreparedQuant['biasDelta']; byNode: WeakMap<OnnxNode, NodeInfo> }>();

function nodeInfo(prep: PreparedQuant, node: OnnxNode): NodeInfo {
  let c = infoCache.get(prep);
  if (!c || c.features !== prep.features || c.weights !== prep.weights || c.biasDelta !== prep.biasDelta) {
    infoCache.set(prep, (c = { features: prep.features, weights: prep.weights, biasDelta: prep.biasDelta, byNode: new WeakMap() }));
  }
  let info = c.byNode.get(node);
  if (!info) {
    const w = prep.weights.get(node.name);
    const outQ = node.outputs.map((n) => prep.features.get(n) ?? null);
    info = {
      w,
      delta: prep.biasDelta.get(node.name),
      inQ: node.inputs.map((n) => prep.features.get(n) ?? null),
      outQ,
      shape: outQ.every((q) => q === null),
      weightQuant: w ? node.inputs.map((_, i) => (i === w.input ? w.qw : null)) : undefined,
    };
    c.byNode.set(node, info);
  }
  return info;
}

/** The integer context of a planned node for an engine, made once and reused (only `fastOutputLut` changes per call). */
const intContexts = new WeakMap<PlannedNode, { info: NodeInfo; fast: FastEngine | null; ctx: IntContext }>();

function intContext(step: PlannedNode, info: NodeInfo, fast: FastEngine | null): IntContext {
  const hit = intContexts.get(step);
  if (hit && hit.info === info && hit.fast === fast) return hit.ctx;
  const ctx: IntContext = { ...step.ctx, inputQuant: info.inQ, outputQuant: info.outQ, weightQuant: info.weightQuant, fast, fastOutputLut: null };
  intContexts.set(step, { info, fast, ctx });
  return ctx;
}

/** The nodes the skip lists name (and warnings for names that match nothing). */
function skippedNodes(prep: PreparedQuant, opts: IntStepOptions, warnings: string[]): Set<string> {
  const skipped = new Set<string>();
  if (opts.skipNodeQuant?.length) {
    const byKey = new Map<string, string>();
    for (const n of prep.model.graph.nodes) for (const k of skipKeys(n)) if (!byKey.has(k)) byKey.set(k, n.name);
    for (const f of prep.params.batchNormFolds) {
      byKey.set(f.batchNorm, f.conv);
      byKey.set(f.removedTensor, f.conv);
      byKey.set(sanitizeName(f.removedTensor), f.conv);
    }
    for (const name of opts.skipNodeQuant) {
      const hit = byKey.get(name);
      if (hit) skipped.add(hit);
      else warnings.push(`skip_node_quant: "${name}" names no node, tensor or dump file of ${prep.model.file}`);
    }
  }
  if (opts.skipOpQuant?.length) {
    const ops = new Set(prep.model.graph.nodes.map((n) => n.opType));
    for (const op of opts.skipOpQuant) {
      if (!ops.has(op)) warnings.push(`skip_op_quant: the model has no ${op} node`);
      for (const n of prep.model.graph.nodes) if (n.opType === op) skipped.add(n.name);
    }
  }
  return skipped;
}

/**
 * Builds the step for one prepared model and plan. With an engine inside a run
 * (`beginRun` … `endRun`) the step belongs to that run: the graph input's codes are kept in the
 * engine's memory, so make a new step for the next run (as runQuantized does).
 */
export function makeIntStep(prep: PreparedQuant, plan: ExecutionPlan, opts: IntStepOptions = {}): IntStep {
  const weightQ = opts.weightFakeQuant !== false;
  const featureQ = opts.featureFakeQuant !== false;
  const fast = opts.fast ?? null;
  const warnings: string[] = [];
  const skipped = skippedNodes(prep, opts, warnings);
  const modes = new Map<string, NodeMode>();
  const inputCodes = new WeakMap<Tensor, Tensor>();
  const codesOf = (t: Tensor, q: FeatureQParams): Tensor => {
    if (isCodes(t)) return t;
    let c = inputCodes.get(t);
    // the fast quantizer reproduces quantizeTensor exactly (reference/fast/eltwise.ts)
    if (!c) inputCodes.set(t, (c = fast && t.data instanceof Float32Array ? makeTensor(q.bits <= 8 ? 'uint8' : 'uint16', t.dims, quantizeFast(fast, t.data, q)) : toCodes(t, q)));
    return c;
  };

  const fusions = opts.fuse && fast && featureQ ? findSiluFusions(plan) : null;
  // kernel outputs placed into Concat outputs: only when intermediates are not observed (fuse)
  const run = replayRun(!!opts.fuse);
  /** Convs whose fused table was applied in this run (their Sigmoid and Mul then pass through). */
  const fusedConvs = new Set<string>();

  // Focus fusion (reference/fast/focus.ts): Slice/Concat trees feeding a Conv read in place, same condition as the SiLU fusion
  const focus = opts.fuse && fast && featureQ ? new FocusRun(findFocusFusions(plan), { fast, qOf: (s) => nodeInfo(prep, s.node), skipped: (s) => skipped.has(s.node.name), codesOf, passed: (s) => modes.set(s.node.name, 'int'), run: (s, ins) => executeNode(s, ins, null) }) : null;
  const execute = (step: PlannedNode, inputs: Inputs): Tensor[] => (focus?.execute(step, inputs, (ins) => executeSilu(step, ins)) ?? executeSilu(step, inputs));

  const executeSilu = (step: PlannedNode, inputs: Inputs): Tensor[] => {
    const node = step.node;
    if (fusions) {
      const member = fusions.byMember.get(node.name);
      if (member && fusedConvs.has(member.conv.node.name)) {
        modes.set(node.name, 'int');
        return [node === member.sigmoid.node ? inputs[0]! : inputs[member.convInput]!];
      }
      const fusion = fusions.byConv.get(node.name);
      if (fusion && !skipped.has(fusion.sigmoid.node.name) && !skipped.has(fusion.mul.node.name)) {
        const qa = nodeInfo(prep, node).outQ[0];
        const qb = nodeInfo(prep, fusion.sigmoid.node).outQ[0];
        const qc = nodeInfo(prep, fusion.mul.node).outQ[0];
        const table = qa && qb && qc ? siluTable(prep, fusion, qa, qb, qc, fast, toCodes) : null;
        if (table) {
          const lut = { table, applied: false };
          const outs = executeNode(step, inputs, lut);
          const codes = outs[0]?.data;
          if (!(codes instanceof Uint8Array)) throw new Error(`fused Conv node "${node.name}": output is not uint8 codes`);
          if (!lut.applied) applyTableInPlace(codes, lut.table);
          fusedConvs.add(node.name);
          return outs;
        }
      }
    }
    return executeNode(step, inputs, null);
  };

  const executeNode = (step: PlannedNode, inputs: Inputs, lut: { table: Uint8Array; applied: boolean } | null): Tensor[] => {
    const node = step.node;
    const info = nodeInfo(prep, node);
    // a recorded fast call whose operands are unchanged runs directly (replay.ts)
    const replayed = fast && featureQ && !skipped.has(node.name) ? replay(step, info, fast, weightQ, inputs, lut, run) : null;
    if (replayed) {
      modes.set(node.name, 'int');
      if (node.opType === 'Conv') fastStats.fast++;
      return replayed;
    }
    const { w, delta, inQ, outQ } = info;
    let ins: Inputs = inputs;
    if (delta) {
      const copy = [...inputs];
      copy[2] = withDelta(copy[2] ?? null, delta, node.opType === 'Gemm' ? (step.attrs as { beta: number }).beta : 1);
      ins = copy;
    }
    if (!featureQ) {
      const args = [...ins];
      if (w && weightQ) args[w.input] = w.fake;
      modes.set(node.name, 'float');
      return step.kernel.float(args, step.attrs, step.ctx);
    }
    if (info.shape) {
      modes.set(node.name, 'shape');
      const args = node.opType === 'Shape' ? ins : ins.map((t, i) => (t && inQ[i] ? toFloat(t, inQ[i]!) : t));
      return checkOutputs(node, step.kernel.float(args, step.attrs, step.ctx), outQ, plan);
    }
    const skip = skipped.has(node.name);
    if (!skip && step.kernel.int && (weightQ || !w) && intEligible(step, ins, inQ, w !== undefined)) {
      modes.set(node.name, 'int');
      let args = ins;
      for (let i = 0; i < ins.length; i++) {
        const t = ins[i];
        if (t && inQ[i] && !isCodes(t)) {
          if (args === ins) args = [...ins];
          (args as (Tensor | null)[])[i] = codesOf(t, inQ[i]!);
        }
      }
      const ctx = intContext(step, info, fast);
      ctx.fastOutputLut = lut;
      if (fast) takePlan(); // forget any plan published before this node
      // fast path of element-wise, pooling and movement ops (reference/fast/fast-ops.ts), exact by construction
      const res = (fast ? fastIntOp(step, args, ctx) : null) ?? step.kernel.int(args, step.attrs, ctx);
      if (fast) record(step, info, fast, inputs, res, lut, weightQ, run);
      let outs = res;
      for (let k = 0; k < res.length; k++) {
        const t = res[k]!;
        if (outQ[k] && t && !isCodes(t)) {
          if (outs === res) outs = [...res];
          outs[k] = toCodes(t, outQ[k]!);
        }
      }
      return checkOutputs(node, outs, outQ, plan);
    }
    modes.set(node.name, skip ? 'skipped' : 'fallback');
    const args = ins.map((t, i) => (t && inQ[i] ? toFloat(codesOf(t, inQ[i]!), inQ[i]!) : t));
    if (w && weightQ && !skip) args[w.input] = w.fake;
    const outs = step.kernel.float(args, step.attrs, step.ctx);
    return checkOutputs(node, outs.map((t, k) => (outQ[k] ? toCodes(t, outQ[k]!) : t)), outQ, plan);
  };
  return { execute, modes, warnings };
}

/** A float output that should have been quantized but has no parameters means params.json does not fit. */
function checkOutputs(node: OnnxNode, outs: Tensor[], outQ: readonly (FeatureQParams | null)[], plan: ExecutionPlan): Tensor[] {
  for (let k = 0; k < outs.length; k++) {
    const t = outs[k];
    const name = node.outputs[k];
    if (t && name && !outQ[k] && t.dtype === 'float32' && !plan.valueIndependent.has(name)) {
      throw new UserError('PARAMS_FORMAT', `${node.opType} node "${node.name}": output "${name}" is a feature tensor without quantization parameters`, 'the params.json does not fit this model; calibrate again (omit --params)');
    }
  }
  return outs;
}

/** The last corrected bias per correction array (the same tensor every run: downstream caches key on it). */
const deltaBiases = new WeakMap<Float32Array, { b: Tensor['data'] | null; beta: number; t: Tensor }>();

/** The float bias plus a correction (a Conv without bias gets one; Gemm's C is scaled by beta, a scalar C is broadcast). */
function withDelta(bias: Tensor | null, delta: Float32Array, beta: number): Tensor {
  const hit = deltaBiases.get(delta);
  const bd = bias ? bias.data : null;
  if (hit && hit.b === bd && hit.beta === beta) return hit.t;
  const out = new Float32Array(delta.length);
  const b = bias ? (bias.data as Float32Array) : null;
  for (let c = 0; c < delta.length; c++) out[c] = (b ? b[b.length === 1 ? 0 : c]! : 0) + delta[c]! / beta;
  const t = makeTensor('float32', [delta.length], out);
  deltaBiases.set(delta, { b: bd, beta, t });
  return t;
}

/** Whether the integer kernel of Conv/ConvTranspose/Gemm/MatMul can take these operands (other ops: always). */
function intEligible(step: PlannedNode, ins: Inputs, inQ: readonly (FeatureQParams | null)[], hasWeights: boolean): boolean {
  const op = step.node.opType;
  switch (op) {
    case 'Conv':
    case 'ConvTranspose':
      return inQ[0] !== null && hasWeights && inQ[2] == null && (ins[2] == null || ins[2].dtype === 'float32');
    case 'Gemm': {
      const a = step.attrs as { alpha: number; transB: boolean };
      const c = ins[2];
      const w = ins[1];
      const n = w ? w.dims[a.transB ? 0 : 1]! : 0;
      return inQ[0] !== null && hasWeights && a.alpha > 0 && inQ[2] == null && (c == null || (c.dtype === 'float32' && (c.data.length === 1 || (c.data.length === n && c.dims[c.dims.length - 1] === n))));
    }
    case 'MatMul':
      return inQ[0] !== null && (hasWeights || inQ[1] !== null);
    default:
      return true;
  }
}
