/**
 * Formatting helpers shared by the report renderers (terminal, markdown, html, diff): number
 * text, shape text, and which rows of a long edge to show. Pure functions of report values.
 */
import type { JsonNumber, ReportEdge, ReportLayer, Report } from './schema.js';
import { fromJsonNumber } from './schema.js';

/**
 * A report number as short text: '' when absent, 'NaN' / 'inf' / '-inf' for non-finite values,
 * exponent notation for very small or very large magnitudes, else `digits` decimals with
 * trailing zeros removed.
 */
export function fmtNum(x: JsonNumber | undefined | null, digits = 6): string {
  if (x === undefined || x === null) return '';
  const v = fromJsonNumber(x);
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Math.abs(v) !== 0 && (Math.abs(v) < 1e-4 || Math.abs(v) >= 1e6)) return v.toExponential(3);
  return v.toFixed(digits).replace(/\.?0+$/, (m) => (m.startsWith('.') ? '' : m)) || '0';
}

/** `[1,8,8,3]`, or `?` when the shape is unknown. */
export function shapeText(s: number[] | null | undefined): string {
  return s ? `[${s.join(',')}]` : '?';
}

/** Index of the edge's first diverging layer in `edge.layers`, or -1. */
export function firstDivergenceIndex(edge: ReportEdge): number {
  const fd = edge.firstDivergence;
  if (!fd) return -1;
  return edge.layers.findIndex((l) => l.name === fd.name && l.order === fd.order);
}

/**
 * Picks the rows to show for an edge: every layer when there are at most `maxRows`, else the
 * first 5, the rows around the first divergence (5 before, 10 after), cannot-compare rows while
 * room is left, and the last 5. `null` marks a gap (rows left out).
 */
export function pickRows(edge: ReportEdge, maxRows: number): (ReportLayer | null)[] {
  const ls = edge.layers;
  if (ls.length <= maxRows) return ls;
  const keep = new Set<number>();
  const fd = firstDivergenceIndex(edge);
  for (let i = 0; i < 5; i++) keep.add(i);
  for (let i = ls.length - 5; i < ls.length; i++) keep.add(i);
  if (fd >= 0) for (let i = fd - 5; i <= fd + 10; i++) if (i >= 0 && i < ls.length) keep.add(i);
  ls.forEach((l, i) => {
    if (l.status === 'cannot-compare' && keep.size < maxRows) keep.add(i);
  });
  const idx = [...keep].sort((a, b) => a - b);
  const out: (ReportLayer | null)[] = [];
  let prev = -1;
  for (const i of idx) {
    if (i !== prev + 1) out.push(null);
    out.push(ls[i]!);
    prev = i;
  }
  if (prev !== ls.length - 1) out.push(null);
  return out;
}

/** One-line verdict text, the same in every renderer. */
export function verdictText(v: Report['verdict']): string {
  switch (v) {
    case 'parity':
      return 'parity (every edge within thresholds)';
    case 'diverged':
      return 'diverged (a layer is outside the thresholds)';
    case 'inputs-differ':
      return 'inputs differ (the sources were not made from the same input; fix this first, guide §6.2)';
    case 'incomplete':
      return 'incomplete (some layers cannot be compared)';
  }
}

/** Layer names named by findings (culprits), per edge id. */
export function culpritsByEdge(r: Report): Map<string, Set<string>> {
  const m = new Map<string, Set<string>>();
  for (const f of r.findings) {
    if (!f.layer) continue;
    let s = m.get(f.edge);
    if (!s) m.set(f.edge, (s = new Set()));
    s.add(f.layer);
  }
  return m;
}

/** Human text of the first divergence of an edge (one line), or null. */
export function firstDivergenceText(e: ReportEdge): string | null {
  const fd = e.firstDivergence;
  if (!fd) return null;
  const l = e.layers.find((x) => x.name === fd.name && x.order === fd.order) ?? e.layers.find((x) => x.name === fd.name);
  const node = l?.nodeName && l.nodeName !== fd.name ? l.nodeName : undefined;
  let msg = `${fd.name}${node ? ` (node ${node}${l?.opType ? `, ${l.opType}` : ''})` : l?.opType ? ` (${l.opType})` : ''} at #${fd.order}: `;
  if (fd.metric === 'md5') {
    msg += `md5 differs, ${l?.mismatches ?? '?'} of ${l?.count ?? '?'} elements`;
    if (l?.firstMismatch) msg += `, first at n,h,w,c=(${l.firstMismatch.coord.join(',')})`;
  } else if (fd.metric === 'cosine') {
    msg += `cosine ${fmtNum(fd.value as JsonNumber)} < ${fd.threshold}`;
  } else {
    msg += `cannot compare (${String(fd.value)})`;
  }
  return msg;
}
