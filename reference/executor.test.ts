import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { floatStep, planGraph, runGraph } from './executor.js';
import { floatTensor, int64Tensor, type Tensor } from './tensor.js';
import { parseModel } from '../src/onnx/load.js';
import { graphModel, type GraphSpec } from './testing/proto-model.js';
import { kernelFor, KERNELS, supportedOps } from './ops/registry.js';

const x = floatTensor([1, 2, 2, 3], Array.from({ length: 12 }, (_v, i) => i - 5));

/** x -> Relu -> (Shape -> Gather 0 -> Unsqueeze) ++ [-1] -> Reshape -> Sigmoid: a shape sub-graph like UltraFace's. */
const SHAPE_CHAIN: GraphSpec = {
  opset: 11,
  inputs: [
    { name: 'x', tensor: x },
    { name: 'zero', tensor: int64Tensor([], [0]), initializer: true },
    { name: 'minus1', tensor: int64Tensor([1], [-1]), initializer: true },
  ],
  nodes: [
    { name: 'relu', opType: 'Relu', inputs: ['x'], outputs: ['r'] },
    { name: 'shape', opType: 'Shape', inputs: ['r'], outputs: ['s'] },
    { name: 'gather', opType: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attrs: { axis: 0 } },
    { name: 'unsq', opType: 'Unsqueeze', inputs: ['n'], outputs: ['n1'], attrs: { axes: [0] } },
    { name: 'cat', opType: 'Concat', inputs: ['n1', 'minus1'], outputs: ['target'], attrs: { axis: 0 } },
    { name: 'reshape', opType: 'Reshape', inputs: ['r', 'target'], outputs: ['flat'] },
    { name: 'sig', opType: 'Sigmoid', inputs: ['flat'], outputs: ['y'] },
  ],
  outputs: ['y'],
};

