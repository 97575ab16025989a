/**
 * A report.json built from the vendor's distance table alone: one float~ptq edge whose layers are
 * the table's rows (cosine = cosine_avg, maxAbs = max_absolu, the other columns under `vendor`),
 * in table order, or in graph order with --model (rows are keyed by node names, matched to the
 * model's nodes, then tensors). The same diagnosis then runs on it.
 */
import type { LayerLabel } from '../compare/edges.js';
import { firstDivergence, summarize } from '../compare/edges.js';
import { sanitizeName } from '../names.js';
import { REPORT_SCHEMA_VERSION, toJsonNumber, type Report, type ReportEdge, type ReportLayer, type SideInfo } from '../report/schema.js';
import { TOOL_NAME, toolVersion } from '../version.js';
import type { ThresholdProfile } from './thresholds.js';
import type { VendorRow, VendorTable } from './vendor-table.js';
import { diagnose } from './diagnose.js';
import { verdictOf } from './rediagnose.js';

export interface TableReportOptions {
  /** From --model: labels keyed by sanitized tensor name (modelLabels). */
  labels?: Map<string, LayerLabel>;
  model?: { file: string; md5: string };
  command?: string[];
}

/** Finds the model label of a row: by node name, then tensor name, then sanitized tensor name. */
function labelIndex(labels: Map<string, LayerLabel>): (name: string) => LayerLabel | undefined {
  const byNode = new Map<string, LayerLabel>();
  const byTensor = new Map<string, LayerLabel>();
  for (const l of labels.values()) {
    if (l.nodeName && !byNode.has(l.nodeName)) byNode.set(l.nodeName, l);
    byTensor.set(l.tensorName, l);
  }
  return (name) => byNode.get(name) ?? byTensor.get(name) ?? byTensor.get(name.replace(/:0$/, '')) ?? labels.get(sanitizeName(name));
}

function side(t: VendorTable, r: VendorRow): SideInfo {
  return { file: t.file, name: r.name, dtype: null, shape: null, size: 0, md5: null };
}

/** The table's rows as report layers, ordered and labelled. Unmatched rows (with a model) go last, in table order, with a warning. */
export function tableLayers(t: VendorTable, cosineOk: number, labels?: Map<string, LayerLabel>): { layers: ReportLayer[]; warnings: string[] } {
  const warnings: string[] = [];
  const find = labels ? labelIndex(labels) : undefined;
  const rowOfLabel = new Map<LayerLabel, string>();
  const labelled = t.rows.map((r) => {
    const l = find?.(r.name);
    if (l) rowOfLabel.set(l, r.name);
    return { r, l };
  });
  if (labels) {
    const missing = labelled.filter((x) => !x.l).map((x) => x.r.name);
    if (missing.length) warnings.push(`${missing.length} table row(s) not found in the model, kept after the others in table order: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
  }
  const base = labels ? Math.max(0, ...[...labels.values()].map((l) => l.order)) + 1 : 0;
  const layers = labelled.map(({ r, l }, i): ReportLayer => {
    const layer: ReportLayer = {
      order: l ? l.order : base + i,
      name: r.name,
      nodeName: r.name,
      shape: null,
      rule: 'exact',
      a: side(t, r),
      b: side(t, r),
      md5Equal: null,
      status: r.cosineAvg >= cosineOk ? 'ok' : 'diverged',
      cosine: toJsonNumber(r.cosineAvg),
      maxAbs: toJsonNumber(r.maxAbs),
      vendor: { cosineMin: toJsonNumber(r.cosineMin), cosineMax: toJsonNumber(r.cosineMax), eucDistance: toJsonNumber(r.eucDistance), stdDev: toJsonNumber(r.stdDev), maxAbs01: toJsonNumber(r.maxAbs01), line: r.line },
    };
    if (layer.status === 'diverged') layer.reason = `cosine_avg ${r.cosineAvg} < ${cosineOk}`;
    if (l) {
      layer.opType = l.opType;
      // producers as row names (layer names on this edge); producers without a row are left out
      const ins: string[] = [];
      let fedByInput = true;
      for (const s of l.dataInputs) {
        const p = labels!.get(s);
        if (!p || p.opType === 'Input') continue;
        fedByInput = false;
        const row = rowOfLabel.get(p);
        if (row) ins.push(row);
      }
      // [] means "graph input only"; producers that exist but have no row: let the view use the previous layer
      if (fedByInput || ins.length) layer.graphInputs = ins;
    }
    return layer;
  });
  layers.sort((x, y) => x.order - y.order);
  return { layers, warnings };
}

/** A complete report (schema v1) from a vendor table, diagnosed with `profile`. */
export function reportFromTable(t: VendorTable, profile: ThresholdProfile, o: TableReportOptions = {}): Report {
  const t0 = Date.now();
  const { layers, warnings } = tableLayers(t, profile.cosineOk, o.labels);
  const th = { cosine: profile.cosineOk };
  const edge: ReportEdge = {
    id: 'float~ptq',
    a: 'float',
    b: 'ptq',
    kind: 'float',
    layers,
    firstDivergence: firstDivergence(layers, 'float', th),
    unmatched: { a: [], b: [] },
    summary: summarize(layers),
  };
  const src = (id: 'float' | 'ptq') => ({ id, root: t.file, folderKind: 'vendor-distance-table', entries: t.rows.length, ignored: [], warnings: id === 'float' ? [...t.warnings, ...warnings] : [] });
  const base = {
    model: o.model ?? null,
    sources: [src('float'), src('ptq')],
    inputs: { reference: null, consistent: null, checks: [] },
    edges: [edge],
  };
  const { findings, diagnosis } = diagnose(base, profile);
  diagnosis.notChecked.unshift('vendor table only: no dumps, so no md5, SQNR or maxAbs relative to the signal; inputs not checked');
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: TOOL_NAME, version: toolVersion() },
    ...base,
    thresholds: th,
    findings,
    diagnosis,
    verdict: verdictOf(base.inputs, base.edges, findings),
    meta: { createdAt: new Date().toISOString(), command: o.command ?? [], elapsedMs: Date.now() - t0 },
  };
}
