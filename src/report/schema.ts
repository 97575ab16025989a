/**
 * report.json, schema v1: the one contract every renderer (terminal, markdown, html, bundle,
 * diff) and later stage builds on. Renderers never compute metrics; they read this.
 * Numbers that can be ±Infinity or NaN are written as the strings "Infinity", "-Infinity", "NaN".
 * Everything outside `meta` is deterministic for the same inputs (no timestamps, stable order).
 */
import type { MatchRule } from '../align/rules.js';
import type { JsonNumber, LayerMetricsJson } from '../metrics/json.js';
export { toJsonNumber, fromJsonNumber, type JsonNumber } from '../metrics/json.js';

export const REPORT_SCHEMA_VERSION = 1;

export type SourceId = 'float' | 'ptq' | 'pc' | 'board';

export interface ReportSource {
  id: SourceId;
  /** Folder given on the command line (as given). */
  root: string;
  folderKind: string;
  log?: string;
  entries: number;
  ignored: { file: string; reason: string }[];
  warnings: string[];
}

export interface InputCheck {
  source: SourceId | 'input';
  file: string | null;
  md5: string | null;
  /** Equal to --input on the compared channels. null when there is nothing to check. */
  equal: boolean | null;
  channels: number | null;
  note?: string;
}

export interface ReportInputs {
  /** md5 of --input (null when not given). */
  reference: { file: string; md5: string } | null;
  /** True when every source's input dump equals --input (or, without --input, each other). */
  consistent: boolean | null;
  checks: InputCheck[];
}

export interface SideInfo {
  file: string;
  name: string;
  dtype: string | null;
  shape: number[] | null;
  size: number;
  md5: string | null;
  scale?: number;
  zeroPoint?: number;
}

export type LayerStatus = 'ok' | 'diverged' | 'cannot-compare';

/** One aligned layer of an edge: identity and status, plus the metric block of src/metrics (JSON form). */
export interface ReportLayer extends Partial<LayerMetricsJson> {
  /** Position along the edge (graph order with --model, else execution order). */
  order: number;
  /** Display name: the original tensor name when known, else the sanitized one. */
  name: string;
  nodeName?: string;
  opType?: string;
  shape: number[] | null;
  rule: MatchRule;
  a: SideInfo;
  b: SideInfo;
  md5Equal: boolean | null;
  status: LayerStatus;
  reason?: string;
  /** For a cannot-compare layer whose file is damaged: which side's file ('a', 'b' or 'both'). */
  problemSide?: 'a' | 'b' | 'both';
  /** How metrics were obtained: raw values, dequantized with known params, or fitted. */
  valueMode?: 'raw' | 'dequantized' | 'fitted';
  /** e_k / max over graph inputs of e_j (METRICS.md), with --model. */
  errorGain?: JsonNumber;
  /** With --model: the layer's graph data inputs, as layer `name`s (tensor names); [] when fed by the graph input only. */
  graphInputs?: string[];
  /**
   * Single-layer error (filled by a reference re-run step, not from dumps): this layer run alone on
   * the float reference inputs, quantized, compared with the float output. When present on an
   * edge, the diagnosis picks culprits by it instead of by cliff.
   */
  single?: { cosine: JsonNumber; sqnrDb?: JsonNumber; /** The re-run's entire (normal integer run) cosine of the same tensor. */ entire?: JsonNumber };
  /** Layers read from the vendor's distance table: its other columns (FORMATS.md §3). */
  vendor?: { cosineMin: JsonNumber; cosineMax: JsonNumber; eucDistance: JsonNumber; stdDev: JsonNumber; maxAbs01: JsonNumber; line: number };
}

export interface FirstDivergence {
  name: string;
  order: number;
  metric: 'md5' | 'cosine' | 'cannot-compare';
  value: JsonNumber | string;
  threshold?: number;
}

export interface ReportEdge {
  id: string;
  a: SourceId;
  b: SourceId;
  /** integer: both sides integer dumps (exact compare); float: at least one side float. */
  kind: 'integer' | 'float';
  layers: ReportLayer[];
  firstDivergence: FirstDivergence | null;
  unmatched: { a: string[]; b: string[] };
  summary: {
    layers: number;
    ok: number;
    diverged: number;
    cannotCompare: number;
    md5Equal: number;
    minCosine: JsonNumber | null;
    /** Unmatched entries whose file is damaged or missing (they make the edge incomplete). */
    unmatchedBroken?: number;
  };
}

