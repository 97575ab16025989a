/**
 * Terminal rendering of a report: input check first, then one table per edge and the verdict.
 * Reads report.json values only (never computes metrics). Colour via chalk; honours NO_COLOR.
 */
import { sensitivityLine, verifiedNote, verifiedRows } from './verified-text.js';
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import type { Report, JsonNumber } from './schema.js';
import { fmtNum as fmt, shapeText, pickRows } from './format.js';

export interface TerminalOptions {
  color?: boolean;
  /** Rows per edge table: all, or only the interesting ones (default: 40 around divergence). */
  maxRows?: number;
}

/** Colour only on a terminal, never with NO_COLOR; FORCE_COLOR forces it. */
export function colorLevel(wanted?: boolean): 0 | 1 {
  if (wanted === false || (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '')) return 0;
  if (wanted === true || (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0')) return 1;
  return process.stdout.isTTY ? 1 : 0;
}

export function renderTerminal(r: Report, o: TerminalOptions = {}): string {
  const c = new Chalk({ level: colorLevel(o.color) });
  const lines: string[] = [];
  // 1. inputs
  const inp = r.inputs;
  if (inp.consistent === false) lines.push(c.red.bold('INPUTS DIFFER — fix this first (guide §6.2): every source must be made from the same input_uint8.bin'));
  else if (inp.consistent) lines.push(c.green(`inputs: identical${inp.reference ? ` to ${inp.reference.file} (md5 ${inp.reference.md5})` : ''}`));
  else lines.push(c.yellow('inputs: not checked (no input dumps found; pass --input input_uint8.bin)'));
  for (const ch of inp.checks) {
    const mark = ch.equal === true ? c.green('same') : ch.equal === false ? c.red('DIFFERS') : c.yellow('n/a');
    lines.push(`  ${ch.source.padEnd(6)} ${mark}  ${ch.file ?? '-'}${ch.note ? `  (${ch.note})` : ''}`);
  }
  lines.push('');
  // 2. edges
  for (const e of r.edges) {
    const s = e.summary;
    const head = `${e.id}  (${e.kind}; ${s.layers} layers: ${s.ok} ok, ${s.diverged} diverged, ${s.cannotCompare} cannot compare${e.kind === 'integer' ? `, ${s.md5Equal} md5-equal` : ''})`;
    lines.push(c.bold(head));
    const integer = e.kind === 'integer';
    const t = new Table({
      head: integer ? ['#', 'layer', 'op', 'shape', 'rule', 'md5', 'mismatches', 'max|Δ|', 'status'] : ['#', 'layer', 'op', 'shape', 'rule', 'cosine', 'SQNR dB', 'max|Δ|', 'status'],
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
    });
    for (const l of pickRows(e, o.maxRows ?? 40)) {
      if (!l) {
        t.push(['…', '', '', '', '', '', '', '', '']);
        continue;
      }
      const isFirst = e.firstDivergence && l.name === e.firstDivergence.name;
      const st = l.status === 'ok' ? c.green('ok') : l.status === 'diverged' ? c.red(isFirst ? 'FIRST DIVERGENCE' : 'diverged') : c.yellow('cannot compare');
      const name = l.name.length > 40 ? `…${l.name.slice(-39)}` : l.name;
      const common = [String(l.order), isFirst ? c.red.bold(name) : name, l.opType ?? '', shapeText(l.shape), l.rule];
      if (integer) t.push([...common, l.md5Equal === null ? '?' : l.md5Equal ? 'equal' : c.red('differs'), l.mismatches === undefined ? '' : String(l.mismatches), fmt(l.maxAbs), st]);
      else t.push([...common, fmt(l.cosine), fmt(l.sqnrDb, 2), fmt(l.maxAbs), st]);
    }
    lines.push(t.toString());
    const fd = e.firstDivergence;
    if (fd) {
      const l = e.layers.find((x) => x.name === fd.name)!;
      let msg = `first divergence: ${fd.name}${l.nodeName ? ` (node ${l.nodeName}, ${l.opType})` : ''} at #${fd.order}: `;
      if (fd.metric === 'md5') {
        msg += `md5 differs, ${l.mismatches ?? '?'} of ${l.count ?? '?'} elements`;
        if (l.firstMismatch) msg += `, first at n,h,w,c=(${l.firstMismatch.coord.join(',')})`;
      } else msg += `cosine ${fmt(fd.value as JsonNumber)} < ${fd.threshold}`;
      lines.push(c.red(msg));
    } else lines.push(c.green('no divergence on this edge'));
    for (const l of e.layers.filter((x) => x.status === 'cannot-compare').slice(0, 10)) lines.push(c.yellow(`  ${l.name}: ${l.reason}`));
    if (e.unmatched.a.length || e.unmatched.b.length) {
      lines.push(`unmatched: ${e.unmatched.a.length} only in ${e.a}${e.unmatched.a.length ? ` (${e.unmatched.a.slice(0, 5).join(', ')}${e.unmatched.a.length > 5 ? ', …' : ''})` : ''}; ${e.unmatched.b.length} only in ${e.b}${e.unmatched.b.length ? ` (${e.unmatched.b.slice(0, 5).join(', ')}${e.unmatched.b.length > 5 ? ', …' : ''})` : ''}`);
    }
    lines.push('');
  }
  lines.push(...renderFindings(r, c));
  const v = r.verdict;
  lines.push(v === 'parity' ? c.green.bold('verdict: parity (every edge within thresholds)') : v === 'incomplete' ? c.yellow.bold('verdict: incomplete (some layers cannot be compared)') : c.red.bold(`verdict: ${v}`));
  return lines.join('\n');
}

/** Findings (diagnosis stage): code, edge, message, thresholds used, recommendations; then what was and was not checked. */
export function renderFindings(r: Pick<Report, 'findings' | 'diagnosis'>, c: InstanceType<typeof Chalk>): string[] {
  const lines: string[] = [];
  if (r.findings.length || r.diagnosis) lines.push(c.bold(`findings${r.diagnosis ? ` (profile ${r.diagnosis.profile.name})` : ''}:`));
  for (const f of r.findings) {
    const tag = `[${f.code}]`;
    const col = f.code === 'OK' ? c.green.bold(tag) : f.severity === 'warning' ? c.yellow.bold(tag) : c.red.bold(tag);
    lines.push(`${col} ${c.bold(f.edge)}: ${f.message}`);
    const th = (f.evidence as { thresholds?: Record<string, unknown> } | undefined)?.thresholds;
    if (th) lines.push(c.dim(`    thresholds: ${Object.entries(th).filter(([, v]) => v !== null).map(([k, v]) => `${k}=${v}`).join(' ')}`));
    for (const x of f.recommendations ?? []) lines.push(`  -> ${x}`);
    const rows = verifiedRows(f);
    if (rows.length) lines.push(c.bold('  verified fixes (re-run of the reference, ranked by final cosine):'));
    for (const v of rows) lines.push(c.cyan(`   ${v.rank}. ${v.fix}: final ${v.final}${v.culprit ? `, culprit ${v.culprit}` : ''}${v.apply ? `  ${v.apply}` : ''}`));
    const sens = sensitivityLine(f);
    if (sens) lines.push(c.cyan(`   ${sens}`));
    const note = verifiedNote(f);
    if (note) lines.push(c.yellow(`   ${note}`));
  }
  const d = r.diagnosis;
  if (d) {
    for (const cu of d.culprits) if (cu.layers.length) lines.push(`culprits on ${cu.edge}: ${cu.layers.map((l) => `${l.name} (cliff ${fmt(l.cliff, 4)}, gain ${l.errorGain === null ? '?' : fmt(l.errorGain, 1)})`).join(', ')}`);
    for (const x of d.checked) lines.push(c.green(`checked: ${x}`));
    for (const x of d.notChecked) lines.push(c.yellow(`not checked: ${x}`));
  }
  return lines;
}
