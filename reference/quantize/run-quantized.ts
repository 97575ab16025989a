/**
 * Integer execution of a prepared model on one input (SEMANTICS.md "Which tensors are quantized,
 * and the execution driver"): the reference executor with the integer step of `int-step.ts`.
 */
import type { OnnxNode } from '../../src/onnx/types.js';
import { planGraph, runGraph } from '../executor.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import { makeTensor, type Tensor } from '../tensor.js';
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
  // fused fast runs keep the kernels' outputs in the engine's memory (no copies between layers);
  // what is returned is copied out before the run ends (reference/fast/engine.ts beginRun)
  const arena = fuse && opts.fast ? opts.fast : null;
  arena?.beginRun();
  let outputs: Map<string, Tensor>;
  try {
    outputs = await runGraph(prep.model, new Map([[inputName, input]]), {
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
    if (arena) for (const [name, t] of outputs) if (ArrayBuffer.isView(t.data) && arena.addressOf(t.data) !== null) outputs.set(name, copyTensor(t));
  } finally {
    arena?.endRun();
  }
  return { outputs, modes: step.modes, warnings: step.warnings };
}

/** A tensor with its own copy of the data. */
function copyTensor(t: Tensor): Tensor {
  const d = t.data as Uint8Array;
  const copy = new (d.constructor as Uint8ArrayConstructor)(d.length);
  copy.set(d);
  return makeTensor(t.dtype, t.dims, copy as never);
}

/** A result tensor as float: codes dequantized with their parameters, float tensors unchanged. */
export function resultAsFloat(prep: PreparedQuant, name: string, t: Tensor): Float32Array {
  const q = prep.features.get(name);
  if (q && (t.dtype === 'uint8' || t.dtype === 'uint16')) return toFloat(t, q).data as Float32Array;
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
}
