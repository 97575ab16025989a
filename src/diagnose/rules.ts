/**
 * The triage rules as data (TRIAGE.md, guide §8): one row per rule with the phenomenon code, what
 * it applies to, its condition, message and recommendations. diagnose() evaluates the rows in
 * table order; for one subject (the inputs, one edge, the summary) the first matching row wins.
 */
import type { FindingCode, ReportInputs } from '../report/schema.js';
import type { EdgeView, LayerView } from './edge-view.js';
import { comparableIndex, okThreshold } from './edge-view.js';
import type { IntegerView } from './integer.js';
import { clusterText } from './integer.js';
import type { Recommendation } from '../report/schema.js';
import { biasCorr, boardRerun, fakeQuantSplit, floatSelfCheck, inputProbes, moreBits, sameInput, sendToVendor, skipNodeQuant, type RecommendContext } from './recommend.js';
import type { ThresholdProfile } from './thresholds.js';

/** What a rule looks at. */
export type RuleSubject =
  | { kind: 'inputs'; inputs: ReportInputs }
  | { kind: 'float'; view: EdgeView }
  | { kind: 'integer'; view: IntegerView; profile: ThresholdProfile; floatHealthy: boolean | null }
  | { kind: 'summary'; checked: string[]; notChecked: string[]; problems: number };

/** A rule's match: the layer it is about and the evidence (JSON-plain). */
export interface RuleMatch {
  layer?: LayerView;
  evidence: Record<string, unknown>;
}

export interface Rule {
  id: string;
  code: FindingCode;
  severity: 'error' | 'warning' | 'info';
  appliesTo: RuleSubject['kind'];
  /** Edge kinds (for float / integer subjects: which edge ids; '*' = any). */
  edges: string[];
  when: (s: RuleSubject) => RuleMatch | null;
  message: (s: RuleSubject, m: RuleMatch) => string;
  recommend: (s: RuleSubject, m: RuleMatch, ctx: RecommendContext) => Recommendation[];
}

const f6 = (x: number | null | undefined): string => (x === null || x === undefined ? '?' : Number.isNaN(x) ? 'NaN' : Number.isFinite(x) ? x.toFixed(6) : x > 0 ? 'inf' : '-inf');
const json = (x: number | null): number | string | null => (x === null ? null : Number.isFinite(x) ? x : String(x));

/** Name + node + op, e.g. `conv1 (node Conv_3, Conv)`. */
export function layerLabel(v: LayerView): string {
  const l = v.layer;
  return `${l.name}${l.nodeName && l.nodeName !== l.name ? ` (node ${l.nodeName}${l.opType ? `, ${l.opType}` : ''})` : l.opType ? ` (${l.opType})` : ''}`;
}

function layerEvidence(v: LayerView | null): Record<string, unknown> | null {
  if (!v) return null;
  return { name: v.layer.name, order: v.layer.order, cosine: json(v.cosine), sqnrDb: json(v.sqnrDb), maxAbs: json(v.maxAbs), maxAbsRel: json(v.maxAbsRel), cliff: json(v.cliff), errorGain: json(v.gain) };
}

/** Evidence every float finding carries: first, first below, cliff, last, thresholds. */
function floatEvidence(v: EdgeView): Record<string, unknown> {
  const p = v.profile;
  return {
    first: layerEvidence(v.first),
    firstBelowThreshold: layerEvidence(v.firstBelow),
    firstCliff: layerEvidence(v.culprits[0] ?? null),
    largestCliff: layerEvidence(v.maxCliff),
    last: layerEvidence(v.last),
    outputs: v.outputs.length,
    layers: v.comparable.length,
    tailStartsAt: v.comparable[v.tailStart]?.layer.name ?? null,
    culprits: v.culprits.map((c) => c.layer.name),
    culpritsBy: v.culpritsBy,
    inputsFrom: v.graphKnown ? 'graph' : 'previous layer in order',
    thresholds: { cosineOk: p.cosineOk, cosineMiddle: p.cosineMiddle, headCosineOk: p.headCosineOk, lastBad: p.lastBad, firstMaxAbsRel: p.firstMaxAbsRel, firstMaxAbs: p.firstMaxAbs, cliffDrop: p.cliffDrop, gainCulprit: p.gainCulprit, tailFraction: p.tailFraction, profile: p.name },
  };
}