export interface Thresholds {
  /** Float edges: a layer with cosine below this has diverged (guide §8: 0.99). */
  cosine: number;
}

/** Phenomenon codes (TRIAGE.md): the guide's A-D, OK, and the input-identity check. */
export type FindingCode = 'A' | 'B' | 'C' | 'D' | 'OK' | 'INPUT';

/** The layer a finding is about (graph order position, tensor name, node, op type, shape). */
export interface FindingLayer {
  name: string;
  order: number;
  nodeName?: string;
  opType?: string;
  shape: number[] | null;
}

/**
 * One concrete thing to do. `config`: a JSON patch to merge into ptq_config.json (the vendor's
 * keys); `command`: a shell command line; `check`: something to inspect by hand. `id` is stable
 * (e.g. "skip_node_quant", "feature_quantize_bits=10") so a later re-run step can verify it.
 */
export interface Recommendation {
  id: string;
  kind: 'config' | 'command' | 'check';
  /** The guide's reason this addresses, in words. */
  why: string;
  patch?: Record<string, unknown>;
  command?: string;
  what?: string;
}

/** Measured effect of one recommendation (filled by a re-run step, not by diagnosis from dumps). */
export interface VerifiedFix {
  /** Recommendation id. */
  fix: string;
  patch?: Record<string, unknown>;
  before: { final?: JsonNumber; culprit?: JsonNumber; [k: string]: unknown };
  after: { final?: JsonNumber; culprit?: JsonNumber; [k: string]: unknown };
  [k: string]: unknown;
}

export interface Finding {
  code: FindingCode | string;
  /** Rule id from src/diagnose/rules.ts that produced it. */
  rule?: string;
  severity?: 'error' | 'warning' | 'info';
  edge: string;
  /** Display name of the layer (same as layerInfo.name). */
  layer?: string;
  layerInfo?: FindingLayer;
  message: string;
  /** Metric values that triggered the rule and the thresholds used (JSON-plain). */
  evidence?: Record<string, unknown>;
  /** Recommendations as one line of text each (what the terminal prints). */
  recommendations?: string[];
  /** The same recommendations, structured. */
  actions?: Recommendation[];
  /** Slot for the re-run step: each recommendation's measured effect. */
  verified?: VerifiedFix[];
}

/** A layer named as introducing error on an edge (ranked by cliff). */
export interface Culprit {
  name: string;
  order: number;
  nodeName?: string;
  opType?: string;
  cosine: JsonNumber;
  /** Cosine of the worst graph input (or the previous layer) minus this layer's cosine. */
  cliff: JsonNumber;
  sqnrDropDb: JsonNumber | null;
  errorGain: JsonNumber | null;
  /** Single-layer cosine when a re-run measured it (culprits are then chosen by it). */
  single?: JsonNumber;
}

/** What the diagnosis stage adds besides findings. */
export interface Diagnosis {
  /** The threshold profile used (every value, after overrides). */
  profile: Record<string, unknown> & { name: string };
  culprits: { edge: string; layers: Culprit[] }[];
  checked: string[];
  notChecked: string[];
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  model?: { file: string; md5: string } | null;
  sources: ReportSource[];
  inputs: ReportInputs;
  edges: ReportEdge[];
  thresholds: Thresholds;
  findings: Finding[];
  /** Diagnosis details (src/diagnose): profile, culprits per edge, what was and was not checked. */
  diagnosis?: Diagnosis;
  /**
   * 'parity': every edge within thresholds; 'incomplete': some layers cannot be compared; 'diverged'
   * (a phenomenon A-D was found, see src/diagnose/rediagnose.ts verdictOf); 'inputs-differ'.
   */
  verdict: 'parity' | 'diverged' | 'inputs-differ' | 'incomplete';
  /** Not part of the comparable content: when and how the report was made. */
  meta: { createdAt: string; command: string[]; elapsedMs: number };
}
