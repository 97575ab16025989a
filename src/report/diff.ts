/**
 * Differences between two report.json files (before / after a config, toolchain or firmware
 * change): per edge, per layer (matched by name) deltas of cosine, SQNR, max |Δ|, md5 equality,
 * mismatches and status; what improved or regressed; whether the first divergence moved; layers
 * and edges added or removed. Reads report values only; JSON-safe result.
 */
import type { Report, ReportEdge, ReportLayer, FirstDivergence, JsonNumber, LayerStatus } from './schema.js';
import { fromJsonNumber, toJsonNumber } from './schema.js';

export interface DiffOptions {
  /** A cosine change within ±tolerance is not a change (default 1e-4). */
  tolerance?: number;
}

export const DEFAULT_DIFF_TOLERANCE = 1e-4;

/** The values of one layer that the diff looks at. */
export interface LayerSnapshot {
  order: number;
  status: LayerStatus;
  cosine: JsonNumber | null;
  sqnrDb: JsonNumber | null;
  maxAbs: JsonNumber | null;
  md5Equal: boolean | null;
  mismatches: number | null;
}

export type LayerOutcome = 'regressed' | 'improved' | 'unchanged' | 'added' | 'removed';

export interface LayerDelta {
  name: string;
  outcome: LayerOutcome;
  old: LayerSnapshot | null;
  new: LayerSnapshot | null;
  /** new − old, where both are numbers (null otherwise). */
  delta: { cosine: JsonNumber | null; sqnrDb: JsonNumber | null; maxAbs: JsonNumber | null };
  /** Why the outcome: e.g. "cosine 0.999 -> 0.95", "md5 equal -> differs". */
  why: string[];
}

export type DivergenceMove = 'none' | 'same' | 'appeared' | 'resolved' | 'earlier' | 'later' | 'changed';

export interface EdgeDiff {
  id: string;
  kind: 'integer' | 'float';
  layers: LayerDelta[];
  firstDivergence: { old: FirstDivergence | null; new: FirstDivergence | null; move: DivergenceMove };
  counts: Record<LayerOutcome, number>;
  /** True when this edge has a regressed layer or its first divergence appeared / moved earlier. */
  regressed: boolean;
}

export interface ReportDiff {
  old: { file: string; verdict: Report['verdict']; toolVersion: string };
  new: { file: string; verdict: Report['verdict']; toolVersion: string };
  tolerance: number;
  /** Edges present in both reports. */
  edges: EdgeDiff[];
  edgesAdded: string[];
  edgesRemoved: string[];
  verdictWorse: boolean;
  /** Comparability notes (different thresholds, edges gone, ...). */
  warnings: string[];
  /** The CI answer: anything got worse (exit 1). */
  regressed: boolean;
}

const VERDICT_RANK: Record<Report['verdict'], number> = { parity: 0, incomplete: 1, diverged: 2, 'inputs-differ': 3 };

function snap(l: ReportLayer): LayerSnapshot {
  return {
    order: l.order,
    status: l.status,
    cosine: l.cosine ?? null,
    sqnrDb: l.sqnrDb ?? null,
    maxAbs: l.maxAbs ?? null,
    md5Equal: l.md5Equal,
    mismatches: l.mismatches ?? null,
  };
}

function sub(a: JsonNumber | null, b: JsonNumber | null): JsonNumber | null {
  if (a === null || b === null) return null;
  const x = fromJsonNumber(a);
  const y = fromJsonNumber(b);
  if (x === y) return 0; // also inf - inf: unchanged
  return toJsonNumber(y - x);
}

const show = (x: JsonNumber | null) => (x === null ? 'n/a' : typeof x === 'number' ? String(Math.round(x * 1e6) / 1e6) : x);

/** Compares one layer's old and new values. Any worse signal makes the layer 'regressed'. */
export function compareLayer(name: string, o: ReportLayer, n: ReportLayer, tolerance: number): LayerDelta {
  const a = snap(o);
  const b = snap(n);
  const worse: string[] = [];
  const better: string[] = [];
  const neutral: string[] = [];
  if (a.status !== b.status) {
    const msg = `status ${a.status} -> ${b.status}`;
    if (b.status === 'diverged' || (a.status === 'ok' && b.status === 'cannot-compare')) worse.push(msg);
    else if (a.status === 'diverged' && b.status === 'ok') better.push(msg);
    else if (a.status === 'cannot-compare' && b.status === 'ok') better.push(msg);
    else neutral.push(msg); // diverged -> cannot-compare: neither better nor worse, reported
  }
  if (a.cosine !== null || b.cosine !== null) {
    const x = fromJsonNumber(a.cosine);
    const y = fromJsonNumber(b.cosine);
    const msg = `cosine ${show(a.cosine)} -> ${show(b.cosine)}`;
    if (!Number.isNaN(x) && Number.isNaN(y)) worse.push(msg);
    else if (Number.isNaN(x) && !Number.isNaN(y)) better.push(msg);
    else if (y < x - tolerance) worse.push(msg);
    else if (y > x + tolerance) better.push(msg);
  }
  if (a.md5Equal !== b.md5Equal && a.md5Equal !== null && b.md5Equal !== null) {
    (b.md5Equal ? better : worse).push(`md5 ${a.md5Equal ? 'equal' : 'differs'} -> ${b.md5Equal ? 'equal' : 'differs'}`);
  }
  if (a.mismatches !== null && b.mismatches !== null && a.mismatches !== b.mismatches) {
    (b.mismatches > a.mismatches ? worse : better).push(`mismatches ${a.mismatches} -> ${b.mismatches}`);
  }
  const outcome: LayerOutcome = worse.length ? 'regressed' : better.length ? 'improved' : 'unchanged';
  return {
    name,
    outcome,
    old: a,
    new: b,
    delta: { cosine: sub(a.cosine, b.cosine), sqnrDb: sub(a.sqnrDb, b.sqnrDb), maxAbs: sub(a.maxAbs, b.maxAbs) },
    why: [...worse, ...better, ...neutral],
  };
}