describe('runGraph', () => {
  it('runs a shape sub-graph as int64 constants and matches onnxruntime', async () => {
    const bytes = graphModel(SHAPE_CHAIN);
    const model = parseModel(bytes, 'shape-chain.onnx');
    const seen: string[] = [];
    const out = await runGraph(model, new Map([['x', x]]), {
      onTensor: (name, t, node) => {
        seen.push(`${node.name}:${name}:${t.dtype}[${t.dims.join(',')}]`);
      },
    });
    expect(seen).toEqual([
      'relu:r:float32[1,2,2,3]',
      'shape:s:int64[4]',
      'gather:n:int64[]',
      'unsq:n1:int64[1]',
      'cat:target:int64[2]',
      'reshape:flat:float32[1,12]',
      'sig:y:float32[1,12]',
    ]);
    expect([...out.keys()]).toEqual(['y']);
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    const ref = (await session.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.dims) }))['y']!;
    const y = out.get('y')!;
    expect(y.dims).toEqual(ref.dims);
    (ref.data as Float32Array).forEach((v, i) => expect((y.data as Float32Array)[i]).toBeCloseTo(v, 6));
  });

  it("keep: 'all' returns every tensor; 'needed' only the outputs", async () => {
    const model = parseModel(graphModel(SHAPE_CHAIN), 'shape-chain.onnx');
    const all = await runGraph(model, new Map([['x', x]]), { keep: 'all' });
    expect([...all.keys()].sort()).toEqual(['flat', 'n', 'n1', 'r', 's', 'target', 'x', 'y']);
    expect(Array.from(all.get('target')!.data as BigInt64Array)).toEqual([1n, -1n]);
  });

  it('plans tensor lifetimes: each tensor is released after its last reader', () => {
    const plan = planGraph(parseModel(graphModel(SHAPE_CHAIN), 'shape-chain.onnx'));
    expect(plan.lastUse.get('r')).toBe(5); // read by shape (1) and reshape (5)
    expect(plan.lastUse.get('s')).toBe(2);
    expect(plan.lastUse.get('y')).toBe(Infinity);
  });

  it('marks the shape sub-graph as value-independent, the data path not', () => {
    const plan = planGraph(parseModel(graphModel(SHAPE_CHAIN), 'shape-chain.onnx'));
    expect([...plan.valueIndependent].sort()).toEqual(['n', 'n1', 's', 'target']);
  });

  it('awaits an async onTensor before continuing', async () => {
    const model = parseModel(graphModel(SHAPE_CHAIN), 'shape-chain.onnx');
    const order: string[] = [];
    await runGraph(model, new Map([['x', x]]), {
      onTensor: async (name) => {
        await new Promise((r) => setTimeout(r, 1));
        order.push(name);
      },
    });
    expect(order).toEqual(['r', 's', 'n', 'n1', 'target', 'flat', 'y']);
  });

  it('lets a custom step runner (the integer-mode hook) replace a kernel', async () => {
    const model = parseModel(graphModel(SHAPE_CHAIN), 'shape-chain.onnx');
    const out = await runGraph(model, new Map([['x', x]]), {
      execute: (step, inputs) => (step.node.opType === 'Sigmoid' ? [inputs[0]!] : floatStep(step, inputs)),
    });
    expect(Array.from(out.get('y')!.data as Float32Array)).toEqual([0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6]);
  });

  it('rejects missing, misshapen, mistyped and unknown inputs with INPUT_MISMATCH', async () => {
    const model = parseModel(graphModel(SHAPE_CHAIN), 'shape-chain.onnx');
    const code = async (inputs: Map<string, Tensor>): Promise<string> => {
      try {
        await runGraph(model, inputs);
        return 'ok';
      } catch (e) {
        return e instanceof UserError ? `${e.code}: ${e.message}` : String(e);
      }
    };
    expect(await code(new Map())).toMatch(/^INPUT_MISMATCH: .*graph input "x" was not given/);
    expect(await code(new Map([['x', floatTensor([1, 2, 3, 2])]]))).toMatch(/^INPUT_MISMATCH: .*dims \[1,2,3,2\], the model expects \[1,2,2,3\]/);
    expect(await code(new Map([['x', int64Tensor([1, 2, 2, 3], new Array(12).fill(0))]]))).toMatch(/^INPUT_MISMATCH: .*int64\[1,2,2,3\], the model expects float32/);
    expect(await code(new Map([['x', x], ['extra', x]]))).toMatch(/^INPUT_MISMATCH: .*"extra" is not a graph input/);
  });

  it('names every unsupported op, its node, and the ops that exist, before running anything', () => {
    const model = parseModel(
      graphModel({
        inputs: [{ name: 'x', tensor: x }],
        nodes: [
          { name: 'relu', opType: 'Relu', inputs: ['x'], outputs: ['r'] },
          { name: 'my_nms', opType: 'NonMaxSuppression', inputs: ['r', 'r'], outputs: ['a'] },
          { name: 'custom', opType: 'Foo', domain: 'com.example', inputs: ['r'], outputs: ['b'] },
        ],
        outputs: ['a', 'b'],
      }),
      'nms.onnx',
    );
    let err: unknown;
    try {
      planGraph(model);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const e = err as UserError;
    expect(e.code).toBe('UNSUPPORTED_OP');
    expect(e.message).toContain('nms.onnx: no reference kernel for NonMaxSuppression (node "my_nms"), com.example::Foo (node "custom")');
    expect(e.message).toContain('supported ops: Abs, Add, AveragePool, BatchNormalization');
    expect(e.hint).toMatch(/reference\/ops\/registry\.ts/);
  });
});

describe('registry', () => {
  it('has one kernel per op type, and every listed op resolves', () => {
    const types = KERNELS.map((k) => k.opType);
    expect(new Set(types).size).toBe(types.length);
    expect(supportedOps()).toEqual([...types].sort());
    // every op type of the shared models is covered
    for (const op of ['Conv', 'Relu', 'Sigmoid', 'Mul', 'Add', 'Concat', 'Slice', 'MaxPool', 'Reshape', 'Resize', 'Transpose', 'Gather', 'Pad', 'AveragePool', 'Softmax', 'BatchNormalization', 'Exp', 'Shape', 'Unsqueeze', 'Constant', 'Div', 'Sub']) {
      expect(types).toContain(op);
    }
  });
  it('checks arity against the kernel', () => {
    const node = { name: 'c', nameSynthesized: false, opType: 'Conv', domain: '', inputs: ['x'], outputs: ['y'], attrs: {}, index: 0 };
    expect(() => kernelFor(node)).toThrow(/Conv node "c": has 1 inputs and 1 outputs, expected 2-3 inputs and 1 outputs/);
  });
  it('reports a bad attribute type naming the node', () => {
    const node = { name: 'p', nameSynthesized: false, opType: 'MaxPool', domain: '', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: 'big' }, index: 0 };
    expect(() => kernelFor(node).attrs({ node, opset: 11 })).toThrow(/MaxPool node "p": attribute kernel_shape should be a list of integers, got string/);
  });
});
