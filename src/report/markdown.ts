/**
 * Markdown rendering of report.json, for tickets (GitHub/GitLab-flavoured tables). Reads report
 * values only, never computes metrics. Deterministic: the only time-dependent text comes from
 * `report.meta` and sits in the last section ("Run"), apart from the comparable content.
 */
import { sensitivityLine, verifiedNote, verifiedRows } from './verified-text.js';
import type { Report, ReportEdge, ReportLayer, Finding, JsonNumber } from './schema.js';
import { REPORT_SCHEMA_VERSION } from './schema.js';
import { fmtNum, shapeText, pickRows, verdictText, culpritsByEdge, firstDivergenceText } from './format.js';

export interface MarkdownOptions {
  /** Most layer rows per edge table before head / around-divergence / tail selection (default 200). */
  maxRows?: number;
}

/** Text for a table cell: no newlines, `|` escaped. */
function cell(s: string): string {
  return s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

/** Inline code: backticks in the text become `'` (a code span cannot hold them safely in a table). */
function code(s: string): string {
  return `\`${cell(s.replace(/`/g, "'"))}\``;
}

/** Plain text with markdown's active characters escaped. */
function esc(s: string): string {
  return cell(s.replace(/([\\`*_[\]<>#])/g, '\\$1'));
}

function table(head: string[], rows: string[][]): string[] {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)];
}

function valueText(v: unknown): string {
  if (typeof v === 'number') return fmtNum(v);
  if (typeof v === 'string') return v === 'Infinity' || v === '-Infinity' || v === 'NaN' ? fmtNum(v as JsonNumber) : v;
  return JSON.stringify(v);
}

function recommendation(r: string): string {
  const t = r.trim();
  return /^[{["]/.test(t) ? code(t) : esc(t);
}

function findingLines(f: Finding): string[] {
  const out = [`### [${esc(f.code)}] ${esc(f.message)}`, ''];
  out.push(`- edge: ${code(f.edge)}${f.layer ? `, layer: ${code(f.layer)}` : ''}`);
  if (f.evidence && Object.keys(f.evidence).length) {
    out.push('', '**Evidence**', '', ...table(['what', 'value'], Object.entries(f.evidence).map(([k, v]) => [esc(k), code(valueText(v))])));
  }
  if (f.recommendations?.length) out.push('', '**Recommendations**', '', ...f.recommendations.map((r, i) => `${i + 1}. ${recommendation(r)}`));
  const rows = verifiedRows(f);
  if (rows.length) {
    out.push('', '**Verified fixes** (reference re-run, ranked by final cosine)', '', ...table(['#', 'fix', 'final cosine', 'culprit cosine', 'apply'], rows.map((v) => [String(v.rank), esc(v.fix), v.final, v.culprit, v.apply ? code(v.apply) : ''])));
  }
  const sens = sensitivityLine(f);
  if (sens) out.push('', esc(sens));
  const note = verifiedNote(f);
  if (note) out.push('', `_${esc(note)}_`);
  out.push('');
  return out;
}

function layerRow(e: ReportEdge, l: ReportLayer, culprits: Set<string> | undefined): string[] {
  const first = e.firstDivergence !== null && l.name === e.firstDivergence.name && l.order === e.firstDivergence.order;
  const tags = [first ? '**FIRST DIVERGENCE**' : '', culprits?.has(l.name) ? '**culprit**' : ''].filter(Boolean).join(' ');
  const status = `${l.status}${tags ? ` ${tags}` : ''}`;
  const name = first ? `**${code(l.name)}**` : code(l.name);
  const common = [String(l.order), name, l.opType ? esc(l.opType) : '', shapeText(l.shape), l.rule];
  const md5 = l.md5Equal === null ? '?' : l.md5Equal ? 'equal' : 'differs';
  const gain = l.errorGain !== undefined ? fmtNum(l.errorGain, 3) : '';
  if (e.kind === 'integer') return [...common, md5, l.mismatches === undefined ? '' : String(l.mismatches), fmtNum(l.maxAbs), status];
  const single = e.layers.some((x) => x.single) ? [l.single ? fmtNum(l.single.cosine) : ''] : [];
  return [...common, fmtNum(l.cosine), ...single, fmtNum(l.sqnrDb, 2), fmtNum(l.maxAbs), gain, status];
}

function edgeLines(e: ReportEdge, culprits: Set<string> | undefined, maxRows: number): string[] {
  const s = e.summary;
  const out = [`### Edge ${code(e.id)} (${e.kind})`, ''];
  out.push(
    `${s.layers} layers: ${s.ok} ok, ${s.diverged} diverged, ${s.cannotCompare} cannot compare, ${s.md5Equal} md5-equal; lowest cosine ${s.minCosine === null ? 'n/a' : fmtNum(s.minCosine)}`,
    '',
  );
  const fd = firstDivergenceText(e);
  out.push(fd ? `**First divergence:** ${esc(fd)}` : '**No divergence on this edge.**', '');
  const rows = pickRows(e, maxRows);
  const head =
    e.kind === 'integer'
      ? ['#', 'layer', 'op', 'shape', 'rule', 'md5', 'mismatches', 'max abs diff', 'status']
      : ['#', 'layer', 'op', 'shape', 'rule', 'cosine', ...(e.layers.some((x) => x.single) ? ['single-layer cosine'] : []), 'SQNR dB', 'max abs diff', 'error gain', 'status'];
  const body = rows.map((l) => (l ? layerRow(e, l, culprits) : head.map((_, i) => (i === 1 ? '…' : ''))));
  if (rows.length === 0) out.push('_No matched layers._');
  else out.push(...table(head, body));
  const shown = rows.filter((r) => r !== null).length;
  if (shown < e.layers.length) {
    out.push('', `> Note: ${shown} of ${e.layers.length} layers shown (the first 5, those around the first divergence, cannot-compare layers, the last 5; "…" marks left-out rows). Every layer is in report.html and report.json.`);
  }
  const cc = e.layers.filter((l) => l.status === 'cannot-compare');
  if (cc.length) {
    out.push('', '**Cannot compare**', '', ...cc.slice(0, 20).map((l) => `- ${code(l.name)}: ${esc(l.reason ?? 'unknown reason')}`));
    if (cc.length > 20) out.push(`- … and ${cc.length - 20} more`);
  }
  if (e.unmatched.a.length || e.unmatched.b.length) {
    out.push('', '**Unmatched layers**', '');
    const list = (xs: string[]) => (xs.length ? xs.slice(0, 30).map(code).join(', ') + (xs.length > 30 ? `, … (${xs.length - 30} more)` : '') : 'none');
    out.push(`- only in ${code(e.a)} (${e.unmatched.a.length}): ${list(e.unmatched.a)}`, `- only in ${code(e.b)} (${e.unmatched.b.length}): ${list(e.unmatched.b)}`);
  }
  out.push('');
  return out;
}

/** Renders a report as Markdown (for tickets). Same report → same text. */
export function renderMarkdown(r: Report, o: MarkdownOptions = {}): string {
  const maxRows = o.maxRows ?? 200;
  const out: string[] = [`# ${esc(r.tool.name)} report`, ''];
  out.push(`**Verdict: ${r.verdict}** — ${esc(verdictText(r.verdict))}`, '');
  out.push(`- tool: ${code(`${r.tool.name} ${r.tool.version}`)}, report.json schema v${REPORT_SCHEMA_VERSION}`);
  out.push(r.model ? `- model: ${code(r.model.file)} (md5 ${code(r.model.md5)})` : '- model: not given (layer order is execution order; no node names from the graph)');
  out.push(`- thresholds: float edges diverge below cosine ${r.thresholds.cosine}; integer edges diverge on any md5 difference`);
  out.push(`- edges: ${r.edges.length ? r.edges.map((e) => `${code(e.id)} ${e.firstDivergence ? 'diverged' : e.summary.cannotCompare ? 'incomplete' : 'ok'}`).join(', ') : 'none'}`, '');

  out.push('## Inputs check', '');
  const inp = r.inputs;
  out.push(
    inp.consistent === false
      ? '**The inputs differ — fix this first (guide §6.2): every source must be made from the same input_uint8.bin.**'
      : inp.consistent
        ? `Inputs identical${inp.reference ? ` to ${code(inp.reference.file)} (md5 ${code(inp.reference.md5)})` : ''}.`
        : 'Inputs not checked (no input dumps found; pass `--input input_uint8.bin`).',
    '',
  );
  if (inp.checks.length) {
    out.push(
      ...table(
        ['source', 'file', 'md5', 'equal', 'channels', 'note'],
        inp.checks.map((c) => [c.source, c.file ? code(c.file) : '-', c.md5 ? code(c.md5) : '-', c.equal === null ? 'n/a' : c.equal ? 'yes' : '**NO**', c.channels === null ? '' : String(c.channels), esc(c.note ?? '')]),
      ),
      '',
    );
  }

  out.push('## Findings', '');
  if (r.findings.length) for (const f of r.findings) out.push(...findingLines(f));
  else out.push('No findings.', '');

  out.push('## Edges', '');
  const culprits = culpritsByEdge(r);
  if (!r.edges.length) out.push('No edges (fewer than two sources).', '');
  for (const e of r.edges) out.push(...edgeLines(e, culprits.get(e.id), maxRows));

  out.push('## Thresholds', '', ...table(['threshold', 'value', 'meaning'], [['cosine', String(r.thresholds.cosine), 'a float-edge layer below this cosine has diverged (guide §8: 0.99)']]), '');

  out.push('## Sources', '');
  out.push(
    ...table(
      ['source', 'folder kind', 'root', 'log', 'entries', 'ignored files', 'warnings'],
      r.sources.map((s) => [s.id, s.folderKind, code(s.root), s.log ? code(s.log) : '-', String(s.entries), String(s.ignored.length), String(s.warnings.length)]),
    ),
    '',
  );
  const warns = r.sources.flatMap((s) => s.warnings.map((w) => `- ${s.id}: ${esc(w)}`));
  if (warns.length) out.push('**Warnings**', '', ...warns.slice(0, 50), ...(warns.length > 50 ? [`- … and ${warns.length - 50} more`] : []), '');

  out.push('---', '', '## Run', '', `- created: ${esc(r.meta.createdAt)}`, `- command: ${code(['magik-parity', ...r.meta.command].join(' '))}`, `- elapsed: ${r.meta.elapsedMs} ms`, '');
  return out.join('\n');
}
