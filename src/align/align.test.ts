import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import { alignDumpSets } from './align.js';
import { ruleKeys } from './rules.js';
import { openDumpSet } from '../dumps/open.js';
import type { DumpEntry, DumpSet } from '../dumps/types.js';
import { goldenTmp } from '../../golden/temp-golden.js';

function entry(name: string, order: number, shape: number[] | null, extra: Partial<DumpEntry> = {}): DumpEntry {
  return { name, file: `/x/${name}.bin`, dtype: 'uint8', shape, layout: 'NHWC', size: 0, dataOffset: 0, order, role: 'layer', ...extra };
}
function set(entries: DumpEntry[]): DumpSet {
  return { root: '/x', kind: 'plain', entries, ignored: [], warnings: [] };
}

describe('name rules', () => {
  it('strips _out, then _Quantize/_QuantizeFeature, then a concat index', () => {
    expect(ruleKeys('432_0_Quantize_out').map((r) => r.key)).toEqual(['432_0_Quantize_out', '432_0_Quantize', '432_0', '432']);
    expect(ruleKeys('414_QuantizeFeature_out').map((r) => r.key)).toEqual(['414_QuantizeFeature_out', '414_QuantizeFeature', '414', '414']);
  });
});

describe('alignDumpSets', () => {
  it('pairs by exact name first, then suffix rules, and records the rule', () => {
    const a = set([entry('input_data_shape_1_2_2_3', 0, [1, 2, 2, 3], { role: 'input' }), entry('411', 1, [1, 2]), entry('414', 2, [1, 3]), entry('427', 3, [1, 4])]);
    const b = set([entry('in4', 0, [1, 2, 2, 4], { role: 'input' }), entry('411_Quantize_out', 1, [1, 2]), entry('414_QuantizeFeature', 2, [1, 3]), entry('427', 3, [1, 4])]);
    const al = alignDumpSets(a, b);
    expect(al.pairs.map((p) => [p.a.name, p.b.name, p.rule])).toEqual([
      ['input_data_shape_1_2_2_3', 'in4', 'input'],
      ['411', '411_Quantize_out', 'quantize-suffix'],
      ['414', '414_QuantizeFeature', 'quantize-suffix'],
      ['427', '427', 'exact'],
    ]);
    expect(al.unmatchedA).toEqual([]);
  });

  it('does not pair an ambiguous concat index: 432 vs 432_0_Quantize and 432_1_Quantize stay unmatched by name', () => {
    const a = set([entry('432', 0, [1, 5])]);
    const b = set([entry('432_0_Quantize', 0, [1, 2]), entry('432_1_Quantize', 1, [1, 3])]);
    const al = alignDumpSets(a, b);
    expect(al.pairs).toEqual([]);
    expect(al.unmatchedB.map((e) => e.name)).toEqual(['432_0_Quantize', '432_1_Quantize']);
  });

  it('pairs leftovers by shape in order between name anchors, never across them, and never a broken file', () => {
    const a = set([entry('a1', 0, [1, 2]), entry('x', 1, [1, 9]), entry('a2', 2, [1, 2]), entry('a3', 3, [1, 7]), entry('y', 4, [1, 8])]);
    const b = set([entry('b1', 0, [1, 2]), entry('x', 1, [1, 9]), entry('gone', 2, [1, 2], { problem: { code: 'missing-file', reason: 'missing' } }), entry('b2', 3, [1, 2]), entry('b3', 4, [1, 7]), entry('y', 5, [1, 8])]);
    const al = alignDumpSets(a, b);
    expect(al.pairs.map((p) => `${p.a.name}=${p.b.name}:${p.rule}`)).toEqual(['a1=b1:shape+order', 'x=x:exact', 'a2=b2:shape+order', 'a3=b3:shape+order', 'y=y:exact']);
    expect(al.unmatchedB.map((e) => e.name)).toEqual(['gone']);
  });

  it('golden PC vs board: every board layer pairs by the _out rule; the PC-only float layer is unmatched', async () => {
    const g = await goldenTmp();
    const pc = await openDumpSet(path.join(g.dir, g.index.pc.dir), { log: path.join(g.dir, g.index.pc.log) });
    const board = await openDumpSet(path.join(g.dir, g.index.board.dir));
    const al = alignDumpSets(pc, board);
    const layerPairs = al.pairs.filter((p) => p.rule !== 'input');
    expect(layerPairs.every((p) => p.rule === 'board-out' && p.b.name === `${p.a.name}_out`)).toBe(true);
    expect(al.unmatchedA.map((e) => e.name)).toEqual(g.index.board.missingOnBoard);
    expect(al.unmatchedB).toEqual([]);
  });
});
