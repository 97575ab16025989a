/**
 * Edges: every pair of sources is aligned, each aligned pair becomes a measure job, and the
 * results become report layers with a status and the edge's first divergence.
 */
import type { Source } from './sources.js';
import { SOURCE_ORDER } from './sources.js';
import { alignDumpSets, type AlignedPair } from '../align/align.js';
import { ruleKeys } from '../align/rules.js';
import type { DumpEntry, DumpSet } from '../dumps/types.js';
import { resolveShape } from '../dumps/open.js';
import { DTYPES, elementCount } from '../tensor/dtype.js';
import type { MeasureJob, MeasureResult } from '../measure/types.js';
import type { FirstDivergence, ReportEdge, ReportLayer, SideInfo, Thresholds, JsonNumber } from '../report/schema.js';
import { fromJsonNumber } from '../report/schema.js';

/** What the model says about a tensor (from --model): its place in topological order and node. */
export interface LayerLabel {
  order: number;
  tensorName: string;
  nodeName: string;
  opType: string;
  /** Sanitized names of the node's non-constant inputs. */
  dataInputs: string[];
}

export interface PlannedEdge {
  id: string;
  a: Source;
  b: Source;
  kind: 'integer' | 'float';
  setA: DumpSet;
  setB: DumpSet;
  pairs: AlignedPair[];
  unmatchedA: DumpEntry[];
  unmatchedB: DumpEntry[];
}

/**
 * Forms the edges, in canonical order: float against the first quantized source only (float~ptq,
 * else float~pc, else float~board: the quantization error is measured once), and every pair of
 * quantized sources (ptq~pc, ptq~board, pc~board: bit-exactness of the chain).
 */
export function planEdges(sources: Source[]): PlannedEdge[] {
  const edges: PlannedEdge[] = [];
  const sorted = [...sources].sort((x, y) => SOURCE_ORDER.indexOf(x.id) - SOURCE_ORDER.indexOf(y.id));
  const firstQuantized = sorted.find((s) => s.integer);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!;
      const b = sorted[j]!;
      if (!a.integer && b !== firstQuantized) continue;
      const kind = a.integer && b.integer ? 'integer' : 'float';
      // Against a float source, an integer source's float view (dequantized dumps) is used when present.
      const setA = kind === 'float' && a.integer && a.dequant ? a.dequant : a.set;
      const setB = kind === 'float' && b.integer && b.dequant ? b.dequant : b.set;
      const al = alignDumpSets(setA, setB);
      edges.push({ id: `${a.id}~${b.id}`, a, b, kind, setA, setB, pairs: al.pairs, unmatchedA: al.unmatchedA, unmatchedB: al.unmatchedB });
    }
  }
  return edges;
}

/** Looks a dump name up in the model's labels, trying the suffix rules in order. */
export function labelFor(name: string, labels?: Map<string, LayerLabel>): LayerLabel | undefined {
  if (!labels) return undefined;
  for (const { key } of ruleKeys(name)) {
    const l = labels.get(key);
    if (l) return l;
  }
  return undefined;
}

/** A label's data inputs as layer names (tensor names), the graph input itself left out. */
export function graphInputNames(label: LayerLabel, labels: Map<string, LayerLabel>): string[] {
  const out: string[] = [];
  for (const s of label.dataInputs) {
    const l = labels.get(s);
    if (l && l.opType !== 'Input') out.push(l.tensorName);
  }
  return out;
}

interface PreparedLayer {
  layer: ReportLayer;
  job: MeasureJob | null;
}

function side(e: DumpEntry): SideInfo {
  const s: SideInfo = { file: e.file, name: e.name, dtype: e.dtype, shape: e.shape, size: e.size, md5: null };
  if (e.scale !== undefined) s.scale = e.scale;
  if (e.zeroPoint !== undefined) s.zeroPoint = e.zeroPoint;
  return s;
}

function sameShape(x: number[], y: number[]): boolean {
  return x.length === y.length && x.every((d, i) => d === y[i]);
}

