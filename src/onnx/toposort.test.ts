import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { topoSort, type SortNode } from './toposort.js';

const n = (name: string, inputs: string[], outputs: string[]): SortNode => ({ name, inputs, outputs });

describe('topoSort', () => {
  it('keeps a sorted file as it is', () => {
    const nodes = [n('a', ['x'], ['a']), n('b', ['a'], ['b']), n('c', ['x'], ['c']), n('d', ['b', 'c'], ['d'])];
    expect(topoSort(nodes)).toEqual({ ok: true, order: [0, 1, 2, 3] });
  });

  it('moves a node only as far as needed (earliest file position first among ready nodes)', () => {
    const nodes = [n('d', ['b', 'c'], ['d']), n('c', ['x'], ['c']), n('b', ['a'], ['b']), n('a', ['x'], ['a']), n('e', ['x'], ['e'])];
    expect(topoSort(nodes)).toEqual({ ok: true, order: [1, 3, 2, 0, 4] });
  });

  it('finds the nodes of a cycle, not the nodes downstream of it', () => {
    const nodes = [n('in', ['x'], ['i']), n('p', ['i', 'r'], ['p']), n('q', ['p'], ['q']), n('r', ['q'], ['r']), n('after', ['r'], ['z'])];
    const r = topoSort(nodes);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect([...r.cycle].sort()).toEqual(['p', 'q', 'r']);
      expect([...r.stuck].sort()).toEqual(['after', 'p', 'q', 'r']);
    }
  });

  it('any permutation of a DAG sorts to an order where every node follows its producers', () => {
    // A random DAG: node i reads outputs of random earlier nodes.
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: 1, maxLength: 30 }), fc.integer(), (deps, seed) => {
        const dag = deps.map((ds, i) => n(`n${i}`, i === 0 ? ['x'] : ds.map((d) => `t${d % i}`), [`t${i}`]));
        const perm = dag.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 101) - ((b * 7919 + seed) % 101));
        const shuffled = perm.map((i) => dag[i]!);
        const r = topoSort(shuffled);
        if (!r.ok) return false;
        const seen = new Set(['x']);
        for (const i of r.order) {
          const node = shuffled[i]!;
          if (!node.inputs.every((t) => seen.has(t))) return false;
          node.outputs.forEach((o) => seen.add(o));
        }
        return r.order.length === dag.length;
      }),
    );
  });
});