/** First layer healthy, every output >= headCosineOk, every middle layer >= cosineMiddle. */
export function floatHealthy(v: EdgeView): boolean {
  const p = v.profile;
  if (!v.first || !(v.first.cosine! >= (v.first.isOutput ? p.headCosineOk : p.cosineOk))) return false;
  if (v.outputs.some((o) => !(o.cosine! >= p.headCosineOk))) return false;
  return v.middle.every((m) => m.cosine! >= p.cosineMiddle);
}

function firstLayerBad(v: EdgeView): boolean {
  const f = v.first;
  if (!f) return false;
  const p = v.profile;
  return !(f.cosine! >= okThreshold(f, p)) || (f.maxAbsRel !== null && f.maxAbsRel >= p.firstMaxAbsRel) || (p.firstMaxAbs !== null && f.maxAbs !== null && f.maxAbs >= p.firstMaxAbs);
}

/** The layer where the decline starts: the earliest culprit (cliff and gain), else the first below threshold. */
function declineLayer(v: EdgeView): LayerView | null {
  return v.culprits[0] ?? v.firstBelow;
}

const inTail = (v: EdgeView, l: LayerView | null): boolean => l !== null && comparableIndex(v, l) >= v.tailStart;

const culpritNodes = (v: EdgeView): string[] => {
  const l = v.culprits[0] ?? v.firstBelow;
  return l ? [l.layer.nodeName ?? l.layer.name] : [];
};

function declineText(v: EdgeView): string {
  const parts: string[] = [];
  const c = v.culprits[0];
  const fb = v.firstBelow;
  const cliffText = (x: LayerView) => `cosine ${f6(x.inputCosine)} -> ${f6(x.cosine)} (drop ${f6(x.cliff)}, error gain ${x.gain === null ? '?' : x.gain === Infinity ? 'inf' : x.gain.toFixed(1)}${x.single !== null ? `, single-layer cosine ${f6(x.single)}` : ''})`;
  if (fb && fb === c) parts.push(`first below threshold and first cliff: ${layerLabel(c)} at #${c.layer.order}, ${cliffText(c)}, < ${okThreshold(c, v.profile)}`);
  else {
    if (fb) parts.push(`first below threshold: ${layerLabel(fb)} at #${fb.layer.order}, cosine ${f6(fb.cosine)} < ${okThreshold(fb, v.profile)}`);
    if (c) parts.push(`first cliff: ${layerLabel(c)} at #${c.layer.order}, ${cliffText(c)}`);
  }
  if (v.maxCliff && v.maxCliff !== c && v.maxCliff.cliff! >= v.profile.cliffDrop) parts.push(`largest cliff: ${layerLabel(v.maxCliff)}, drop ${v.maxCliff.cliff!.toFixed(4)}`);
  else if (!c && v.maxCliff) parts.push(`no single cliff >= ${v.profile.cliffDrop} with gain >= ${v.profile.gainCulprit} (largest drop ${f6(v.maxCliff.cliff)} at ${v.maxCliff.layer.name})`);
  return parts.join('; ');
}

const lastText = (v: EdgeView) => (v.last ? `${v.outputs.length > 1 ? `worst of ${v.outputs.length} outputs` : 'last layer'} ${v.last.layer.name} cosine ${f6(v.last.cosine)}` : 'no output layer');

