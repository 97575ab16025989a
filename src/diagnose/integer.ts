/**
 * Integer edges (ptq~pc, ptq~board, pc~board): the first layer in graph order whose md5 differs,
 * its mismatch count, and where the mismatches cluster (channels, rows) — TRIAGE.md, phenomenon D.
 */
import type { ReportEdge, ReportLayer } from '../report/schema.js';
import type { ThresholdProfile } from './thresholds.js';

/** Where one axis' mismatches sit. */
export interface Cluster {
  axis: 'channel' | 'row';
  /** Positions holding at least `share` of the mismatches, ascending (the smallest such set). */
  positions: number[];
  /** Compact text of `positions`, e.g. "12-15, 40". */
  ranges: string;
  /** Mismatches in `positions` / all mismatches, in [0, 1]. */
  share: number;
  /** Positions on this axis (channels or rows). */
  of: number;
  /** Positions with at least one mismatch. */
  touched: number;
  /** True when `positions` is at most clusterMaxFraction of the axis. */
  clustered: boolean;
}

export interface IntegerView {
  edge: ReportEdge;
  /** Layers whose md5 is known on both sides. */
  checked: number;
  /** Layers whose md5 differs, graph order. */
  differing: ReportLayer[];
  /** The first of them. */
  first: ReportLayer | null;
  channels: Cluster | null;
  rows: Cluster | null;
  /** Layers that could not be compared (md5 unknown or only md5 known). */
  cannotCompare: ReportLayer[];
}

/** "3-5, 9, 12-15" from ascending integers. */
export function rangesText(xs: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < xs.length; ) {
    let j = i;
    while (j + 1 < xs.length && xs[j + 1] === xs[j]! + 1) j++;
    parts.push(j === i ? String(xs[i]) : `${xs[i]}-${xs[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/**
 * The smallest set of positions holding at least `share` of the counts (largest counts first,
 * ties by position), reported ascending. null when there are no mismatches.
 */
export function clusterOf(counts: readonly number[] | undefined, axis: Cluster['axis'], p: ThresholdProfile): Cluster | null {
  if (!counts || counts.length === 0) return null;
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const order = counts.map((c, i) => [c, i] as const).filter(([c]) => c > 0).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const picked: number[] = [];
  let sum = 0;
  for (const [c, i] of order) {
    if (sum / total >= p.clusterShare) break;
    picked.push(i);
    sum += c;
  }
  picked.sort((a, b) => a - b);
  return {
    axis,
    positions: picked,
    ranges: rangesText(picked),
    share: sum / total,
    of: counts.length,
    touched: order.length,
    clustered: picked.length <= Math.max(1, Math.floor(counts.length * p.clusterMaxFraction)) && picked.length < counts.length,
  };
}

/** One line about a cluster, e.g. "87% of mismatches in channels 12-15 (4 of 64)". */
export function clusterText(c: Cluster): string {
  const pct = `${Math.round(c.share * 100)}%`;
  const what = c.axis === 'channel' ? 'channels' : 'rows';
  if (c.clustered) return `${pct} of mismatches in ${what} ${c.ranges} (${c.positions.length} of ${c.of})`;
  return `spread over ${c.touched} of ${c.of} ${what}`;
}

/** Builds the view of an integer edge. */
export function integerView(edge: ReportEdge, p: ThresholdProfile): IntegerView {
  // A damaged reference-side file (e.g. the vendor PC program's 0-byte crash dump) differs from the
  // board's by md5 but says nothing about the chip: only layers whose reference file is sound count.
  const differing = edge.layers.filter((l) => l.md5Equal === false && l.problemSide !== 'a' && l.problemSide !== 'both');
  const first = differing[0] ?? null;
  return {
    edge,
    checked: edge.layers.filter((l) => l.md5Equal !== null).length,
    differing,
    first,
    channels: first ? clusterOf(first.mismatchesPerChannel, 'channel', p) : null,
    rows: first ? clusterOf(first.mismatchesPerRow, 'row', p) : null,
    cannotCompare: edge.layers.filter((l) => l.status === 'cannot-compare'),
  };
}
