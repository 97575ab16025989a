/**
 * TEST-ONLY: runs a one-node model through onnxruntime-node and through our executor, for
 * kernel-vs-onnxruntime checks on hand-built tensors.
 */
import * as ort from 'onnxruntime-node';
import { runGraph } from '../executor.js';
import { makeTensor, type Tensor, type TensorDType } from '../tensor.js';
import { parseModel } from '../../src/onnx/load.js';
import { singleNodeModel, type NodeSpec } from './proto-model.js';

export interface BothResult {
  ours: Tensor[];
  theirs: Tensor[];
}

export async function runBoth(spec: NodeSpec): Promise<BothResult> {
  const bytes = singleNodeModel(spec);
  const model = parseModel(bytes, `${spec.opType}.onnx`);
  const feeds = spec.inputs.filter((i) => !i.initializer);
  const ours = await runGraph(model, new Map(feeds.map((i) => [i.name, i.tensor])));
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3, graphOptimizationLevel: 'disabled' });
  const out = await session.run(Object.fromEntries(feeds.map((i) => [i.name, new ort.Tensor(i.tensor.dtype as 'float32', i.tensor.data as Float32Array, i.tensor.dims)])));
  await session.release();
  const names = spec.outputs ?? ['y'];
  return {
    ours: names.map((n) => ours.get(n)!),
    theirs: names.map((n) => {
      const t = out[n]!;
      const dtype = (t.type === 'float32' ? 'float32' : t.type) as TensorDType;
      return makeTensor(dtype, t.dims as number[], t.data as Float32Array);
    }),
  };
}
