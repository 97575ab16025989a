/**
 * A float edge as the triage rules see it: layers in graph order with plain numbers, each layer's
 * producers on the edge, its cliff (cosine drop against its worst input), error gain, and the
 * first / middle / output / tail roles of TRIAGE.md. Pure function of a ReportEdge.
 */
import type { ReportEdge, ReportLayer, JsonNumber } from '../report/schema.js';
import { fromJsonNumber } from '../report/schema.js';
import { errorFromCosine, errorGain } from '../metrics/index.js';
import type { ThresholdProfile } from './thresholds.js';

/**
 * Op types that only move or select values: their outputs are exact copies under quantization,
 * so "the first quantized operator" (TRIAGE.md) is the first layer of another type.
 */
export const DATA_MOVEMENT_OPS: ReadonlySet<string> = new Set([
  'Slice', 'Concat', 'Transpose', 'Reshape', 'Identity', 'Cast', 'Split', 'Gather', 'Flatten', 'Squeeze',
  'Unsqueeze', 'Shape', 'Pad', 'Expand', 'Tile', 'DepthToSpace', 'SpaceToDepth',
]);

export interface LayerView {
  /** Index in the edge's layers (graph order). */
  i: number;
  layer: ReportLayer;
  /** Plain numbers (NaN kept as NaN); null when the layer could not be compared. */
  cosine: number | null;
  sqnrDb: number | null;
  maxAbs: number | null;
  /** maxAbs / RMS of the reference values (from euclidean / relEuclidean / finiteCount); null if unknown. */
  maxAbsRel: number | null;
  /** Indices of the producing layers on this edge (graph inputs with --model, else the previous layer). */
  inputs: number[];
  /** How `inputs` were found: the model's graph, the previous layer in order, or the graph input only. */
  inputsFrom: 'graph' | 'previous' | 'graph-input';
  /** Worst (lowest) cosine among the inputs; 1 when fed by the graph input only (inputs are checked identical). */
  inputCosine: number;
  /** inputCosine - cosine: how much cosine this layer loses itself. */
  cliff: number | null;
  /** Lowest input SQNR minus this layer's SQNR, dB (+Infinity inputs give null). */
  sqnrDropDb: number | null;
  /** Error gain, METRICS.md, e = 1 - cosine. */
  gain: number | null;
  /** A graph output (no layer on the edge consumes it), or the last layer without a model. */
  isOutput: boolean;
  /** Single-layer cosine (layer.single, from a reference re-run); null when not measured. */
  single: number | null;
}

export interface EdgeView {
  edge: ReportEdge;
  profile: ThresholdProfile;
  /** Every layer, graph order. */
  layers: LayerView[];
  /** Layers with a cosine. */
  comparable: LayerView[];
  /** Output of the first quantized operator (first comparable non-data-movement layer). */
  first: LayerView | null;
  /** Output layers (comparable). */
  outputs: LayerView[];
  /** The worst output by cosine. */
  last: LayerView | null;
  /** Comparable layers strictly between `first` and the outputs. */
  middle: LayerView[];
  /** Index into `comparable` where the tail ("the last few layers") starts. */
  tailStart: number;
  /** First comparable layer below its threshold (headCosineOk for outputs, cosineOk otherwise). */
  firstBelow: LayerView | null;
  /** Culprits: cliff >= cliffDrop and gain >= gainCulprit; the earliest in graph order first, then by cliff (at most maxCulprits). */
  culprits: LayerView[];
  /** Largest cliff on the edge, culprit or not. */
  maxCliff: LayerView | null;
  /** True when graph inputs came from a model (report layers carry graphInputs). */
  graphKnown: boolean;
  /** How culprits were chosen: by the single-layer error when the edge has it, else by cliff and gain. */
  culpritsBy: 'single-layer' | 'cliff';
}

const num = (x: JsonNumber | undefined): number | null => (x === undefined ? null : fromJsonNumber(x));

/** The cosine threshold that applies to a layer (outputs use headCosineOk). */
export function okThreshold(v: LayerView, p: ThresholdProfile): number {
  return v.isOutput ? p.headCosineOk : p.cosineOk;
}

function refRms(l: ReportLayer): number | null {
  const e = num(l.euclidean);
  const rel = num(l.relEuclidean);
  const n = l.finiteCount ?? l.count;
  if (e === null || rel === null || !n || !(rel > 0) || !Number.isFinite(rel)) return null;
  return e / rel / Math.sqrt(n);
}

