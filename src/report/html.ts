/**
 * The self-contained HTML report: one file, no network (a Content-Security-Policy forbids any
 * fetch), inline CSS and script, the plot pre-rendered as SVG, and the whole report.json embedded
 * in `<script type="application/json" id="report-data">`. Works when opened from file://.
 * Reads report values only, never computes metrics. Same report → same HTML.
 */
import { sensitivityLine, verifiedNote, verifiedRows } from './verified-text.js';
import type { Report, Finding, ReportEdge } from './schema.js';
import { REPORT_SCHEMA_VERSION } from './schema.js';
import { fmtNum, verdictText, culpritsByEdge, firstDivergenceText, firstDivergenceIndex } from './format.js';
import { escHtml, jsonForScript } from './html-escape.js';
import { renderPlotSvg, EDGE_COLORS } from './html-plot.js';
import { renderLayerTable, rowId } from './html-table.js';
import { HTML_CSS, HTML_SCRIPT } from './html-assets.js';

/** No fetch of any kind; only the inline style and script of this file. */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

function evidenceValue(v: unknown): string {
  if (typeof v === 'number' || v === 'Infinity' || v === '-Infinity' || v === 'NaN') return fmtNum(v as number);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function layerLink(r: Report, f: Finding): string {
  if (!f.layer) return '';
  const ei = r.edges.findIndex((e) => e.id === f.edge);
  const li = ei >= 0 ? r.edges[ei]!.layers.findIndex((l) => l.name === f.layer) : -1;
  const text = `<code>${escHtml(f.layer)}</code>`;
  return li >= 0 ? `<a href="#${rowId(ei, li)}">${text}</a>` : text;
}

function renderFinding(r: Report, f: Finding): string {
  const out = [`<div class="finding code-${escHtml(f.code)}"><div><span class="code">[${escHtml(f.code)}]</span>${escHtml(f.message)}</div>`];
  out.push(`<div class="muted">edge <code>${escHtml(f.edge)}</code>${f.layer ? `, layer ${layerLink(r, f)}` : ''}</div>`);
  if (f.evidence && Object.keys(f.evidence).length) {
    out.push('<table class="evidence"><tr><th>evidence</th><th>value</th></tr>');
    for (const [k, v] of Object.entries(f.evidence)) out.push(`<tr><td>${escHtml(k)}</td><td class="mono">${escHtml(evidenceValue(v))}</td></tr>`);
    out.push('</table>');
  }
  if (f.recommendations?.length) out.push(`<div><b>Recommendations</b></div><ol>${f.recommendations.map((x) => `<li><code>${escHtml(x)}</code></li>`).join('')}</ol>`);
  const rows = verifiedRows(f);
  if (rows.length) {
    out.push('<div><b>Verified fixes</b> (reference re-run, ranked by final cosine)</div><table class="evidence verified"><tr><th>#</th><th>fix</th><th>final cosine</th><th>culprit cosine</th><th>apply</th></tr>');
    for (const v of rows) out.push(`<tr><td>${v.rank}</td><td>${escHtml(v.fix)}</td><td class="mono">${escHtml(v.final)}</td><td class="mono">${escHtml(v.culprit)}</td><td><code>${escHtml(v.apply)}</code></td></tr>`);
    out.push('</table>');
  }
  const sens = sensitivityLine(f);
  if (sens) out.push(`<div>${escHtml(sens)}</div>`);
  const note = verifiedNote(f);
  if (note) out.push(`<div class="muted">${escHtml(note)}</div>`);
  out.push('</div>');
  return out.join('');
}

function renderInputs(r: Report): string {
  const inp = r.inputs;
  const out: string[] = ['<h2 id="inputs">Inputs check</h2>'];
  if (inp.consistent === false) out.push('<p class="banner">The inputs differ — fix this first (guide §6.2): every source must be made from the same input_uint8.bin.</p>');
  else if (inp.consistent) out.push(`<p class="st-ok">Inputs identical${inp.reference ? ` to <code>${escHtml(inp.reference.file)}</code> (md5 <code>${escHtml(inp.reference.md5)}</code>)` : ''}.</p>`);
  else out.push('<p class="st-cannot-compare">Inputs not checked (no input dumps found; pass <code>--input input_uint8.bin</code>).</p>');
  if (inp.checks.length) {
    out.push('<table><tr><th>source</th><th>file</th><th>md5</th><th>equal</th><th>channels</th><th>note</th></tr>');
    for (const c of inp.checks) {
      const eq = c.equal === null ? '<span class="st-cannot-compare">n/a</span>' : c.equal ? '<span class="st-ok">same</span>' : '<span class="st-diverged">DIFFERS</span>';
      out.push(`<tr><td>${escHtml(c.source)}</td><td><code>${escHtml(c.file ?? '-')}</code></td><td><code>${escHtml(c.md5 ?? '-')}</code></td><td>${eq}</td><td>${c.channels ?? ''}</td><td>${escHtml(c.note ?? '')}</td></tr>`);
    }
    out.push('</table>');
  }
  return out.join('\n');
}

function renderEdge(r: Report, e: ReportEdge, ei: number, culprits: Set<string> | undefined): string {
  const s = e.summary;
  const color = EDGE_COLORS[ei % EDGE_COLORS.length]!;
  const out = [`<section class="edge" id="edge-${ei}"><h3><span style="color:${color}">■</span> <code>${escHtml(e.id)}</code> <span class="muted">(${e.kind})</span></h3>`];
  out.push(`<p>${s.layers} layers: ${s.ok} ok, ${s.diverged} diverged, ${s.cannotCompare} cannot compare, ${s.md5Equal} md5-equal; lowest cosine ${s.minCosine === null ? 'n/a' : escHtml(fmtNum(s.minCosine))}</p>`);
  const fd = firstDivergenceText(e);
  const fi = firstDivergenceIndex(e);
  out.push(fd ? `<p class="st-diverged">First divergence: ${fi >= 0 ? `<a href="#${rowId(ei, fi)}">${escHtml(fd)}</a>` : escHtml(fd)}</p>` : '<p class="st-ok">No divergence on this edge.</p>');
  if (e.unmatched.a.length || e.unmatched.b.length) {
    const list = (xs: string[]) => (xs.length ? xs.slice(0, 50).map((x) => `<code>${escHtml(x)}</code>`).join(', ') + (xs.length > 50 ? `, … (${xs.length - 50} more)` : '') : 'none');
    out.push(`<details class="unmatched"><summary>Unmatched layers: ${e.unmatched.a.length} only in ${escHtml(e.a)}, ${e.unmatched.b.length} only in ${escHtml(e.b)}</summary><p>only in ${escHtml(e.a)}: ${list(e.unmatched.a)}</p><p>only in ${escHtml(e.b)}: ${list(e.unmatched.b)}</p></details>`);
  }
  out.push(e.layers.length ? renderLayerTable(e, ei, culprits) : '<p class="muted">No matched layers.</p>');
  out.push('</section>');
  return out.join('\n');
}

/** Renders a report as one self-contained HTML page. */
export function renderHtml(r: Report): string {
  const culprits = culpritsByEdge(r);
  const title = `${r.tool.name} report — ${r.verdict}`;
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escHtml(title)}</title>`,
    `<style>${HTML_CSS}</style></head><body><main>`,
    `<h1>${escHtml(r.tool.name)} report</h1>`,
    `<p><span class="verdict ${r.verdict}" id="verdict">verdict: ${escHtml(r.verdict)}</span> <span>${escHtml(verdictText(r.verdict))}</span></p>`,
    `<p class="meta-line">tool <code>${escHtml(`${r.tool.name} ${r.tool.version}`)}</code> · report.json schema v${REPORT_SCHEMA_VERSION} · ${r.model ? `model <code>${escHtml(r.model.file)}</code> (md5 <code>${escHtml(r.model.md5)}</code>)` : 'no model given (execution order)'}</p>`,
    `<p class="meta-line">edges: ${r.edges.map((e, i) => `<a href="#edge-${i}"><code>${escHtml(e.id)}</code></a> ${e.firstDivergence ? '<span class="st-diverged">diverged</span>' : e.summary.cannotCompare ? '<span class="st-cannot-compare">incomplete</span>' : '<span class="st-ok">ok</span>'}`).join(' · ') || 'none'}</p>`,
    renderInputs(r),
    '<h2 id="plot">Per-layer metrics</h2>',
    r.edges.some((e) => e.layers.length) ? `<div class="plot-wrap">${renderPlotSvg(r)}</div>` : '<p class="muted">No layers to plot.</p>',
    '<h2 id="findings">Findings</h2>',
    r.findings.length ? r.findings.map((f) => renderFinding(r, f)).join('\n') : '<p>No findings.</p>',
    '<h2 id="edges">Layers by edge</h2>',
    '<p class="muted">Click a column header to sort (again to reverse); type in the filter box or pick a status to hide rows.</p>',
    ...r.edges.map((e, i) => renderEdge(r, e, i, culprits.get(e.id))),
    '<h2 id="thresholds">Thresholds</h2>',
    `<table><tr><th>threshold</th><th>value</th><th>meaning</th></tr><tr><td>cosine</td><td class="num">${r.thresholds.cosine}</td><td>a float-edge layer below this cosine has diverged (guide §8: 0.99); integer edges diverge on any md5 difference</td></tr></table>`,
    '<h2 id="sources">Sources</h2>',
    '<table><tr><th>source</th><th>folder kind</th><th>root</th><th>log</th><th>entries</th><th>ignored files</th><th>warnings</th></tr>',
    ...r.sources.map((s) => `<tr><td>${escHtml(s.id)}</td><td>${escHtml(s.folderKind)}</td><td><code>${escHtml(s.root)}</code></td><td>${s.log ? `<code>${escHtml(s.log)}</code>` : '-'}</td><td class="num">${s.entries}</td><td class="num">${s.ignored.length}</td><td>${s.warnings.length ? `<details><summary>${s.warnings.length}</summary>${s.warnings.map((w) => `<div>${escHtml(w)}</div>`).join('')}</details>` : '0'}</td></tr>`),
    '</table>',
    `<footer>created ${escHtml(r.meta.createdAt)} · command <code>${escHtml(['magik-parity', ...r.meta.command].join(' '))}</code> · ${r.meta.elapsedMs} ms</footer>`,
    `</main><script type="application/json" id="report-data">${jsonForScript(r)}</script>`,
    `<script>${HTML_SCRIPT}</script></body></html>`,
    '',
  ];
  return out.join('\n');
}
