/**
 * Stable topological sort of graph nodes (Kahn's algorithm, A. B. Kahn, "Topological sorting of
 * large networks", CACM 1962) with a min-heap on file position: among the nodes that are ready,
 * the one earliest in the file goes first, so a file that is already sorted keeps its order.
 */

/** One node as the sort sees it. */
export interface SortNode {
  name: string;
  inputs: readonly string[];
  outputs: readonly string[];
}

export type SortResult = { ok: true; order: number[] } | { ok: false; cycle: string[]; stuck: string[] };

class MinHeap {
  private a: number[] = [];
  get size(): number {
    return this.a.length;
  }
  push(v: number): void {
    const a = this.a;
    a.push(v);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= v) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = v;
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        let mv = last;
        if (l < a.length && a[l]! < mv) {
          m = l;
          mv = a[l]!;
        }
        if (r < a.length && a[r]! < mv) m = r;
        if (m === i) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

/**
 * Sorts `nodes` (given in file order). Tensors not produced by any node (graph inputs,
 * initializers, '' for omitted optional inputs) are available from the start. Returns the file
 * indices in topological order, or, for a cyclic graph, the names of the nodes on one cycle and
 * of every node that could not be placed.
 */
export function topoSort(nodes: readonly SortNode[]): SortResult {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const indeg = new Array<number>(nodes.length).fill(0);
  const succ: number[][] = nodes.map(() => []);
  nodes.forEach((n, i) => {
    const seen = new Set<number>();
    for (const t of n.inputs) {
      const p = t ? producer.get(t) : undefined;
      if (p === undefined || seen.has(p)) continue;
      seen.add(p);
      succ[p]!.push(i);
      indeg[i]!++;
    }
  });
  const heap = new MinHeap();
  indeg.forEach((d, i) => d === 0 && heap.push(i));
  const order: number[] = [];
  while (heap.size > 0) {
    const i = heap.pop();
    order.push(i);
    for (const s of succ[i]!) if (--indeg[s]! === 0) heap.push(s);
  }
  if (order.length === nodes.length) return { ok: true, order };
  const stuckIdx = indeg.map((d, i) => (d > 0 ? i : -1)).filter((i) => i >= 0);
  return { ok: false, cycle: findCycle(nodes, stuckIdx, producer).map((i) => nodes[i]!.name), stuck: stuckIdx.map((i) => nodes[i]!.name) };
}

/** Walks producer links backwards from a stuck node until a node repeats: that loop is a cycle. */
function findCycle(nodes: readonly SortNode[], stuck: number[], producer: Map<string, number>): number[] {
  const stuckSet = new Set(stuck);
  const pos = new Map<number, number>();
  const path: number[] = [];
  let cur = stuck[0]!;
  while (!pos.has(cur)) {
    pos.set(cur, path.length);
    path.push(cur);
    // Every stuck node has at least one input produced by another stuck node.
    const next = nodes[cur]!.inputs.map((t) => (t ? producer.get(t) : undefined)).find((p) => p !== undefined && stuckSet.has(p));
    if (next === undefined) return path;
    cur = next;
  }
  return path.slice(pos.get(cur)!).reverse();
}
