/**
 * The convolution layers of a model with their resolved shapes (for the fast-kernel tests and the
 * benchmark): shapes come from one float run of the reference executor on a zero input, attributes
 * from the executor's plan (auto_pad resolved by the same geometry rules as the float Conv kernel).
 */
import type { OnnxModel } from '../../src/onnx/types.js';
import { planGraph, runGraph } from '../executor.js';
import { floatTensor } from '../tensor.js';
import { forwardGeometry, type SpatialAttrs } from '../ops/spatial.js';
import type { ConvIntAttrs } from './conv-int-types.js';

/** One 2-D (or 1-D, as H = 1) Conv node. */
export interface ConvLayer extends ConvIntAttrs {
  node: string;
  xShape: [number, number, number, number];
  wShape: [number, number, number, number];
  hasBias: boolean;
  /** Output [OH, OW]. */
  out: [number, number];
  /** Multiply-accumulates of one inference (N · M · OH · OW · Cg · KH · KW). */
  macs: number;
}

/** Every Conv layer of `model`, in execution order (the first graph input must have static dims). */
export async function convLayers(model: OnnxModel): Promise<ConvLayer[]> {
  const plan = planGraph(model);
  const dims = new Map<string, number[]>();
  const inputs = new Map<string, ReturnType<typeof floatTensor>>();
  for (const vi of model.graph.inputs) {
    if (model.graph.initializers.has(vi.name)) continue;
    const shape = (vi.shape ?? []).map((d) => (typeof d === 'number' ? d : 1));
    inputs.set(vi.name, floatTensor(shape, new Float32Array(shape.reduce((a, b) => a * b, 1))));
    dims.set(vi.name, shape);
  }
  await runGraph(model, inputs, { onTensor: (name, t) => void dims.set(name, [...t.dims]) });
  const layers: ConvLayer[] = [];
  for (const step of plan.steps) {
    if (step.node.opType !== 'Conv') continue;
    const xd = dims.get(step.node.inputs[0]!)!;
    const wt = model.graph.initializers.get(step.node.inputs[1]!);
    if (!wt) continue; // weights computed at run time: not a quantized layer
    const a = step.attrs as SpatialAttrs & { group: number };
    const two = xd.length === 4;
    const xShape: ConvLayer['xShape'] = two ? [xd[0]!, xd[1]!, xd[2]!, xd[3]!] : [xd[0]!, xd[1]!, 1, xd[2]!];
    const kernel = wt.dims.slice(2);
    const wShape: ConvLayer['wShape'] = two ? [wt.dims[0]!, wt.dims[1]!, kernel[0]!, kernel[1]!] : [wt.dims[0]!, wt.dims[1]!, 1, kernel[0]!];
    const geo = forwardGeometry(step.ctx, a, xd.slice(2), kernel);
    const strides: [number, number] = two ? [geo.strides[0]!, geo.strides[1]!] : [1, geo.strides[0]!];
    const dilations: [number, number] = two ? [geo.dilations[0]!, geo.dilations[1]!] : [1, geo.dilations[0]!];
    const pads: [number, number, number, number] = two ? [geo.pads[0]!, geo.pads[1]!, geo.pads[2]!, geo.pads[3]!] : [0, geo.pads[0]!, 0, geo.pads[1]!];
    const out: [number, number] = two ? [geo.out[0]!, geo.out[1]!] : [1, geo.out[0]!];
    const macs = xShape[0] * wShape[0] * out[0] * out[1] * wShape[1] * wShape[2] * wShape[3];
    layers.push({ node: step.node.name, xShape, wShape, hasBias: step.node.inputs.length > 2 && step.node.inputs[2] !== '', group: a.group, strides, dilations, pads, out, macs });
  }
  return layers;
}