/** Turns aligned pairs into report layers (status pending) and measure jobs. */
export function prepareLayers(edge: PlannedEdge, nextId: { n: number }, labels?: Map<string, LayerLabel>): PreparedLayer[] {
  const out: PreparedLayer[] = [];
  edge.pairs.forEach((p, i) => {
    // the input dumps are checked once, byte for byte, by the input-identity stage (inputs.ts)
    if (p.rule === 'input') return;
    let a = p.a;
    let b = p.b;
    // borrow a shape from the other side when one side has none (board folders without a log)
    if (!a.shape && b.shape && !a.problem) a = resolveShape(a, b.shape);
    if (!b.shape && a.shape && !b.problem) b = resolveShape(b, a.shape);
    const label = labelFor(a.name, labels) ?? labelFor(b.name, labels);
    const layer: ReportLayer = {
      order: label ? label.order : i,
      name: label?.tensorName ?? a.originalName ?? b.originalName ?? a.name,
      shape: a.shape ?? b.shape,
      rule: p.rule,
      a: side(a),
      b: side(b),
      md5Equal: null,
      status: 'ok',
    };
    if (label && labels) layer.graphInputs = graphInputNames(label, labels);
    const nodeName = label?.nodeName ?? a.nodeName ?? b.nodeName;
    const opType = label?.opType ?? a.opType ?? b.opType;
    if (nodeName) layer.nodeName = nodeName;
    if (opType) layer.opType = opType;
    const id = nextId.n++;
    const why = (e: DumpEntry) => e.problem!.reason.replace(/^cannot compare:\s*/, '');
    const problems = [a.problem ? `${edge.a.id}: ${why(a)}` : null, b.problem ? `${edge.b.id}: ${why(b)}` : null].filter(Boolean);
    const md5Job = (reason: string): PreparedLayer => {
      layer.status = 'cannot-compare';
      layer.reason = reason;
      // md5 needs no shape: still computed when both files exist and are readable
      const readable = (e: DumpEntry) => !e.problem || e.problem.code === 'size-mismatch' || e.problem.code === 'no-shape' || e.problem.code === 'empty-file';
      const job: MeasureJob | null = readable(a) && readable(b)
        ? { id, a: { file: a.file, dataOffset: 0, dtype: 'uint8' }, b: { file: b.file, dataOffset: 0, dtype: 'uint8' }, shape: null, count: 0, mode: 'md5-only', fitSide: null }
        : null;
      return { layer, job };
    };
    if (problems.length) {
      layer.problemSide = a.problem && b.problem ? 'both' : a.problem ? 'a' : 'b';
      return void out.push(md5Job(`cannot compare: ${problems.join('; ')}`));
    }
    if (!a.shape || !b.shape || !a.dtype || !b.dtype) {
      return void out.push(md5Job('cannot compare: shape unknown on both sides (pass --pc-log / --board-log, --shapes, or --model)'));
    }
    let count: number;
    try {
      count = elementCount(a.shape);
    } catch {
      return void out.push(md5Job(`cannot compare: shape [${a.shape.join(',')}] is too large`));
    }
    if (!sameShape(a.shape, b.shape) && count !== elementCount(b.shape)) {
      return void out.push(md5Job(`cannot compare: shapes differ ([${a.shape.join(',')}] vs [${b.shape.join(',')}])`));
    }
    const intA = DTYPES[a.dtype].integer;
    const intB = DTYPES[b.dtype].integer;
    const known = (e: DumpEntry) => e.scale !== undefined && e.zeroPoint !== undefined;
    let mode: MeasureJob['mode'] = 'float';
    let fitSide: MeasureJob['fitSide'] = null;
    if (intA && intB) mode = 'integer';
    else if (intA && !intB && !known(a)) fitSide = 'a';
    else if (intB && !intA && !known(b)) fitSide = 'b';
    // Integer pairs hold the same tensor quantized with the same parameters: when only one side
    // knows them (our manifest vs a vendor/board dump), both sides are dequantized with them, so
    // the float metrics are in real units; without any, raw codes are compared.
    if (mode === 'integer' && known(a) !== known(b)) {
      const k = known(a) ? a : b;
      if (!known(a)) a = { ...a, scale: k.scale, zeroPoint: k.zeroPoint };
      if (!known(b)) b = { ...b, scale: k.scale, zeroPoint: k.zeroPoint };
    }
    const ms = (e: DumpEntry) => ({ file: e.file, dataOffset: e.dataOffset, dtype: e.dtype!, ...(e.scale !== undefined ? { scale: e.scale, zeroPoint: e.zeroPoint ?? 0 } : {}) });
    layer.valueMode = fitSide ? 'fitted' : (intA && known(a)) || (intB && known(b)) ? 'dequantized' : 'raw';
    out.push({ layer, job: { id, a: ms(a), b: ms(b), shape: a.shape, count, mode, fitSide } });
  });
  return out;
}

