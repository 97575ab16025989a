/** TEST-ONLY: runs one kernel on hand-built tensors, through the registry (arity + attributes + float). */
import type { AttrValue, OnnxNode } from '../../src/onnx/types.js';
import { kernelFor } from '../ops/registry.js';
import type { Tensor } from '../tensor.js';

export function runOp(opType: string, inputs: (Tensor | null)[], attrs: Record<string, AttrValue> = {}, opset = 13, nOutputs = 1): Tensor[] {
  const node: OnnxNode = {
    name: `${opType.toLowerCase()}_test`,
    nameSynthesized: false,
    opType,
    domain: '',
    inputs: inputs.map((t, i) => (t ? `in${i}` : '')),
    outputs: Array.from({ length: nOutputs }, (_v, i) => `out${i}`),
    attrs,
    index: 0,
  };
  const k = kernelFor(node);
  const ctx = { node, opset };
  return k.float(inputs, k.attrs(ctx), ctx);
}

/** The single output of `runOp`, as plain numbers. */
export function run1(opType: string, inputs: (Tensor | null)[], attrs: Record<string, AttrValue> = {}, opset = 13): { dims: number[]; values: number[] } {
  const t = runOp(opType, inputs, attrs, opset)[0]!;
  return { dims: t.dims, values: Array.from(t.data as ArrayLike<number | bigint>, Number) };
}