export const RULES: Rule[] = [
  {
    id: 'input-mismatch',
    code: 'INPUT',
    severity: 'error',
    appliesTo: 'inputs',
    edges: ['*'],
    when: (s) => (s.kind === 'inputs' && s.inputs.consistent === false ? { evidence: { reference: s.inputs.reference, differing: s.inputs.checks.filter((c) => c.equal === false) } } : null),
    message: (s) => {
      if (s.kind !== 'inputs') return '';
      const bad = s.inputs.checks.filter((c) => c.equal === false);
      return `input dumps differ from ${s.inputs.reference ? s.inputs.reference.file : 'each other'}: ${bad.map((c) => `${c.source} (${c.note ?? 'differs'})`).join(', ')}; phenomena A-D not diagnosed until every source is made from the same input`;
    },
    recommend: (_s, _m, ctx) => [sameInput(ctx)],
  },
  {
    id: 'A-first-layer',
    code: 'A',
    severity: 'error',
    appliesTo: 'float',
    edges: ['*'],
    when: (s) => (s.kind === 'float' && firstLayerBad(s.view) ? { layer: s.view.first!, evidence: floatEvidence(s.view) } : null),
    message: (s, m) => {
      const v = (s as { view: EdgeView }).view;
      const f = m.layer!;
      const p = v.profile;
      const why = !(f.cosine! >= okThreshold(f, p))
        ? `cosine ${f6(f.cosine)} < ${okThreshold(f, p)}`
        : f.maxAbsRel !== null && f.maxAbsRel >= p.firstMaxAbsRel
          ? `max|Δ| ${f6(f.maxAbs)} is ${f.maxAbsRel.toFixed(2)}x the reference RMS (>= ${p.firstMaxAbsRel})`
          : `max|Δ| ${f6(f.maxAbs)} >= ${p.firstMaxAbs}`;
      return `first quantized layer ${layerLabel(f)} is already off: ${why}; the network input does not match (format RGB/BGR/GRAY, mean/var, layout)`;
    },
    recommend: (_s, _m, ctx) => inputProbes(ctx),
  },
  {
    id: 'OK-float',
    code: 'OK',
    severity: 'info',
    appliesTo: 'float',
    edges: ['*'],
    when: (s) => (s.kind === 'float' && s.view.comparable.length > 0 && floatHealthy(s.view) ? { evidence: floatEvidence(s.view) } : null),
    message: (s) => {
      const v = (s as { view: EdgeView }).view;
      const dips = v.middle.filter((m) => m.cosine! < v.profile.cosineOk).length;
      return `healthy: first ${f6(v.first?.cosine)}, ${lastText(v)}${dips ? `, ${dips} middle layer(s) in [${v.profile.cosineMiddle}, ${v.profile.cosineOk}) (allowed by the guide)` : ''}`;
    },
    recommend: () => [],
  },
  {
    id: 'C-tail-decline',
    code: 'C',
    severity: 'error',
    appliesTo: 'float',
    edges: ['*'],
    when: (s) => (s.kind === 'float' && s.view.firstBelow && inTail(s.view, s.view.firstBelow) ? { layer: s.view.firstBelow, evidence: floatEvidence(s.view) } : null),
    message: (s) => {
      const v = (s as { view: EdgeView }).view;
      const severe = v.last && v.last.cosine! < v.profile.lastBad ? `; the last layer is below ${v.profile.lastBad}, so B's causes apply too` : '';
      return `first and middle layers healthy, only the last ${v.comparable.length - v.tailStart} layers' region declines (${declineText(v)}); ${lastText(v)}: accumulated quantization error${severe}`;
    },
    recommend: (s, _m, ctx) => {
      const v = (s as { view: EdgeView }).view;
      const out = [...fakeQuantSplit(), biasCorr(), ...moreBits(10)];
      if (v.last && v.last.cosine! < v.profile.lastBad && v.culprits.length) out.push(skipNodeQuant(culpritNodes(v)));
      out.push(floatSelfCheck(ctx));
      return out;
    },
  },
  {
    id: 'B-decline',
    code: 'B',
    severity: 'error',
    appliesTo: 'float',
    edges: ['*'],
    when: (s) => (s.kind === 'float' && s.view.last && s.view.last.cosine! < s.view.profile.lastBad && declineLayer(s.view) ? { layer: declineLayer(s.view)!, evidence: floatEvidence(s.view) } : null),
    message: (s, m) => {
      const v = (s as { view: EdgeView }).view;
      return `first layer healthy (cosine ${f6(v.first?.cosine)}), decline starts at ${layerLabel(m.layer!)} (${declineText(v)}); ${lastText(v)} < ${v.profile.lastBad}`;
    },
    recommend: (s, m, ctx) => {
      const v = (s as { view: EdgeView }).view;
      return [skipNodeQuant(culpritNodes(v)), ...moreBits(10), floatSelfCheck(ctx), sendToVendor(m.layer!.layer.name)];
    },
  },
  {
    id: 'B-middle-dip',
    code: 'B',
    severity: 'warning',
    appliesTo: 'float',
    edges: ['*'],
    when: (s) => (s.kind === 'float' && declineLayer(s.view) ? { layer: declineLayer(s.view)!, evidence: floatEvidence(s.view) } : null),
    message: (s, m) => {
      const v = (s as { view: EdgeView }).view;
      return `a layer in the middle declines below the guide's healthy band: ${layerLabel(m.layer!)} (${declineText(v)}); ${lastText(v)} is still >= ${v.profile.lastBad}, milder than the guide's B`;
    },
    recommend: (s, _m, ctx) => [skipNodeQuant(culpritNodes((s as { view: EdgeView }).view)), ...moreBits(10), floatSelfCheck(ctx)],
  },
  {
    id: 'D-md5',
    code: 'D',
    severity: 'error',
    appliesTo: 'integer',
    edges: ['*'],
    when: (s) => {
      if (s.kind !== 'integer' || !s.view.first) return null;
      const l = s.view.first;
      return {
        evidence: {
          first: { name: l.name, order: l.order, mismatches: l.mismatches ?? null, count: l.count ?? null, firstMismatch: l.firstMismatch ?? null, md5: { a: l.a.md5, b: l.b.md5 }, status: l.status, reason: l.reason ?? null },
          differingLayers: s.view.differing.length,
          checkedLayers: s.view.checked,
          channels: s.view.channels,
          rows: s.view.rows,
          floatHealthy: s.floatHealthy,
          thresholds: { clusterShare: s.profile.clusterShare, clusterMaxFraction: s.profile.clusterMaxFraction, profile: s.profile.name },
        },
      };
    },
    message: (s) => {
      if (s.kind !== 'integer') return '';
      const v = s.view;
      const l = v.first!;
      const e = v.edge;
      const count = l.mismatches !== undefined ? `${l.mismatches} of ${l.count} elements differ` : `md5 differs (${l.reason ?? 'element compare not available'})`;
      const where = [v.channels ? clusterText(v.channels) : null, v.rows ? clusterText(v.rows) : null].filter(Boolean).join('; ');
      const at = l.firstMismatch ? `, first at n,h,w,c=(${l.firstMismatch.coord.join(',')})` : '';
      const who = e.b === 'board' ? 'the chip diverges' : e.a === 'ptq' && e.b === 'pc' ? 'our integer reference and the vendor PC library diverge' : `${e.b} diverges from ${e.a}`;
      const ctxText = s.floatHealthy === true ? 'float~quantized cosines are healthy, so this is phenomenon D' : s.floatHealthy === false ? 'the float~quantized edge is not healthy either (fix that first)' : 'no float~quantized edge to confirm that the cosines are healthy';
      return `${who} at ${l.name}${l.nodeName ? ` (node ${l.nodeName}${l.opType ? `, ${l.opType}` : ''})` : ''}, the first layer in order whose md5 differs: ${count}${at}${where ? `; ${where}` : ''}; ${v.differing.length} of ${v.checked} layers differ; ${ctxText}`;
    },
    recommend: (s, _m, ctx) => {
      if (s.kind !== 'integer') return [];
      const out: Recommendation[] = [];
      if (s.view.edge.b === 'board') out.push(boardRerun(ctx));
      out.push(floatSelfCheck(ctx), sendToVendor(s.view.first!.name));
      return out;
    },
  },
  {
    id: 'OK-summary',
    code: 'OK',
    severity: 'info',
    appliesTo: 'summary',
    edges: ['*'],
    when: (s) => (s.kind === 'summary' && s.problems === 0 ? { evidence: { checked: s.checked, notChecked: s.notChecked } } : null),
    message: (s) => (s.kind === 'summary' ? `no phenomenon found. Checked: ${s.checked.join('; ') || 'nothing'}. Not available: ${s.notChecked.join('; ') || 'none'}` : ''),
    recommend: () => [],
  },
];

/** The rules for one kind of subject, in table order. */
export function rulesFor(kind: RuleSubject['kind'], edgeId?: string): Rule[] {
  return RULES.filter((r) => r.appliesTo === kind && (r.edges.includes('*') || (edgeId !== undefined && r.edges.includes(edgeId))));
}