/** Key of a layer within an edge: its name, with `#k` for the k-th repeat of a name. */
function keyed(layers: ReportLayer[]): Map<string, ReportLayer> {
  const m = new Map<string, ReportLayer>();
  const seen = new Map<string, number>();
  for (const l of layers) {
    const k = seen.get(l.name) ?? 0;
    seen.set(l.name, k + 1);
    m.set(k ? `${l.name}#${k}` : l.name, l);
  }
  return m;
}

function divergenceMove(o: FirstDivergence | null, n: FirstDivergence | null): DivergenceMove {
  if (!o && !n) return 'none';
  if (!o) return 'appeared';
  if (!n) return 'resolved';
  if (o.name === n.name) return 'same';
  if (n.order < o.order) return 'earlier';
  if (n.order > o.order) return 'later';
  return 'changed';
}

/** Compares the layers of one edge present in both reports. */
export function diffEdge(o: ReportEdge, n: ReportEdge, tolerance: number): EdgeDiff {
  const om = keyed(o.layers);
  const nm = keyed(n.layers);
  const layers: LayerDelta[] = [];
  for (const [k, nl] of nm) {
    const ol = om.get(k);
    if (ol) layers.push(compareLayer(nl.name, ol, nl, tolerance));
    else layers.push({ name: nl.name, outcome: 'added', old: null, new: snap(nl), delta: { cosine: null, sqnrDb: null, maxAbs: null }, why: ['only in the new report'] });
  }
  for (const [k, ol] of om) {
    if (!nm.has(k)) layers.push({ name: ol.name, outcome: 'removed', old: snap(ol), new: null, delta: { cosine: null, sqnrDb: null, maxAbs: null }, why: ['only in the old report'] });
  }
  const ord = (d: LayerDelta) => (d.new ?? d.old)!.order;
  layers.sort((x, y) => ord(x) - ord(y));
  const counts: Record<LayerOutcome, number> = { regressed: 0, improved: 0, unchanged: 0, added: 0, removed: 0 };
  for (const d of layers) counts[d.outcome]++;
  const move = divergenceMove(o.firstDivergence, n.firstDivergence);
  return {
    id: n.id,
    kind: n.kind,
    layers,
    firstDivergence: { old: o.firstDivergence, new: n.firstDivergence, move },
    counts,
    regressed: counts.regressed > 0 || move === 'appeared' || move === 'earlier',
  };
}

/** Compares two reports. `files` name them in the result (as given on the command line). */
export function diffReports(oldR: Report, newR: Report, o: DiffOptions = {}, files: { old: string; new: string } = { old: 'old', new: 'new' }): ReportDiff {
  const tolerance = o.tolerance ?? DEFAULT_DIFF_TOLERANCE;
  const warnings: string[] = [];
  if (oldR.thresholds.cosine !== newR.thresholds.cosine) {
    warnings.push(`the cosine thresholds differ (${oldR.thresholds.cosine} -> ${newR.thresholds.cosine}): status changes may come from the threshold alone`);
  }
  const oldEdges = new Map(oldR.edges.map((e) => [e.id, e]));
  const newEdges = new Map(newR.edges.map((e) => [e.id, e]));
  const edges: EdgeDiff[] = [];
  for (const e of newR.edges) {
    const oe = oldEdges.get(e.id);
    if (oe) edges.push(diffEdge(oe, e, tolerance));
  }
  const edgesAdded = newR.edges.filter((e) => !oldEdges.has(e.id)).map((e) => e.id);
  const edgesRemoved = oldR.edges.filter((e) => !newEdges.has(e.id)).map((e) => e.id);
  if (edgesRemoved.length) warnings.push(`edges only in the old report (not checked now): ${edgesRemoved.join(', ')}`);
  const verdictWorse = VERDICT_RANK[newR.verdict] > VERDICT_RANK[oldR.verdict];
  return {
    old: { file: files.old, verdict: oldR.verdict, toolVersion: oldR.tool.version },
    new: { file: files.new, verdict: newR.verdict, toolVersion: newR.tool.version },
    tolerance,
    edges,
    edgesAdded,
    edgesRemoved,
    verdictWorse,
    warnings,
    regressed: verdictWorse || edges.some((e) => e.regressed),
  };
}
