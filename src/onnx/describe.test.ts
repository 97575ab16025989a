import { describe, it, expect } from 'vitest';
import { parseModel } from './load.js';
import { buildModel } from './build.js';
import { describeModel, formatDescription } from './describe.js';

// x[N,3,H,W] -> Relu -> a -> MaxPool 2x2 -> y ; value_info for a only.
const DYN = parseModel(
  buildModel({
    nodes: [
      { opType: 'Relu', name: 'relu', inputs: ['x'], outputs: ['a'] },
      { opType: 'MaxPool', inputs: ['a'], outputs: ['y'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    ],
    inputs: [{ name: 'x', dims: ['N', 3, 'H', 'W'] }],
    outputs: [{ name: 'y', dims: ['N', 3, '?', '?'] }],
    valueInfo: [{ name: 'a', dims: ['N', 3, 'H', 'W'] }],
    opset: 12,
    irVersion: 7,
  }),
  '/m/dyn.onnx',
);

describe('describeModel', () => {
  it('dynamic input without a shape: value_info shapes and a warning saying what to pass', async () => {
    const d = await describeModel(DYN);
    expect(d.shapeSource).toBe('value_info');
    expect(d.warnings.join('\n')).toMatch(/input "x" has dynamic shape \[N,3,H,W\].*--input-shape/);
    expect(d.nodes[0]!.outputs).toEqual([{ name: 'a', dtype: 'float32', shape: ['N', 3, 'H', 'W'] }]);
    expect(d.nodes[1]!).toMatchObject({ name: 'MaxPool_1', nameSynthesized: true });
  });

  it('with an input shape: shapes from one onnxruntime run, text lines tab-separated', async () => {
    const d = await describeModel(DYN, { inputShape: [1, 3, 8, 6] });
    expect(d.shapeSource).toBe('onnxruntime');
    expect(d.nodes[1]!.outputs[0]!.shape).toEqual([1, 3, 4, 3]);
    const text = formatDescription(d).split('\n');
    expect(text).toContain('# ir 7 opset 12 producer magik-parity-test');
    expect(text).toContain('# input x float32 [1,3,8,6]');
    expect(text).toContain('0\trelu\tRelu\ta\t[1,3,8,6]');
    expect(text).toContain('1\tMaxPool_1\tMaxPool\ty\t[1,3,4,3]');
  });
});