/** Fills a layer from its measure result and decides its status. */
export function finishLayer(layer: ReportLayer, res: MeasureResult | undefined, kind: 'integer' | 'float', th: Thresholds): void {
  if (!res) return;
  if (res.error) {
    layer.status = 'cannot-compare';
    layer.reason = `cannot compare: ${res.error}`;
    return;
  }
  layer.a.md5 = res.md5A;
  layer.b.md5 = res.md5B;
  layer.md5Equal = res.md5A === res.md5B;
  if (layer.status === 'cannot-compare' || !res.metrics) return;
  Object.assign(layer, res.metrics);
  const nf = layer.nonFinite;
  const nonFiniteDiffers = nf && (nf.a.nan !== nf.b.nan || nf.a.posInf !== nf.b.posInf || nf.a.negInf !== nf.b.negInf);
  if (kind === 'integer') {
    if (!layer.md5Equal) {
      layer.status = 'diverged';
      layer.reason = `md5 differs${layer.mismatches !== undefined ? `: ${layer.mismatches} of ${layer.count} elements` : ''}`;
    }
  } else {
    const cos = fromJsonNumber(layer.cosine as JsonNumber);
    if (nonFiniteDiffers) {
      layer.status = 'diverged';
      layer.reason = 'non-finite values (NaN/Inf) on one side only';
    } else if (!(cos >= th.cosine)) {
      layer.status = 'diverged';
      layer.reason = `cosine ${Number.isNaN(cos) ? 'NaN' : cos.toFixed(6)} < ${th.cosine}`;
    }
  }
}

/** The first diverging layer in order (input dumps excluded: inputs are checked separately). */
export function firstDivergence(layers: ReportLayer[], kind: 'integer' | 'float', th: Thresholds): FirstDivergence | null {
  for (const l of layers) {
    if (l.rule === 'input') continue;
    if (l.status !== 'diverged') continue;
    if (kind === 'integer') return { name: l.name, order: l.order, metric: 'md5', value: l.mismatches !== undefined ? l.mismatches : 'differs' };
    return { name: l.name, order: l.order, metric: 'cosine', value: l.cosine ?? 'NaN', threshold: th.cosine };
  }
  return null;
}

/** Summary counts of an edge. */
export function summarize(layers: ReportLayer[]): ReportEdge['summary'] {
  let minCos: number | null = null;
  for (const l of layers) {
    if (l.cosine === undefined) continue;
    const c = fromJsonNumber(l.cosine);
    if (!Number.isNaN(c) && (minCos === null || c < minCos)) minCos = c;
  }
  return {
    layers: layers.length,
    ok: layers.filter((l) => l.status === 'ok').length,
    diverged: layers.filter((l) => l.status === 'diverged').length,
    cannotCompare: layers.filter((l) => l.status === 'cannot-compare').length,
    md5Equal: layers.filter((l) => l.md5Equal === true).length,
    minCosine: minCos,
  };
}
