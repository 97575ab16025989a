/**
 * The HTML report's per-edge layer table: every layer, one row each, with sort keys in `data-v`
 * attributes (read by the page script) and a text/status filter above it. Report values only.
 */
import type { ReportEdge, ReportLayer, JsonNumber } from './schema.js';
import { fromJsonNumber } from './schema.js';
import { fmtNum, shapeText } from './format.js';
import { escHtml } from './html-escape.js';

interface Column {
  head: string;
  type: 'num' | 'str';
  title: string;
  /** Sort key (text, or a number as text; '' sorts last) and the shown HTML. */
  cell: (l: ReportLayer, e: ReportEdge) => { v: string; html: string; cls?: string };
}

function numCell(x: JsonNumber | undefined, digits = 6): { v: string; html: string; cls: string } {
  if (x === undefined) return { v: '', html: '', cls: 'num' };
  const v = fromJsonNumber(x);
  return { v: Number.isNaN(v) ? '' : String(v), html: escHtml(fmtNum(x, digits)), cls: 'num' };
}

function isFirst(e: ReportEdge, l: ReportLayer): boolean {
  return e.firstDivergence !== null && e.firstDivergence.name === l.name && e.firstDivergence.order === l.order;
}

const COLUMNS: Column[] = [
  { head: '#', type: 'num', title: 'position along layer order', cell: (l) => ({ v: String(l.order), html: String(l.order), cls: 'num' }) },
  { head: 'layer', type: 'str', title: 'tensor name (node name below when known)', cell: (l) => ({ v: l.name, html: `<code>${escHtml(l.name)}</code>${l.nodeName && l.nodeName !== l.name ? `<br><span class="muted">node ${escHtml(l.nodeName)}</span>` : ''}`, cls: 'name' }) },
  { head: 'op', type: 'str', title: 'operator type', cell: (l) => ({ v: l.opType ?? '', html: escHtml(l.opType ?? '') }) },
  { head: 'shape', type: 'str', title: 'logical shape (NHWC for 4-D)', cell: (l) => ({ v: shapeText(l.shape), html: escHtml(shapeText(l.shape)) }) },
  { head: 'rule', type: 'str', title: 'the name rule that paired the two dumps', cell: (l) => ({ v: l.rule, html: escHtml(l.rule) }) },
  { head: 'cosine', type: 'num', title: 'cosine similarity (1 = identical direction)', cell: (l) => numCell(l.cosine) },
  { head: 'SQNR dB', type: 'num', title: 'signal-to-quantization-noise ratio in dB', cell: (l) => numCell(l.sqnrDb, 2) },
  { head: 'max |Δ|', type: 'num', title: 'largest absolute difference', cell: (l) => numCell(l.maxAbs) },
  { head: 'mismatches', type: 'num', title: 'elements whose integer values differ (integer edges)', cell: (l) => (l.mismatches === undefined ? { v: '', html: '', cls: 'num' } : { v: String(l.mismatches), html: String(l.mismatches), cls: 'num' }) },
  { head: 'md5', type: 'str', title: 'file contents byte-identical', cell: (l) => { const t = l.md5Equal === null ? '?' : l.md5Equal ? 'equal' : 'differs'; return { v: t, html: t }; } },
  { head: 'single', type: 'num', title: 'single-layer cosine: this layer alone on the float inputs (reference re-run; empty when not measured)', cell: (l) => (l.single ? numCell(l.single.cosine) : { v: '', html: '', cls: 'num' }) },
  { head: 'error gain', type: 'num', title: 'this layer’s error over its inputs’ largest error (METRICS.md)', cell: (l) => numCell(l.errorGain, 3) },
  {
    head: 'status',
    type: 'str',
    title: 'ok / diverged / cannot compare',
    cell: (l, e) => ({ v: l.status, html: `<span class="st-${l.status}">${isFirst(e, l) ? 'FIRST DIVERGENCE' : escHtml(l.status)}</span>${l.reason ? `<br><span class="muted">${escHtml(l.reason)}</span>` : ''}` }),
  },
];

/** Row id of a layer, for links from findings and the first-divergence line. */
export function rowId(edgeIndex: number, layerIndex: number): string {
  return `row-${edgeIndex}-${layerIndex}`;
}

/** The filter controls and the sortable table of one edge. */
export function renderLayerTable(e: ReportEdge, edgeIndex: number, culprits: Set<string> | undefined): string {
  const tid = `layers-${edgeIndex}`;
  const out: string[] = [];
  out.push(
    `<div class="filters" data-for="${tid}"><label>filter <input type="search" placeholder="layer, node or op name" aria-label="filter ${escHtml(e.id)} layers by name"></label>`,
    `<label>status <select aria-label="filter ${escHtml(e.id)} layers by status"><option value="all">all</option><option value="ok">ok</option><option value="diverged">diverged</option><option value="cannot-compare">cannot compare</option></select></label>`,
    `<span class="count">${e.layers.length} of ${e.layers.length} layers shown</span></div>`,
  );
  out.push(`<div class="table-wrap"><table class="layers" id="${tid}" data-edge="${escHtml(e.id)}"><thead><tr>`);
  for (const c of COLUMNS) out.push(`<th data-type="${c.type}" title="${escHtml(c.title)}">${escHtml(c.head)}</th>`);
  out.push('</tr></thead><tbody>');
  e.layers.forEach((l, i) => {
    const cls = [l.status, isFirst(e, l) ? 'first' : '', culprits?.has(l.name) ? 'culprit' : ''].filter(Boolean).join(' ');
    const search = [l.name, l.nodeName ?? '', l.opType ?? '', l.a.name, l.b.name].join(' ').toLowerCase();
    out.push(`<tr id="${rowId(edgeIndex, i)}" class="${cls}" data-i="${i}" data-status="${l.status}" data-search="${escHtml(search)}">`);
    for (const c of COLUMNS) {
      const x = c.cell(l, e);
      out.push(`<td${x.cls ? ` class="${x.cls}"` : ''} data-v="${escHtml(x.v)}">${x.html}</td>`);
    }
    out.push('</tr>');
  });
  out.push('</tbody></table></div>');
  return out.join('');
}
