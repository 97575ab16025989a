/**
 * The one module that chains the stages: open sources -> check inputs -> align -> measure ->
 * decide -> report.json. Every stage returns plain values.
 */
import { openSources, type SourceOptions } from './sources.js';
import { checkInputs } from './inputs.js';
import { planEdges, prepareLayers, finishLayer, firstDivergence, summarize, type LayerLabel } from './edges.js';
import { measureAll } from '../measure/engine.js';
import type { MeasureJob } from '../measure/types.js';
import { REPORT_SCHEMA_VERSION, type Report, type ReportEdge, type ReportSource, type Thresholds, type Finding, toJsonNumber, fromJsonNumber } from '../report/schema.js';
import { TOOL_NAME, toolVersion } from '../version.js';

export interface CompareOptions extends SourceOptions {
  input?: string;
  thresholds?: Partial<Thresholds>;
  /** Worker threads for measuring (default: 2, the machine's cores). */
  threads?: number;
  /** From --model: tensor labels keyed by sanitized name, and the model's identity. */
  labels?: Map<string, LayerLabel>;
  model?: { file: string; md5: string };
  command?: string[];
  onProgress?: (done: number, total: number) => void;
}

export const DEFAULT_THRESHOLDS: Thresholds = { cosine: 0.99 };

export async function compare(o: CompareOptions): Promise<Report> {
  const t0 = Date.now();
  const thresholds: Thresholds = { ...DEFAULT_THRESHOLDS, ...o.thresholds };
  const sources = await openSources(o);
  const inputs = checkInputs(sources, o.input);
  const planned = planEdges(sources);

  const nextId = { n: 0 };
  const prepared = planned.map((e) => ({ edge: e, layers: prepareLayers(e, nextId, o.labels) }));
  const jobs: MeasureJob[] = [];
  for (const p of prepared) for (const l of p.layers) if (l.job) jobs.push(l.job);
  const results = await measureAll(jobs, { threads: o.threads, onProgress: o.onProgress });

  const edges: ReportEdge[] = prepared.map(({ edge, layers }) => {
    for (const l of layers) if (l.job) finishLayer(l.layer, results.get(l.job.id), edge.kind, thresholds);
    const ls = layers.map((l) => l.layer).sort((x, y) => x.order - y.order);
    if (o.labels) addErrorGain(ls, o.labels);
    return {
      id: edge.id,
      a: edge.a.id,
      b: edge.b.id,
      kind: edge.kind,
      layers: ls,
      firstDivergence: firstDivergence(ls, edge.kind, thresholds),
      unmatched: { a: edge.unmatchedA.map((e) => e.name), b: edge.unmatchedB.map((e) => e.name) },
      summary: summarize(ls),
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

  const findings: Finding[] = [];
  if (inputs.consistent === false) {
    const bad = inputs.checks.filter((c) => c.equal === false);
    findings.push({
      code: 'INPUT',
      edge: 'inputs',
      message: `input dumps differ from ${inputs.reference ? inputs.reference.file : 'each other'}: ${bad.map((c) => `${c.source} (${c.note ?? 'differs'})`).join(', ')}`,
      recommendations: ['make every source from the same input_uint8.bin (guide §6.2): run the PC program and the board on exactly this file'],
    });
  }
  const diverged = edges.some((e) => e.firstDivergence !== null);
  const incomplete = edges.some((e) => e.summary.cannotCompare > 0);
  const verdict: Report['verdict'] = inputs.consistent === false ? 'inputs-differ' : diverged ? 'diverged' : incomplete ? 'incomplete' : 'parity';

  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: toolVersion() },
    model: o.model ?? null,
    sources: reportSources,
    inputs,
    edges,
    thresholds,
    findings,
    verdict,
    meta: { createdAt: new Date().toISOString(), command: o.command ?? [], elapsedMs: Date.now() - t0 },
  };
}

/** Error gain per layer (METRICS.md): e_k / max_j e_j over the layer's graph inputs, e = 1 - cosine. */
function addErrorGain(layers: Report['edges'][number]['layers'], labels: Map<string, LayerLabel>): void {
  const errByTensor = new Map<string, number>();
  const byName = new Map<string, LayerLabel>();
  for (const l of labels.values()) byName.set(l.tensorName, l);
  for (const l of layers) {
    if (l.cosine === undefined) continue;
    const lab = byName.get(l.name);
    if (lab) errByTensor.set(sanitizedOf(lab, labels), 1 - fromJsonNumber(l.cosine));
  }
  for (const l of layers) {
    const lab = byName.get(l.name);
    if (!lab || l.cosine === undefined) continue;
    const ek = 1 - fromJsonNumber(l.cosine);
    const inputs = lab.dataInputs.map((n) => errByTensor.get(n)).filter((x): x is number => x !== undefined);
    if (inputs.length === 0) continue;
    const m = Math.max(...inputs);
    l.errorGain = toJsonNumber(m > 0 ? ek / m : ek > 0 ? Infinity : 1);
  }
}

function sanitizedOf(lab: LayerLabel, labels: Map<string, LayerLabel>): string {
  for (const [k, v] of labels) if (v === lab) return k;
  return lab.tensorName;
}
