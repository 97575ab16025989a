import { describe, it, expect } from 'vitest';
import onnxProto from 'onnx-proto';
import { loadModel, parseModel } from './load.js';
import { exposeTensors } from './expose.js';
import { tensorShapes } from './shapes.js';
import { buildModel } from './build.js';
import { sharedModel } from '../../scripts/synthetic-input.js';

const { onnx } = onnxProto;

describe('exposeTensors', () => {
  it('adds every node output as a graph output, typed from value_info when the file has it', async () => {
    const m = await loadModel(sharedModel('yolox_nano_3cls.onnx'));
    const x = exposeTensors(m);
    expect(x.outputNames).toHaveLength(369);
    expect(x.outputNames[0]).toBe('output');
    const decoded = onnx.ModelProto.decode(x.bytes);
    expect(decoded.graph!.output).toHaveLength(369);
    expect(decoded.graph!.output!.filter((o) => o.type?.tensorType?.elemType === 1).length).toBe(369);
    expect(decoded.graph!.node).toHaveLength(369);
  });

  it('drops initializers from the graph inputs of old IR files and honours include()', async () => {
    const m = await loadModel(sharedModel('ultraface_rfb_320.onnx'));
    const x = exposeTensors(m, { include: (n) => n.opType !== 'Constant' });
    const g = onnx.ModelProto.decode(x.bytes).graph!;
    expect(g.input!.map((i) => i.name)).toEqual(['input']);
    expect(x.added).toHaveLength(242 - 31 - 2);
  });
});

describe('tensorShapes', () => {
  it('YOLOX: every tensor shape from one zero-input run', async () => {
    const m = await loadModel(sharedModel('yolox_nano_3cls.onnx'));
    const s = await tensorShapes(m, { threads: 1 });
    expect(s.size).toBe(370);
    expect(s.get('images')).toEqual({ dtype: 'float32', shape: [1, 3, 416, 416] });
    expect(s.get('output')).toEqual({ dtype: 'float32', shape: [1, 3549, 8] });
    expect(s.get('onnx::Slice_647')!.shape).toEqual([1, 3, 208, 416]);
    // The Focus concat: 12 channels at half resolution.
    const focusCat = m.graph.nodes.find((n) => n.opType === 'Concat')!;
    expect(s.get(focusCat.outputs[0]!)!.shape).toEqual([1, 12, 208, 208]);
  });

  it('UltraFace: int64 shape arithmetic reported with its type', async () => {
    const m = await loadModel(sharedModel('ultraface_rfb_320.onnx'));
    const s = await tensorShapes(m, { threads: 1 });
    const shapeNode = m.graph.nodes.find((n) => n.opType === 'Shape')!;
    expect(s.get(shapeNode.outputs[0]!)).toEqual({ dtype: 'int64', shape: [4] });
    expect(s.get('scores')!.shape).toEqual([1, 4420, 2]);
  });

  it('dynamic input dims need a shape; given one, shapes follow it', async () => {
    const bytes = buildModel({
      nodes: [{ opType: 'Relu', name: 'r', inputs: ['x'], outputs: ['y'] }],
      inputs: [{ name: 'x', dims: ['N', 3, 'H', 'W'] }],
      outputs: [{ name: 'y' }],
    });
    const m = parseModel(bytes, 'dyn.onnx');
    await expect(tensorShapes(m)).rejects.toMatchObject({ code: 'USAGE', message: 'dyn.onnx: input "x" has dynamic shape [N,3,H,W]' });
    const s = await tensorShapes(m, { inputShapes: { x: [2, 3, 5, 7] } });
    expect(s.get('y')!.shape).toEqual([2, 3, 5, 7]);
    await expect(tensorShapes(m, { inputShapes: { x: [2, 4, 5, 7] } })).rejects.toMatchObject({ code: 'INPUT_MISMATCH' });
  });
});
