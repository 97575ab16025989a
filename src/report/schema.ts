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
  /** How metrics were obtained: raw values, dequantized with known params, or fitted. */
  valueMode?: 'raw' | 'dequantized' | 'fitted';
  /** e_k / max over graph inputs of e_j (METRICS.md), with --model. */
  errorGain?: JsonNumber;
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
  summary: { layers: number; ok: number; diverged: number; cannotCompare: number; md5Equal: number; minCosine: JsonNumber | null };
}

export interface Thresholds {
  /** Float edges: a layer with cosine below this has diverged (guide §8: 0.99). */
  cosine: number;
}

export interface Finding {
  code: string;
  edge: string;
  layer?: string;
  message: string;
  evidence?: Record<string, unknown>;
  recommendations?: string[];
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
  /** 'parity': every edge within thresholds; 'incomplete': some layers cannot be compared; 'diverged'; 'inputs-differ'. */
  verdict: 'parity' | 'diverged' | 'inputs-differ' | 'incomplete';
  /** Not part of the comparable content: when and how the report was made. */
  meta: { createdAt: string; command: string[]; elapsedMs: number };
}
