/**
 * What goes into a vendor-support bundle (guide §8.2, phenomenon B reason 2 / 3): the problem
 * layer and where its files are, chosen from report.json only. No file is read here except to
 * check existence and size; `bundle.ts` writes the archive.
 *
 * The layer's INPUT dumps: report.json v1 holds no graph edges, so the input of a layer is taken
 * as the layer just before it in the edge's layer order (graph order with --model, else execution
 * order) — for the first layer that is the network input dump. In a branchy graph that previous
 * layer may not be the true producer; README.txt says so and names the file used.
 */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { distance } from 'fastest-levenshtein';
import type { Report, ReportEdge, ReportLayer, SideInfo, SourceId } from './schema.js';
import { UserError } from '../errors.js';
import { sanitizeName } from '../names.js';

/** One file of the bundle: copied from `file`, or generated (`data`). */
export interface PlannedMember {
  /** Safe member name inside the archive (relative, `[A-Za-z0-9._-]` segments, no `..`). */
  name: string;
  file?: string;
  data?: string | Uint8Array;
  size: number;
  /** One line for README.txt. */
  what: string;
}

export interface LayerChoice {
  edge: ReportEdge;
  layer: ReportLayer;
  /** How it was chosen, for README.txt. */
  why: string;
}

/** A path segment safe in a tar member name: sanitized, not `.`/`..`/hidden, at most 100 chars. */
export function safeSegment(s: string): string {
  let t = sanitizeName(s);
  if (t === '' || t.startsWith('.')) t = `_${t}`;
  if (t.length > 100) {
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(t)?.[0] ?? '';
    t = `${t.slice(0, 100 - ext.length - 9)}~${hash8(t)}${ext}`;
  }
  return t;
}

function hash8(s: string): string {
  // FNV-1a 32-bit (Fowler–Noll–Vo), enough to keep truncated names distinct
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** Joins safe segments into a member name. */
export function memberName(...parts: string[]): string {
  return parts.map(safeSegment).join('/');
}

function matches(l: ReportLayer, q: string): boolean {
  return l.name === q || l.nodeName === q || l.a.name === q || l.b.name === q || sanitizeName(l.name) === q;
}

/** Names closest to `q` (edit distance, substring matches first), for "did you mean". */
export function closeNames(q: string, names: string[], n = 5): string[] {
  const uniq = [...new Set(names)];
  const lq = q.toLowerCase();
  return uniq
    .map((x) => ({ x, d: x.toLowerCase().includes(lq) || lq.includes(x.toLowerCase()) ? -1 : distance(lq, x.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.x.localeCompare(b.x))
    .slice(0, n)
    .map((v) => v.x);
}

/** The problem layer: --layer (optionally on --edge), else the first divergence of the first diverged edge. */
export function chooseLayer(r: Report, layer?: string, edgeId?: string): LayerChoice {
  let edges = r.edges;
  if (edgeId !== undefined) {
    edges = r.edges.filter((e) => e.id === edgeId);
    if (!edges.length) throw new UserError('USAGE', `--edge ${edgeId}: no such edge in the report`, `edges in this report: ${r.edges.map((e) => e.id).join(', ') || 'none'}`);
  }
  if (layer !== undefined) {
    for (const e of edges) {
      const l = e.layers.find((x) => matches(x, layer));
      if (l) return { edge: e, layer: l, why: `named with --layer ${layer}` };
    }
    const names = edges.flatMap((e) => e.layers.flatMap((l) => [l.name, ...(l.nodeName ? [l.nodeName] : [])]));
    const close = closeNames(layer, names);
    throw new UserError('LAYER_NOT_FOUND', `--layer ${JSON.stringify(layer)}: no such layer in ${edgeId ? `edge ${edgeId}` : 'the report'}`, close.length ? `close names: ${close.join(', ')}` : 'the report has no layers');
  }
  for (const e of edges) {
    const fd = e.firstDivergence;
    if (!fd) continue;
    const l = e.layers.find((x) => x.name === fd.name && x.order === fd.order) ?? e.layers.find((x) => x.name === fd.name);
    if (l) return { edge: e, layer: l, why: `the first divergence of edge ${e.id} (the first diverged edge)` };
  }
  throw new UserError('USAGE', `no edge${edgeId ? ` ${edgeId}` : ''} of the report diverged, so there is no problem layer to pick`, 'name one with --layer NAME');
}

interface SideRef {
  source: SourceId;
  side: SideInfo;
  role: 'output' | 'input';
  layer: ReportLayer;
}

/** Every source's file of `name` across all edges (deduplicated by path), plus the previous layer's files. */
export function collectSides(r: Report, name: string): SideRef[] {
  const out: SideRef[] = [];
  const seen = new Set<string>();
  const add = (source: SourceId, side: SideInfo, role: SideRef['role'], layer: ReportLayer) => {
    const k = `${role}\0${side.file}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push({ source, side, role, layer });
  };
  for (const e of r.edges) {
    const sorted = [...e.layers].sort((x, y) => x.order - y.order);
    const i = sorted.findIndex((l) => l.name === name);
    if (i < 0) continue;
    const l = sorted[i]!;
    add(e.a, l.a, 'output', l);
    add(e.b, l.b, 'output', l);
    const prev = i > 0 ? sorted[i - 1]! : null;
    if (prev) {
      add(e.a, prev.a, 'input', prev);
      add(e.b, prev.b, 'input', prev);
    }
  }
  return out;
}

/** A path from report.json / its command line: absolute as is, else relative to the cwd, else to the report's folder. */
export function resolveGiven(p: string, reportDir: string): string | null {
  const cands = path.isAbsolute(p) ? [p] : [path.resolve(p), path.resolve(reportDir, p), path.resolve(reportDir, '..', p)];
  return cands.find((c) => existsSync(c)) ?? null;
}

export function fileSize(p: string): number | null {
  try {
    const s = statSync(p);
    return s.isFile() ? s.size : null;
  } catch {
    return null;
  }
}

/** The `--config` file named on the compare command line, if any. */
export function configFromCommand(cmd: string[]): string | null {
  for (let i = 0; i < cmd.length; i++) {
    const a = cmd[i]!;
    if (a === '--config' && cmd[i + 1]) return cmd[i + 1]!;
    if (a.startsWith('--config=')) return a.slice('--config='.length);
  }
  return null;
}
