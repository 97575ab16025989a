/**
 * The one explicit list of kernels (tfjs-backend-cpu `register_all_kernels.ts` style). Lookup of a
 * node without a kernel is a user error naming the op type, the node and what exists.
 */
import type { OnnxModel, OnnxNode } from '../../src/onnx/types.js';
import { UserError } from '../../src/errors.js';
import type { OpKernel } from './op.js';
import { abs } from './abs.js';
import { add } from './add.js';
import { averagePool } from './average-pool.js';
import { batchNormalization } from './batch-normalization.js';
import { cast } from './cast.js';
import { clip } from './clip.js';
import { concat } from './concat.js';
import { constant } from './constant.js';
import { conv } from './conv.js';
import { convTranspose } from './conv-transpose.js';
import { div } from './div.js';
import { exp } from './exp.js';
import { flatten } from './flatten.js';
import { gather } from './gather.js';
import { gemm } from './gemm.js';
import { globalAveragePool, globalMaxPool } from './global-pool.js';
import { hardSigmoid } from './hard-sigmoid.js';
import { hardSwish } from './hard-swish.js';
import { identity } from './identity.js';
import { leakyRelu } from './leaky-relu.js';
import { matMul } from './mat-mul.js';
import { max } from './max.js';
import { maxPool } from './max-pool.js';
import { min } from './min.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { pad } from './pad.js';
import { pow } from './pow.js';
import { prelu } from './prelu.js';
import { relu } from './relu.js';
import { reshape } from './reshape.js';
import { resize } from './resize.js';
import { shape } from './shape.js';
import { sigmoid } from './sigmoid.js';
import { slice } from './slice.js';
import { softmax } from './softmax.js';
import { split } from './split.js';
import { sqrt } from './sqrt.js';
import { squeeze } from './squeeze.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { tanh } from './tanh.js';
import { transpose } from './transpose.js';
import { unsqueeze } from './unsqueeze.js';
import { upsample } from './upsample.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyKernel = OpKernel<any>;

/** Every kernel, alphabetical. Adding an op = one file + one line here. */
export const KERNELS: readonly AnyKernel[] = [
  abs, add, averagePool, batchNormalization, cast, clip, concat, constant, conv, convTranspose, div, exp, flatten, gather,
  gemm, globalAveragePool, globalMaxPool, hardSigmoid, hardSwish, identity, leakyRelu, matMul, max, maxPool, min, mul, neg,
  pad, pow, prelu, relu, reshape, resize, shape, sigmoid, slice, softmax, split, sqrt, squeeze, sub, sum, tanh, transpose,
  unsqueeze, upsample,
];

const BY_TYPE = new Map<string, AnyKernel>(KERNELS.map((k) => [k.opType, k]));

/** Op types with a kernel, sorted. */
export function supportedOps(): string[] {
  return [...BY_TYPE.keys()].sort();
}

function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** The kernel for `node`, or a UNSUPPORTED_OP error naming the op, the node and the ops that exist. */
export function kernelFor(node: OnnxNode): AnyKernel {
  const k = isDefaultDomain(node.domain) ? BY_TYPE.get(node.opType) : undefined;
  if (!k) {
    const op = isDefaultDomain(node.domain) ? node.opType : `${node.domain}::${node.opType}`;
    throw new UserError(
      'UNSUPPORTED_OP',
      `op ${op} (node "${node.name}") has no kernel in the reference executor; supported ops: ${supportedOps().join(', ')}`,
      'simplify or re-export the model with supported ops, or add a kernel in reference/ops/ and list it in reference/ops/registry.ts',
    );
  }
  const nIn = node.inputs.length;
  const nOut = node.outputs.length;
  if (nIn < k.inputs[0] || nIn > k.inputs[1] || nOut < k.outputs[0] || nOut > k.outputs[1]) {
    const range = (r: readonly [number, number]): string => (r[0] === r[1] ? `${r[0]}` : r[1] === Infinity ? `${r[0]}+` : `${r[0]}-${r[1]}`);
    throw new UserError('ONNX_FORMAT', `${node.opType} node "${node.name}": has ${nIn} inputs and ${nOut} outputs, expected ${range(k.inputs)} inputs and ${range(k.outputs)} outputs`, 'check the model with onnx.checker');
  }
  return k;
}

/** Every op type in `model` without a kernel (empty when the model is fully supported). */
export function unsupportedOps(model: OnnxModel): { opType: string; nodes: string[] }[] {
  const missing = new Map<string, string[]>();
  for (const n of model.graph.nodes) {
    if (isDefaultDomain(n.domain) && BY_TYPE.has(n.opType)) continue;
    const key = isDefaultDomain(n.domain) ? n.opType : `${n.domain}::${n.opType}`;
    missing.set(key, [...(missing.get(key) ?? []), n.name]);
  }
  return [...missing].map(([opType, nodes]) => ({ opType, nodes }));
}
