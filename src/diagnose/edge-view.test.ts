/**
 * The edge view on hand-made edges with known answers: producers from graphInputs vs the previous
 * layer, cliffs and gains, outputs, the tail, non-finite layers, and culprits by single-layer error.
 */
import { describe, it, expect } from 'vitest';
import type { ReportEdge, ReportLayer } from '../report/schema.js';
import { summarize } from '../compare/edges.js';
import { edgeView } from './edge-view.js';
import { CLASSIFICATION } from './thresholds.js';
import { diagnose } from './diagnose.js';

function layer(order: number, name: string, cosine: number, o: Partial<ReportLayer> = {}): ReportLayer {
  const side = { file: `${name}.bin`, name, dtype: 'float32', shape: [1], size: 4, md5: null };
  return { order, name, shape: [1], rule: 'exact', a: side, b: side, md5Equal: null, status: cosine >= 0.99 ? 'ok' : 'diverged', cosine, maxAbs: 0, ...o };
}

function edge(layers: ReportLayer[]): ReportEdge {
  return { id: 'float~ptq', a: 'float', b: 'ptq', kind: 'float', layers, firstDivergence: null, unmatched: { a: [], b: [] }, summary: summarize(layers) };
}

// a diamond: conv1 -> (branchA, branchB) -> add -> head; branchB introduces the error
const diamond = () => [
  layer(1, 'conv1', 0.9999, { graphInputs: [], opType: 'Conv' }),
  layer(2, 'branchA', 0.9998, { graphInputs: ['conv1'], opType: 'Conv' }),
  layer(3, 'branchB', 0.97, { graphInputs: ['conv1'], opType: 'Conv' }),
  layer(4, 'add', 0.96, { graphInputs: ['branchA', 'branchB'], opType: 'Add' }),
  layer(5, 'head', 0.9, { graphInputs: ['add'], opType: 'Conv' }),
];

describe('edgeView', () => {
  it('uses graph inputs: cliff against the worst input, error gain, outputs', () => {
    const v = edgeView(edge(diamond()), CLASSIFICATION);
    const by = (n: string) => v.layers.find((l) => l.layer.name === n)!;
    expect(by('branchB').inputs).toEqual([0]);
    expect(by('branchB').cliff).toBeCloseTo(0.9999 - 0.97, 12);
    expect(by('branchB').gain).toBeCloseTo(0.03 / 0.0001, 6);
    expect(by('add').inputCosine).toBe(0.97); // worst input, not the previous layer in order
    expect(by('add').cliff).toBeCloseTo(0.01, 12);
    expect(by('conv1').inputsFrom).toBe('graph-input');
    expect(by('conv1').gain).toBe(Infinity);
    expect(v.outputs.map((o) => o.layer.name)).toEqual(['head']);
    expect(v.first!.layer.name).toBe('conv1');
    expect(v.culprits.map((c) => c.layer.name)).toEqual(['branchB', 'head']);
    expect(v.culpritsBy).toBe('cliff');
  });

  it('without graph inputs: previous layer in order, the last layer is the output; data-movement ops are not "first"', () => {
    const ls = diamond().map(({ graphInputs: _g, ...l }) => l as ReportLayer);
    ls[0]!.opType = 'Slice';
    const v = edgeView(edge(ls), CLASSIFICATION);
    expect(v.layers[3]!.inputCosine).toBe(0.97);
    expect(v.outputs.map((o) => o.layer.name)).toEqual(['head']);
    expect(v.first!.layer.name).toBe('branchA');
    expect(v.tailStart).toBe(4);
  });

  it('a layer with non-finite values on one side counts as NaN: below any threshold', () => {
    const ls = diamond().map((l) => ({ ...l, cosine: 1, status: 'ok' as const }));
    ls[2] = { ...ls[2]!, status: 'diverged', reason: 'non-finite values (NaN/Inf) on one side only' };
    const v = edgeView(edge(ls), CLASSIFICATION);
    expect(v.firstBelow!.layer.name).toBe('branchB');
    expect(v.layers[2]!.cosine).toBeNaN();
  });

  it('single-layer errors (a re-run step) choose the culprits instead of cliffs', () => {
    const ls = diamond();
    // measured: branchB is fine alone; conv1's own error is what hurts, head is mildly bad alone
    const single = [0.95, 0.999, 0.998, 0.999, 0.985];
    ls.forEach((l, i) => (l.single = { cosine: single[i]! }));
    const v = edgeView(edge(ls), CLASSIFICATION);
    expect(v.culpritsBy).toBe('single-layer');
    expect(v.culprits.map((c) => c.layer.name)).toEqual(['conv1', 'head']);
    const { diagnosis } = diagnose({ inputs: { reference: null, consistent: true, checks: [] }, edges: [edge(ls)], sources: [], model: null }, CLASSIFICATION);
    expect(diagnosis.culprits[0]!.layers[0]).toMatchObject({ name: 'conv1', single: 0.95 });
  });
});

describe('diagnose: D in context', () => {
  it('healthy float edge + a board layer that differs -> D says so, names the cluster; ptq~pc worded as reference vs PC', () => {
    const healthy = diamond().map((l) => ({ ...l, cosine: 0.999, status: 'ok' as const }));
    const intLayer = (order: number, name: string, diff: boolean): ReportLayer => ({
      ...layer(order, name, 1),
      cosine: undefined,
      md5Equal: !diff,
      status: diff ? 'diverged' : 'ok',
      count: 64,
      ...(diff ? { mismatches: 10, mismatchesPerChannel: [0, 0, 5, 4, 0, 0, 0, 1, ...new Array(8).fill(0)], mismatchesPerRow: [5, 5] } : {}),
    });
    const ints = (id: 'pc~board' | 'ptq~pc'): ReportEdge => {
      const ls = [intLayer(1, 'conv1', false), intLayer(3, 'branchB', true), intLayer(4, 'add', true)];
      const [a, b] = id.split('~') as ['pc' | 'ptq', 'board' | 'pc'];
      return { id, a, b, kind: 'integer', layers: ls, firstDivergence: null, unmatched: { a: [], b: [] }, summary: summarize(ls) };
    };
    const report = { inputs: { reference: null, consistent: true, checks: [] }, edges: [edge(healthy), ints('ptq~pc'), ints('pc~board')], sources: [], model: null };
    const { findings, diagnosis } = diagnose(report, CLASSIFICATION);
    expect(findings.map((f) => [f.code, f.edge, f.layer])).toEqual([['D', 'ptq~pc', 'branchB'], ['D', 'pc~board', 'branchB']]);
    expect(findings[0]!.message).toMatch(/^our integer reference and the vendor PC library diverge at branchB/);
    expect(findings[1]!.message).toMatch(/^the chip diverges at branchB/);
    expect(findings[1]!.message).toContain('10 of 64 elements differ');
    expect(findings[1]!.message).toContain('90% of mismatches in channels 2-3 (2 of 16)');
    expect(findings[1]!.message).toContain('2 of 3 layers differ');
    expect(findings[1]!.message).toContain('float~quantized cosines are healthy, so this is phenomenon D');
    expect(findings[1]!.actions!.map((x) => x.id)).toEqual(['board-vs-reference', 'float-self-check', 'send-to-vendor']);
    expect(diagnosis.checked.some((x) => x.startsWith('float~ptq: healthy'))).toBe(true);
  });
});
