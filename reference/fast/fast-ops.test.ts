/**
 * fast-ops.ts against the nodes' own integer kernels (the oracle), on random codes and parameters:
 * unary ops (Sigmoid, Relu, LeakyRelu, Clip with bounds, HardSwish), binary ops of two 8-bit
 * features (Add, Sub, Mul, Max, Min, Div), Concat along several axes with inputs whose parameters
 * differ from the output's, Slice / Transpose / nearest Resize gathers; with and without an engine
 * (1 and 2 threads), and with the engine in a run (outputs kept in its memory).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastEngine } from './engine.js';
import { fastIntOp } from './fast-ops.js';
import { gatherStats } from './gather-map.js';
import { kernelFor } from '../ops/registry.js';
import type { PlannedNode } from '../executor.js';
import type { IntContext, Inputs } from '../ops/op.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import type { AttrValue, OnnxNode } from '../../src/onnx/types.js';
import { makeTensor, type Tensor } from '../tensor.js';
import { rng, randInt as int } from '../quant/test-random.js';

let engines: (FastEngine | null)[] = [];
beforeAll(async () => {
  engines = [null, await FastEngine.create({ threads: 1, fromSource: true }), await FastEngine.create({ threads: 2, fromSource: true })];
});
afterAll(async () => {
  for (const e of engines) await e?.close();
});

function planned(opType: string, nIn: number, attrs: Record<string, AttrValue> = {}, opset = 13): PlannedNode {
  const node: OnnxNode = { name: `${opType}_t`, nameSynthesized: false, opType, domain: '', inputs: Array.from({ length: nIn }, (_, i) => `in${i}`), outputs: ['y'], attrs, index: 0 };
  const kernel = kernelFor(node);
  const ctx = { node, opset };
  return { node, kernel, attrs: kernel.attrs(ctx), ctx };
}

function params(r: () => number): FeatureQParams {
  return { scale: Math.fround(0.001 + r() * 0.05), zeroPoint: int(r, 0, 255), bits: 8 };
}

function codes(r: () => number, dims: number[]): Tensor {
  return makeTensor('uint8', dims, Uint8Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => int(r, 0, 255)));
}

/** fastIntOp equals kernel.int for every engine (and in a run). */
function check(step: PlannedNode, ins: Inputs, inQ: (FeatureQParams | null)[], outQ: FeatureQParams[], label: string): void {
  const base: IntContext = { ...step.ctx, inputQuant: inQ, outputQuant: outQ };
  const want = step.kernel.int!(ins, step.attrs, base)[0]!;
  for (const e of engines) {
    const got = fastIntOp(step, ins, { ...base, fast: e });
    expect(got, `${label}: fast path taken`).not.toBeNull();
    expect(got![0]!.dims, label).toEqual(want.dims);
    expect(Array.from(got![0]!.data as Uint8Array), `${label} (${e ? `${e.threads} thread(s)` : 'no engine'})`).toEqual(Array.from(want.data as Uint8Array));
    if (e) {
      e.beginRun();
      try {
        const kept = fastIntOp(step, ins, { ...base, fast: e })![0]!;
        expect(Array.from(kept.data as Uint8Array), `${label} (in a run)`).toEqual(Array.from(want.data as Uint8Array));
      } finally {
        e.endRun();
      }
    }
  }
}

describe('fastIntOp equals the oracle', () => {
  it('unary element-wise ops', () => {
    const r = rng(31);
    const f32 = (v: number) => makeTensor('float32', [], Float32Array.of(v));
    const cases: Array<[string, Record<string, AttrValue>, (Tensor | null)[]]> = [
      ['Sigmoid', {}, []],
      ['Relu', {}, []],
      ['LeakyRelu', { alpha: 0.1 }, []],
      ['HardSwish', {}, []],
      ['Clip', {}, [f32(-0.3), f32(0.5)]],
    ];
    for (const [op, attrs, extra] of cases) {
      for (let t = 0; t < 3; t++) {
        const step = planned(op, 1 + extra.length, attrs);
        const x = codes(r, [1, int(r, 1, 5), int(r, 1, 40), int(r, 1, 40)]);
        check(step, [x, ...extra], [params(r), ...extra.map(() => null)], [params(r)], `${op} ${t}`);
      }
    }
  });

  it('binary element-wise ops of two features', () => {
    const r = rng(32);
    for (const op of ['Add', 'Sub', 'Mul', 'Max', 'Min', 'Div']) {
      for (let t = 0; t < 3; t++) {
        const dims = [1, int(r, 1, 6), int(r, 1, 50), int(r, 1, 50)];
        const step = planned(op, 2);
        check(step, [codes(r, dims), codes(r, dims)], [params(r), params(r)], [params(r)], `${op} ${t}`);
      }
    }
  });

  it('Concat along several axes, inputs with their own parameters', () => {
    const r = rng(33);
    for (let t = 0; t < 12; t++) {
      const axis = int(r, 0, 3);
      const base = [int(r, 1, 2), int(r, 1, 5), int(r, 1, 30), int(r, 1, 30)];
      const n = int(r, 1, 4);
      const xs = Array.from({ length: n }, () => codes(r, base.map((d, i) => (i === axis ? int(r, 1, 4) : d))));
      const po = params(r);
      const pin = xs.map((_, i) => (i % 2 === 0 ? po : params(r)));
      check(planned('Concat', n, { axis }), xs, pin, [po], `Concat axis ${axis} of ${n}`);
    }
  });

  it('gathers: Slice, Transpose, nearest Resize (output parameters = input parameters)', () => {
    const r = rng(34);
    const i64 = (v: number[]) => makeTensor('int64', [v.length], BigInt64Array.from(v.map(BigInt)));
    for (let t = 0; t < 6; t++) {
      const p = params(r);
      const x = codes(r, [1, int(r, 1, 4), int(r, 2, 30), int(r, 2, 30)]);
      check(planned('Slice', 5), [x, i64([int(r, 0, 1), 0]), i64([1000, -1]), i64([2, 3]), i64([2, int(r, 1, 3)])], [p, null, null, null, null], [p], `Slice ${t}`);
      check(planned('Transpose', 1, { perm: [0, 2, 3, 1] }), [x], [p], [p], `Transpose ${t}`);
      const scales = makeTensor('float32', [4], Float32Array.of(1, 1, 2, 2));
      check(planned('Resize', 3, { mode: 'nearest' }), [x, null, scales], [p, null, null], [p], `Resize ${t}`);
      const rows0 = gatherStats.rows;
      check(planned('Slice', 5), [x, i64([-1]), i64([-1000]), i64([3]), i64([-int(r, 1, 3)])], [p, null, null, null, null], [p], `Slice negative step ${t}`);
      const s3 = makeTensor('float32', [4], Float32Array.of(1, 1, 3, int(r, 1, 3)));
      check(planned('Resize', 3, { mode: 'nearest' }), [x, null, s3], [p, null, null], [p], `Resize 3x ${t}`);
      expect(gatherStats.rows - rows0, 'engine gathers ran in WebAssembly').toBe(2 * 2 * 2);
    }
    // a non-integer factor is no box: the TypeScript gather, still equal to the oracle
    const js0 = gatherStats.js;
    const x = codes(r, [1, 2, 3, 3]);
    const p = params(r);
    check(planned('Resize', 3, { mode: 'nearest' }), [x, null, makeTensor('float32', [4], Float32Array.of(1, 1, 5 / 3, 5 / 3))], [p, null, null], [p], 'Resize 5/3');
    expect(gatherStats.js - js0).toBe(5);
  });
});
