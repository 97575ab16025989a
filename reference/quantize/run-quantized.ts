/**
 * Integer execution of a prepared model on one input (SEMANTICS.md "Which tensors are quantized,
 * and the execution driver"): the reference executor with the integer step of `int-step.ts`.
 */
import type { OnnxNode } from '../../src/onnx/types.js';
import { planGraph, runGraph } from '../executor.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import type { Tensor } from '../tensor.js';
import { makeIntStep, toFloat, type IntStepOptions, type NodeMode } from './int-step.js';
import type { PreparedQuant } from './prepare.js';

export interface QuantRunOptions extends IntStepOptions {
  /**
   * Every produced tensor in execution order: quantized features as codes (uint8/uint16, NCHW)
   * with their parameters, other tensors as computed (q = null).
   */
  onTensor?: (name: string, tensor: Tensor, node: OnnxNode, q: FeatureQParams | null) => void | Promise<void>;
  keep?: 'all' | 'needed';
  /** When given, receives the wall time of every node, summed per ONNX op type (ms). */
  opTimes?: Map<string, number>;
}

export interface QuantRunResult {
  /** Graph outputs (or every tensor with keep 'all'): codes for quantized features. */
  outputs: Map<string, Tensor>;
  /** Node name -> how it ran. */
  modes: Map<string, NodeMode>;
  warnings: string[];
}

/** Runs `prep.model` on `input` (float32 NCHW, after mean/var) in integer mode. */
export async function runQuantized(prep: PreparedQuant, inputName: string, input: Tensor, opts: QuantRunOptions = {}): Promise<QuantRunResult> {
  const plan = planGraph(prep.model);
  const fuse = opts.fuse ?? (!!opts.fast && !opts.onTensor && opts.keep !== 'all');
  const step = makeIntStep(prep, plan, { ...opts, fuse });
  const featureQ = opts.featureFakeQuant !== false;
  const outputs = await runGraph(prep.model, new Map([[inputName, input]]), {
    keep: opts.keep,
    execute: opts.opTimes
      ? (st, ins) => {
          const t0 = performance.now();
          const out = step.execute(st, ins);
          const op = st.node.opType;
          opts.opTimes!.set(op, (opts.opTimes!.get(op) ?? 0) + performance.now() - t0);
          return out;
        }
      : step.execute,
    onTensor: opts.onTensor ? (name, t, node) => opts.onTensor!(name, t, node, featureQ ? (prep.features.get(name) ?? null) : null) : undefined,
  });
  return { outputs, modes: step.modes, warnings: step.warnings };
}

/** A result tensor as float: codes dequantized with their parameters, float tensors unchanged. */
export function resultAsFloat(prep: PreparedQuant, name: string, t: Tensor): Float32Array {
  const q = prep.features.get(name);
  if (q && (t.dtype === 'uint8' || t.dtype === 'uint16')) return toFloat(t, q).data as Float32Array;
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
}
