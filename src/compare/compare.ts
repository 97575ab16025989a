/**
 * The one module that chains the stages: open sources -> check inputs -> align -> measure ->
 * decide -> report.json. Every stage returns plain values.
 */
import { openSources, type SourceOptions } from './sources.js';
import { checkInputs } from './inputs.js';
import { planEdges, prepareLayers, finishLayer, firstDivergence, summarize, type LayerLabel } from './edges.js';
import { measureAll } from '../measure/engine.js';
import type { MeasurePool } from '../measure/pool.js';
import type { MeasureJob } from '../measure/types.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportEdge, type ReportSource, type Thresholds, toJsonNumber, fromJsonNumber } from '../report/schema.js';
import { TOOL_NAME, toolVersion } from '../version.js';
import { errorFromCosine, errorGain } from '../metrics/aggregate.js';
import { resolveProfile, type ThresholdProfile } from '../diagnose/thresholds.js';

export interface CompareOptions extends SourceOptions {
  input?: string;
  /** Only `cosine` (kept for callers before profiles); ignored when `profile` is given. */
  thresholds?: Partial<Thresholds>;
  /** Triage thresholds (default: the classification profile); profile.cosineOk marks diverged layers. */
  profile?: ThresholdProfile;
  /** Worker threads for measuring (default: 2, the machine's cores). */
  threads?: number;
  /** Worker threads started earlier (MeasurePool.start(threads)), so they boot while sources are scanned; used once. */
  pool?: MeasurePool | null;
  /** From --model: tensor labels keyed by sanitized name, and the model's identity. */
  labels?: Map<string, LayerLabel>;
  model?: { file: string; md5: string };
  command?: string[];
  onProgress?: (done: number, total: number) => void;
  /**
   * Called once the jobs are handed to the measuring threads: the main thread then idles until
   * they finish, so this is where to start loading modules needed only afterwards.
   */
  onMeasureStart?: () => void;
}

export const DEFAULT_THRESHOLDS: Thresholds = { cosine: 0.99 };

export async function compare(o: CompareOptions): Promise<Report> {
  const t0 = Date.now();
  try {
    return await compareWith(o, t0);
  } finally {
    o.pool?.close(); // a no-op once the pool has run; frees it when a stage failed first
  }
}

async function compareWith(o: CompareOptions, t0: number): Promise<Report> {
  const profile = o.profile ?? resolveProfile({ cosineOk: o.thresholds?.cosine });
  const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, ...o.thresholds, cosine: profile.cosineOk };
  const sources = await openSources(o);
  const inputs = checkInputs(sources, o.input);
  const planned = planEdges(sources);

  const nextId = { n: 0 };
  const prepared = planned.map((e) => ({ edge: e, layers: prepareLayers(e, nextId, o.labels) }));
  const jobs: MeasureJob[] = [];
  for (const p of prepared) for (const l of p.layers) if (l.job) jobs.push(l.job);
  const measuring = measureAll(jobs, { threads: o.threads, onProgress: o.onProgress, pool: o.pool });
  // the diagnosis modules load while the workers measure (the main thread is idle meanwhile)
  const diagnosisModules = Promise.all([import('../diagnose/diagnose.js'), import('../diagnose/rediagnose.js')]);
  o.onMeasureStart?.();
  const results = await measuring;
  const [{ diagnose }, { verdictOf }] = await diagnosisModules;

  const edges: ReportEdge[] = prepared.map(({ edge, layers }) => {
    for (const l of layers) if (l.job) finishLayer(l.layer, results.get(l.job.id), edge.kind, thresholds);
    const ls = layers.map((l) => l.layer).sort((x, y) => x.order - y.order);
    if (o.labels) addErrorGain(ls);
    return {
      id: edge.id,
      a: edge.a.id,
      b: edge.b.id,
      kind: edge.kind,
      layers: ls,
      firstDivergence: firstDivergence(ls, edge.kind, thresholds),
      unmatched: { a: edge.unmatchedA.map((e) => e.name), b: edge.unmatchedB.map((e) => e.name) },
      // a damaged file that could not even be paired (e.g. a manifest entry whose file is missing)
      // leaves the edge unproven: counted, so the verdict is 'incomplete', not 'parity'
      summary: withBroken(summarize(ls), [...edge.unmatchedA, ...edge.unmatchedB].filter((e) => e.problem).length),
    };
  });

  const reportSources: ReportSource[] = sources.map((s) => ({
    id: s.id,
    root: s.given,
    folderKind: s.set.kind,
    ...(s.log ? { log: s.log } : {}),
    entries: s.set.entries.length,
    ignored: s.set.ignored,
    warnings: s.set.warnings,
  }));

  // the diagnosis stage (src/diagnose): INPUT first, then A/B/C per float edge, D per integer edge, OK
  const { findings, diagnosis } = diagnose({ inputs, edges, sources: reportSources, model: o.model ?? null }, profile);
  const verdict = verdictOf(inputs, edges, findings);

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: toolVersion() },
    model: o.model ?? null,
    sources: reportSources,
    inputs,
    edges,
    thresholds,
    findings,
    diagnosis,
    verdict,
    meta: { createdAt: new Date().toISOString(), command: o.command ?? [], elapsedMs: Date.now() - t0 },
  };
}

/** The summary, with the count of broken unmatched entries when there are any. */
function withBroken(summary: ReportEdge['summary'], broken: number): ReportEdge['summary'] {
  return broken > 0 ? { ...summary, unmatchedBroken: broken } : summary;
}

/** Error gain per layer (METRICS.md): e_k / max_j e_j over the layer's graph inputs on this edge, e = 1 - cosine. */
function addErrorGain(layers: Report['edges'][number]['layers']): void {
  const errByName = new Map<string, number>();
  for (const l of layers) if (l.cosine !== undefined && l.status !== 'cannot-compare') errByName.set(l.name, errorFromCosine(fromJsonNumber(l.cosine)));
  for (const l of layers) {
    const ek = errByName.get(l.name);
    if (ek === undefined || !l.graphInputs) continue;
    const inputs = l.graphInputs.map((n) => errByName.get(n)).filter((x): x is number => x !== undefined);
    // fed by the graph input only: its error is 0 (inputs are checked identical first)
    if (inputs.length === 0 && l.graphInputs.length > 0) continue;
    l.errorGain = toJsonNumber(errorGain(ek, inputs));
  }
}
