/**
 * Terminal rendering of a report diff: per edge the counts, the first-divergence move and a table
 * of the changed layers (regressed first), then the CI answer. Colour as the terminal renderer (TTY only, NO_COLOR / FORCE_COLOR).
 */
import Table from 'cli-table3';
import { Chalk } from 'chalk';
import type { ReportDiff, LayerDelta, EdgeDiff } from './diff.js';
import type { FirstDivergence, JsonNumber } from './schema.js';
import { fmtNum } from './format.js';
import { colorLevel } from './terminal.js';

export interface DiffTerminalOptions {
  color?: boolean;
  /** Most changed-layer rows per edge (default 40). */
  maxRows?: number;
}

function fdText(fd: FirstDivergence | null): string {
  return fd ? `${fd.name} (#${fd.order})` : 'none';
}

function signed(x: JsonNumber | null, digits = 6): string {
  if (x === null) return '';
  const t = fmtNum(x, digits);
  return typeof x === 'number' && x > 0 ? `+${t}` : t;
}

function pair(a: JsonNumber | null | undefined, b: JsonNumber | null | undefined, digits = 6): string {
  return `${a === null || a === undefined ? '-' : fmtNum(a, digits)} → ${b === null || b === undefined ? '-' : fmtNum(b, digits)}`;
}

function moveText(e: EdgeDiff): string {
  const f = e.firstDivergence;
  switch (f.move) {
    case 'none':
      return 'no divergence before or after';
    case 'same':
      return `first divergence unchanged: ${fdText(f.new)}`;
    case 'appeared':
      return `first divergence APPEARED: ${fdText(f.new)}`;
    case 'resolved':
      return `first divergence resolved (was ${fdText(f.old)})`;
    case 'earlier':
      return `first divergence moved EARLIER: ${fdText(f.old)} → ${fdText(f.new)}`;
    case 'later':
      return `first divergence moved later: ${fdText(f.old)} → ${fdText(f.new)}`;
    case 'changed':
      return `first divergence changed: ${fdText(f.old)} → ${fdText(f.new)}`;
  }
}

const RANK: Record<LayerDelta['outcome'], number> = { regressed: 0, improved: 1, removed: 2, added: 3, unchanged: 4 };

/** Renders a diff for the terminal. */
export function renderDiffTerminal(d: ReportDiff, o: DiffTerminalOptions = {}): string {
  const c = new Chalk({ level: colorLevel(o.color) });
  const maxRows = o.maxRows ?? 40;
  const lines: string[] = [];
  lines.push(`old: ${d.old.file} (verdict ${d.old.verdict}, ${d.old.toolVersion})`);
  lines.push(`new: ${d.new.file} (verdict ${d.new.verdict}, ${d.new.toolVersion})`);
  lines.push(`cosine tolerance ±${d.tolerance}`, '');
  for (const w of d.warnings) lines.push(c.yellow(`warning: ${w}`));
  if (d.edgesAdded.length) lines.push(`edges only in the new report: ${d.edgesAdded.join(', ')}`);
  if (d.warnings.length || d.edgesAdded.length) lines.push('');
  for (const e of d.edges) {
    const k = e.counts;
    const head = `${e.id} (${e.kind}): ${k.regressed} regressed, ${k.improved} improved, ${k.unchanged} unchanged, ${k.added} added, ${k.removed} removed`;
    lines.push(e.regressed ? c.red.bold(head) : c.bold(head));
    const mv = moveText(e);
    lines.push(e.firstDivergence.move === 'appeared' || e.firstDivergence.move === 'earlier' ? c.red(mv) : e.firstDivergence.move === 'resolved' || e.firstDivergence.move === 'later' ? c.green(mv) : mv);
    const changed = e.layers.filter((x) => x.outcome !== 'unchanged').sort((x, y) => RANK[x.outcome] - RANK[y.outcome]);
    if (changed.length) {
      const t = new Table({
        head: ['#', 'layer', 'outcome', 'cosine', 'Δ cosine', 'Δ SQNR dB', 'Δ max|Δ|', 'md5', 'why'],
        style: { head: [], border: [] },
        chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      });
      for (const x of changed.slice(0, maxRows)) {
        const oc = x.outcome === 'regressed' ? c.red('REGRESSED') : x.outcome === 'improved' ? c.green('improved') : x.outcome;
        const eq = (v: boolean | null | undefined) => (v === true ? 'equal' : v === false ? 'differs' : '-');
        const md5 = x.old?.md5Equal === x.new?.md5Equal ? '' : `${eq(x.old?.md5Equal)} → ${eq(x.new?.md5Equal)}`;
                const name = x.name.length > 36 ? `…${x.name.slice(-35)}` : x.name;
        t.push([String((x.new ?? x.old)!.order), name, oc, pair(x.old?.cosine, x.new?.cosine), signed(x.delta.cosine), signed(x.delta.sqnrDb, 2), signed(x.delta.maxAbs), md5, x.why.join('; ')]);
      }
      lines.push(t.toString());
      if (changed.length > maxRows) lines.push(`… ${changed.length - maxRows} more changed layers (see --json)`);
    } else lines.push('no layer changed');
    lines.push('');
  }
  if (d.verdictWorse) lines.push(c.red(`verdict got worse: ${d.old.verdict} → ${d.new.verdict}`));
  lines.push(d.regressed ? c.red.bold('REGRESSION: something got worse (exit 1)') : c.green.bold('no regression'));
  return lines.join('\n');
}
