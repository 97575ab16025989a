import { describe, it, expect } from 'vitest';
import { loadModel } from './load.js';
import { graphOrder } from './order.js';
import { sharedModel } from '../../scripts/synthetic-input.js';

describe('graphOrder', () => {
  it('YOLOX: the input then 369 node outputs, each after its data inputs', async () => {
    const m = await loadModel(sharedModel('yolox_nano_3cls.onnx'));
    const order = graphOrder(m);
    expect(order).toHaveLength(370);
    expect(order[0]).toEqual({ order: 0, tensorName: 'images', sanitized: 'images', nodeName: '', opType: 'Input', outputIndex: 0, dataInputs: [], kind: 'input' });
    expect(order.map((e) => e.order)).toEqual([...Array(370).keys()]);
    const pos = new Map(order.map((e) => [e.tensorName, e.order]));
    for (const e of order) for (const t of e.dataInputs) expect(pos.get(t)!).toBeLessThan(e.order);
    expect(order.at(-1)).toMatchObject({ tensorName: 'output', kind: 'layer' });
    // The first Focus slice reads the image only; Conv weights are not data inputs.
    const conv = order.find((e) => e.opType === 'Conv')!;
    expect(conv.dataInputs).toHaveLength(1);
    expect(order.filter((e) => e.sanitized !== e.tensorName).length).toBeGreaterThan(0); // onnx::Slice_647 -> onnx__Slice_647
    expect(order.find((e) => e.tensorName === 'onnx::Slice_647')!.sanitized).toBe('onnx__Slice_647');
  });

  it('UltraFace: Constant outputs are marked constant and never data inputs', async () => {
    const m = await loadModel(sharedModel('ultraface_rfb_320.onnx'));
    const order = graphOrder(m);
    expect(order).toHaveLength(1 + 242);
    const constants = order.filter((e) => e.kind === 'constant');
    expect(constants).toHaveLength(31);
    const constNames = new Set(constants.map((e) => e.tensorName));
    for (const e of order) for (const t of e.dataInputs) expect(constNames.has(t)).toBe(false);
    const bn = order.find((e) => e.opType === 'BatchNormalization')!;
    expect(bn.dataInputs).toEqual(['245']);
  });
});
