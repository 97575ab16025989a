/**
 * The diagnosis stage (after measure, before rendering): report values in, findings out.
 * Order (TRIAGE.md): input identity first (a mismatch is the only finding, the rest is
 * suppressed with a note), then every float edge (A / B / C / healthy), then every integer edge
 * (D), then a summary (OK with the edges checked and not available). Pure: no I/O.
 */
import type { Culprit, Diagnosis, Finding, FindingLayer, Report, ReportLayer } from '../report/schema.js';
import { toJsonNumber } from '../report/schema.js';
import { edgeView, type EdgeView, type LayerView } from './edge-view.js';
import { integerView } from './integer.js';
import { contextOf, recommendationText, type RecommendContext } from './recommend.js';
import { floatHealthy, rulesFor, type Rule, type RuleMatch, type RuleSubject } from './rules.js';
import type { ThresholdProfile } from './thresholds.js';

/** What diagnose reads from a report. */
export type DiagnosableReport = Pick<Report, 'inputs' | 'edges' | 'sources' | 'model'>;

export interface DiagnoseResult {
  findings: Finding[];
  diagnosis: Diagnosis;
}

function layerInfo(l: ReportLayer): FindingLayer {
  const o: FindingLayer = { name: l.name, order: l.order, shape: l.shape };
  if (l.nodeName) o.nodeName = l.nodeName;
  if (l.opType) o.opType = l.opType;
  return o;
}

function finding(rule: Rule, s: RuleSubject, m: RuleMatch, edge: string, ctx: RecommendContext, layer?: ReportLayer): Finding {
  const actions = rule.recommend(s, m, ctx);
  const l = m.layer?.layer ?? layer;
  const f: Finding = { code: rule.code, rule: rule.id, severity: rule.severity, edge, message: '' };
  if (l) {
    f.layer = l.name;
    f.layerInfo = layerInfo(l);
  }
  f.message = rule.message(s, m);
  f.evidence = m.evidence;
  if (actions.length) {
    f.recommendations = actions.map(recommendationText);
    f.actions = actions;
  }
  return f;
}

/** First matching rule of a subject. */
function evaluate(s: RuleSubject, edgeId?: string): { rule: Rule; match: RuleMatch } | null {
  for (const rule of rulesFor(s.kind, edgeId)) {
    const match = rule.when(s);
    if (match) return { rule, match };
  }
  return null;
}

function culprit(v: LayerView): Culprit {
  const c: Culprit = {
    name: v.layer.name,
    order: v.layer.order,
    cosine: toJsonNumber(v.cosine!),
    cliff: toJsonNumber(v.cliff!),
    sqnrDropDb: v.sqnrDropDb === null ? null : toJsonNumber(v.sqnrDropDb),
    errorGain: v.gain === null ? null : toJsonNumber(v.gain),
  };
  if (v.layer.nodeName) c.nodeName = v.layer.nodeName;
  if (v.layer.opType) c.opType = v.layer.opType;
  if (v.single !== null) c.single = toJsonNumber(v.single);
  return c;
}

/**
 * Diagnoses a report with a threshold profile: findings in order (INPUT, then per edge in the
 * report's edge order, then the OK summary) and the diagnosis block (profile, culprits per float
 * edge, what was checked and what was not available).
 */
export function diagnose(report: DiagnosableReport, profile: ThresholdProfile): DiagnoseResult {
  const ctx = contextOf(report);
  const findings: Finding[] = [];
  const checked: string[] = [];
  const notChecked: string[] = [];
  const culprits: Diagnosis['culprits'] = [];

  const inputHit = evaluate({ kind: 'inputs', inputs: report.inputs });
  if (report.inputs.consistent === null) notChecked.push('input identity: no input dumps found (pass --input input_uint8.bin)');
  else if (report.inputs.consistent) checked.push(`inputs: ${report.inputs.checks.filter((c) => c.equal).length} input dump(s) identical`);

  const floatEdges = report.edges.filter((e) => e.kind === 'float');
  const intEdges = report.edges.filter((e) => e.kind === 'integer');
  const perEdge: Finding[] = [];
  const views: EdgeView[] = [];
  for (const e of floatEdges) {
    const v = edgeView(e, profile);
    views.push(v);
    culprits.push({ edge: e.id, layers: v.culprits.map(culprit) });
    if (v.comparable.length === 0) {
      notChecked.push(`${e.id}: no layer could be compared (${e.summary.cannotCompare} cannot compare)`);
      continue;
    }
    const s: RuleSubject = { kind: 'float', view: v };
    const hit = evaluate(s, e.id);
    if (!hit) continue;
    if (hit.rule.code === 'OK') checked.push(`${e.id}: ${hit.rule.message(s, hit.match)}`);
    else perEdge.push(finding(hit.rule, s, hit.match, e.id, ctx));
  }
  const healthyFloat = views.filter((v) => v.comparable.length > 0);
  const floatOk = healthyFloat.length === 0 ? null : healthyFloat.every((v) => floatHealthy(v));
  for (const e of intEdges) {
    const iv = integerView(e, profile);
    const s: RuleSubject = { kind: 'integer', view: iv, profile, floatHealthy: floatOk };
    const hit = evaluate(s, e.id);
    if (hit) perEdge.push(finding(hit.rule, s, hit.match, e.id, ctx, iv.first ?? undefined));
    else if (iv.checked > 0) checked.push(`${e.id}: md5 equal on all ${iv.checked} layers compared${iv.cannotCompare.length ? ` (${iv.cannotCompare.length} cannot compare)` : ''}`);
    else notChecked.push(`${e.id}: no layer has an md5 on both sides`);
  }

  const ids = new Set(report.sources.map((s) => s.id));
  if (floatEdges.length === 0) notChecked.push('A/B/C: no float~quantized edge (pass --float with --ptq, --pc or --board)');
  if (!ids.has('board')) notChecked.push('D (chip inference): no board dumps');
  else if (intEdges.every((e) => e.b !== 'board')) notChecked.push('D (chip inference): board dumps but no integer reference (--ptq or --pc) to compare md5 with');
  notChecked.push('single-layer error, float-simulation self-check and verified fixes: need the reference re-run (not done from dumps)');

  if (inputHit) {
    const f = finding(inputHit.rule, { kind: 'inputs', inputs: report.inputs }, inputHit.match, 'inputs', ctx);
    f.evidence = { ...f.evidence, suppressed: perEdge.map((x) => `${x.code} on ${x.edge}${x.layer ? ` at ${x.layer}` : ''}`) };
    findings.push(f);
  } else {
    findings.push(...perEdge);
    const sum: RuleSubject = { kind: 'summary', checked, notChecked, problems: perEdge.length };
    const hit = evaluate(sum);
    if (hit) findings.push(finding(hit.rule, sum, hit.match, report.edges.map((e) => e.id).join(', ') || 'none', ctx));
  }
  return { findings, diagnosis: { profile: { ...profile }, culprits, checked, notChecked } };
}
