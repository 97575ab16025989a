/**
 * Alignment: pairs the layers of two DumpSets and says why each pair was made.
 * Order of rules: the input dumps; exact sanitized name; the suffix rules of FORMATS.md §4
 * (`_out`, `_Quantize`/`_QuantizeFeature`, `_0`/`_1`), each only where the stripped key is
 * unambiguous on both sides; then shape + execution order for what is left, between anchors.
 */
import type { DumpEntry, DumpSet } from '../dumps/types.js';
import { ruleKeys, type MatchRule } from './rules.js';

export interface AlignedPair {
  a: DumpEntry;
  b: DumpEntry;
  rule: MatchRule;
}

export interface Alignment {
  pairs: AlignedPair[];
  unmatchedA: DumpEntry[];
  unmatchedB: DumpEntry[];
}

function sameShape(x: number[] | null, y: number[] | null): boolean {
  if (!x || !y || x.length !== y.length) return false;
  return x.every((d, i) => d === y[i]);
}

/** Pairs the entries of `a` and `b`. Pairs come out in `a`'s order. */
export function alignDumpSets(a: DumpSet, b: DumpSet): Alignment {
  const pairs: AlignedPair[] = [];
  const usedA = new Set<DumpEntry>();
  const usedB = new Set<DumpEntry>();
  const take = (x: DumpEntry, y: DumpEntry, rule: MatchRule) => {
    pairs.push({ a: x, b: y, rule });
    usedA.add(x);
    usedB.add(y);
  };

  // 1. inputs
  const inA = a.entries.filter((e) => e.role === 'input');
  const inB = b.entries.filter((e) => e.role === 'input');
  if (inA.length === 1 && inB.length === 1) take(inA[0]!, inB[0]!, 'input');

  // 2. name rules, strictest first; a key must be unique among the still-unmatched on each side
  const nameRules = ruleKeys('x').map((r) => r.rule);
  for (let level = 0; level < nameRules.length; level++) {
    const index = (entries: DumpEntry[], used: Set<DumpEntry>) => {
      const m = new Map<string, DumpEntry[]>();
      for (const e of entries) {
        if (used.has(e) || e.role === 'input') continue;
        const key = ruleKeys(e.name)[level]!.key;
        const list = m.get(key);
        if (list) list.push(e);
        else m.set(key, [e]);
      }
      return m;
    };
    const ia = index(a.entries, usedA);
    const ib = index(b.entries, usedB);
    for (const [key, la] of ia) {
      const lb = ib.get(key);
      if (!lb || la.length !== 1 || lb.length !== 1) continue;
      take(la[0]!, lb[0]!, nameRules[level]!);
    }
  }

  // 3. shape + order between anchors (anchors: pairs already made, in a's order)
  const posA = new Map(a.entries.map((e, i) => [e, i]));
  const posB = new Map(b.entries.map((e, i) => [e, i]));
  const anchors = pairs
    .map((p) => [posA.get(p.a)!, posB.get(p.b)!] as const)
    .filter(([, pb]) => pb !== undefined)
    .sort((x, y) => x[0] - y[0]);
  // keep only anchors monotone in b (a longest increasing run would be nicer; crossings are rare)
  const mono: (readonly [number, number])[] = [];
  for (const an of anchors) if (mono.length === 0 || an[1] > mono[mono.length - 1]![1]) mono.push(an);
  const bounds = [[-1, -1] as const, ...mono, [a.entries.length, b.entries.length] as const];
  for (let g = 0; g + 1 < bounds.length; g++) {
    const [a0, b0] = bounds[g]!;
    const [a1, b1] = bounds[g + 1]!;
    // only entries that can be compared take part: a missing or broken file is never paired by shape
    const free = (used: Set<DumpEntry>) => (e: DumpEntry) => !used.has(e) && e.shape !== null && !e.problem && e.role !== 'input';
    const gapA = a.entries.slice(a0 + 1, a1).filter(free(usedA));
    const gapB = b.entries.slice(b0 + 1, b1).filter(free(usedB));
    let j = 0;
    for (const ea of gapA) {
      for (let k = j; k < gapB.length; k++) {
        if (sameShape(ea.shape, gapB[k]!.shape)) {
          take(ea, gapB[k]!, 'shape+order');
          j = k + 1;
          break;
        }
      }
    }
  }

  pairs.sort((x, y) => posA.get(x.a)! - posA.get(y.a)!);
  return {
    pairs,
    unmatchedA: a.entries.filter((e) => !usedA.has(e)),
    unmatchedB: b.entries.filter((e) => !usedB.has(e)),
  };
}
