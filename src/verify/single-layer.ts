/**
 * Single-layer error (TRIAGE.md; the "single" vs "entire" split of quantization-debugging tools
 * such as TPU-MLIR's and PPQ's layerwise analysis, re-implemented here): every quantized node runs
 * its integer step alone on the FLOAT truth inputs (quantized with their own parameters), its
 * outputs are dequantized and compared with the float outputs. Inherited error is excluded, so
 * a node's single cosine is its own quantization error.
 */
import { planGraph } from '../../reference/executor.js';
import { fromOnnxTensor, type Tensor } from '../../reference/tensor.js';
import { makeIntStep, type IntStepOptions } from '../../reference/quantize/int-step.js';
import type { PreparedQuant } from '../../reference/quantize/prepare.js';
import { resultAsFloat } from '../../reference/quantize/run-quantized.js';
import { UserError } from '../errors.js';
import { score, type TensorScore } from './rerun.js';

/** One node's own error on one output tensor. */
export interface SingleLayerScore extends TensorScore {
  node: string;
  opType: string;
}

/**
 * Tensor name -> single-layer score for every quantized output of `prep.model`, one integer step
 * per node with `truth` (every tensor of the float run, e.g. runGraph keep 'all') as its inputs.
 */
export function singleLayerErrors(prep: PreparedQuant, truth: ReadonlyMap<string, Tensor>, opts: IntStepOptions = {}): Map<string, SingleLayerScore> {
  const plan = planGraph(prep.model);
  const step = makeIntStep(prep, plan, opts);
  const inits = prep.model.graph.initializers;
  const out = new Map<string, SingleLayerScore>();
  for (const s of plan.steps) {
    const node = s.node;
    if (node.outputs.every((o) => !o || !prep.features.has(o))) continue;
    const ins = node.inputs.map((n) => {
      if (n === '') return null;
      const t = truth.get(n);
      if (t) return t;
      const c = inits.get(n);
      if (c) return fromOnnxTensor(c);
      throw new UserError('EXEC_FAILED', `single-layer run: input "${n}" of ${node.opType} node "${node.name}" is missing from the float run`, 'run the float pass with keep "all"');
    });
    const outs = step.execute(s, ins);
    node.outputs.forEach((name, k) => {
      const f = truth.get(name);
      const t = outs[k];
      if (!name || !f || !t || f.dtype !== 'float32' || !prep.features.has(name)) return;
      out.set(name, { ...score(f.data as Float32Array, resultAsFloat(prep, name, t)), node: node.name, opType: node.opType });
    });
  }
  return out;
}