/** Builds the view of a float edge (layers are taken in the order given: graph order). */
export function edgeView(edge: ReportEdge, profile: ThresholdProfile): EdgeView {
  const layers = edge.layers;
  const graphKnown = layers.some((l) => l.graphInputs !== undefined);
  const byName = new Map<string, number>();
  layers.forEach((l, i) => byName.set(l.name, i));
  const views: LayerView[] = layers.map((l, i) => {
    // NaN/Inf on one side only: cosine over the finite pairs would hide it, so the layer counts as NaN (below any threshold)
    const nonFinite = l.status === 'diverged' && /non-finite/.test(l.reason ?? '');
    const cosine = l.status === 'cannot-compare' ? null : nonFinite ? NaN : num(l.cosine);
    const maxAbs = cosine === null ? null : num(l.maxAbs);
    const rms = refRms(l);
    return {
      i,
      layer: l,
      cosine,
      sqnrDb: cosine === null ? null : num(l.sqnrDb),
      maxAbs,
      maxAbsRel: maxAbs !== null && rms !== null && rms > 0 ? maxAbs / rms : null,
      inputs: [],
      inputsFrom: 'previous',
      inputCosine: 1,
      cliff: null,
      sqnrDropDb: null,
      gain: null,
      isOutput: false,
      single: l.single ? fromJsonNumber(l.single.cosine) : null,
    };
  });
  const comparable = views.filter((v) => v.cosine !== null);
  // producers
  let prev: LayerView | null = null;
  const consumed = new Set<number>();
  for (const v of views) {
    const gi = v.layer.graphInputs;
    if (gi !== undefined) {
      const found = gi.map((n) => byName.get(n)).filter((x): x is number => x !== undefined);
      if (gi.length === 0) v.inputsFrom = 'graph-input';
      else if (found.length > 0) {
        v.inputs = found;
        v.inputsFrom = 'graph';
      }
      for (const j of found) consumed.add(j);
    }
    if (v.inputsFrom === 'previous' && prev) v.inputs = [prev.i];
    if (v.cosine !== null) prev = v;
  }
  for (const v of comparable) {
    const ins = v.inputs.map((j) => views[j]!).filter((x) => x.cosine !== null);
    v.inputCosine = ins.length ? Math.min(...ins.map((x) => x.cosine!)) : 1;
    v.cliff = v.inputCosine - v.cosine!;
    const inSqnr = ins.length ? Math.min(...ins.map((x) => x.sqnrDb ?? Infinity)) : Infinity;
    v.sqnrDropDb = Number.isFinite(inSqnr) && v.sqnrDb !== null && Number.isFinite(v.sqnrDb) ? inSqnr - v.sqnrDb : null;
    const g = errorGain(errorFromCosine(v.cosine!), ins.map((x) => errorFromCosine(x.cosine!)));
    v.gain = Number.isNaN(g) ? null : g;
  }
  if (graphKnown) for (const v of comparable) v.isOutput = !consumed.has(v.i);
  else if (comparable.length) comparable[comparable.length - 1]!.isOutput = true;
  const outputs = comparable.filter((v) => v.isOutput);
  const first = comparable.find((v) => !v.isOutput && !DATA_MOVEMENT_OPS.has(v.layer.opType ?? '')) ?? comparable[0] ?? null;
  const last = outputs.length ? outputs.reduce((a, b) => (b.cosine! < a.cosine! ? b : a)) : null;
  const middle = comparable.filter((v) => v !== first && !v.isOutput && (first === null || v.i > first.i));
  const tailStart = Math.min(comparable.length - 1, Math.floor(comparable.length * (1 - profile.tailFraction)));
  const firstBelow = comparable.find((v) => !(v.cosine! >= okThreshold(v, profile))) ?? null;
  const ranked = comparable.filter((v) => v.cliff !== null && !Number.isNaN(v.cliff)).sort((a, b) => b.cliff! - a.cliff! || a.i - b.i);
  // culprits[0] is where the decline starts (the earliest qualifying layer in graph order): error
  // introduced there propagates, and downstream layers can show larger cliffs by merely amplifying
  // it (e.g. a Sigmoid on near-zero logits), so the largest cliff is not the origin. The others
  // follow by cliff size.
  // with single-layer errors (a re-run step measured each layer's own error) the culprits are the
  // layers whose own error is at least cliffDrop, largest first; inherited error no longer misleads
  const culpritsBy = comparable.some((v) => v.single !== null) ? 'single-layer' : 'cliff';
  const qualifying =
    culpritsBy === 'single-layer'
      ? comparable.filter((v) => v.single !== null && !(1 - v.single < profile.cliffDrop)).sort((a, b) => a.single! - b.single! || a.i - b.i)
      : ranked.filter((v) => v.cliff! >= profile.cliffDrop && (v.gain ?? 0) >= profile.gainCulprit);
  const earliest = qualifying.reduce<LayerView | null>((a, b) => (a === null || b.i < a.i ? b : a), null);
  const culprits = earliest ? [earliest, ...qualifying.filter((v) => v !== earliest)].slice(0, profile.maxCulprits) : [];
  return { edge, profile, layers: views, comparable, first, outputs, last, middle, tailStart: Math.max(0, tailStart), firstBelow, culprits, maxCliff: ranked[0] ?? null, graphKnown, culpritsBy };
}

/** Position of a layer within the comparable layers (-1 when not comparable). */
export function comparableIndex(v: EdgeView, l: LayerView): number {
  return v.comparable.indexOf(l);
}
