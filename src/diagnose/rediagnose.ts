/**
 * Re-diagnosis of an existing report.json with other thresholds (`magik-parity triage --report`):
 * float layers are re-judged against the new cosineOk, first divergences recomputed, findings and
 * the diagnosis block replaced. The measured values are never touched.
 */
import { firstDivergence, summarize } from '../compare/edges.js';
import { fromJsonNumber, type Finding, type Report, type ReportEdge, type ReportInputs } from '../report/schema.js';
import { diagnose } from './diagnose.js';
import type { ThresholdProfile } from './thresholds.js';

/**
 * The report verdict: inputs first; then, when findings are given (the diagnosis ran), 'diverged'
 * iff a phenomenon A-D was found — so a middle layer within the guide's tolerated band (>= 0.98)
 * or a detection head within its profile is not a divergence although its layer status says
 * "diverged" (below cosineOk); without findings, any first divergence; then incompleteness.
 */
export function verdictOf(inputs: ReportInputs, edges: ReportEdge[], findings?: Finding[]): Report['verdict'] {
  if (inputs.consistent === false) return 'inputs-differ';
  const diverged = findings ? findings.some((f) => f.code === 'A' || f.code === 'B' || f.code === 'C' || f.code === 'D') : edges.some((e) => e.firstDivergence !== null);
  if (diverged) return 'diverged';
  if (edges.some((e) => e.summary.cannotCompare > 0 || (e.summary.unmatchedBroken ?? 0) > 0)) return 'incomplete';
  return 'parity';
}

/** A copy of `report` judged and diagnosed with `profile`. */
export function rediagnose(report: Report, profile: ThresholdProfile, command?: string[]): Report {
  const t0 = Date.now();
  const r = structuredClone(report);
  const th = { ...r.thresholds, cosine: profile.cosineOk };
  for (const e of r.edges) {
    if (e.kind !== 'float') continue;
    for (const l of e.layers) {
      if (l.status === 'cannot-compare' || l.cosine === undefined || /non-finite/.test(l.reason ?? '')) continue;
      const c = fromJsonNumber(l.cosine);
      if (c >= profile.cosineOk) {
        l.status = 'ok';
        delete l.reason;
      } else {
        l.status = 'diverged';
        l.reason = `cosine ${Number.isNaN(c) ? 'NaN' : c.toFixed(6)} < ${profile.cosineOk}`;
      }
    }
    e.firstDivergence = firstDivergence(e.layers, 'float', th);
    e.summary = summarize(e.layers);
  }
  const { findings, diagnosis } = diagnose(r, profile);
  r.thresholds = th;
  r.findings = findings;
  r.diagnosis = diagnosis;
  r.verdict = verdictOf(r.inputs, r.edges, r.findings);
  r.meta = { createdAt: new Date().toISOString(), command: command ?? [], elapsedMs: Date.now() - t0 };
  return r;
}
