/**
 * Public surface of the diagnosis stage (TRIAGE.md): after measure, before rendering; pure
 * functions over report values, plus the vendor distance-table reader.
 *
 * - thresholds.ts: ThresholdProfile, built-in `classification` / `detection`, `--thresholds` files.
 * - edge-view.ts: a float edge with producers, cliffs, error gains, first / middle / outputs / tail.
 * - integer.ts: first md5 difference of an integer edge, mismatch clusters (channels, rows).
 * - rules.ts: the rule table (INPUT, A, OK, C, B, B-middle-dip, D, OK-summary).
 * - recommend.ts: the guide's fixes as JSON patches / commands with stable ids.
 * - diagnose.ts: diagnose(report, profile) -> findings + diagnosis block.
 * - vendor-table.ts / report-from-table.ts: the transform tool's table -> a diagnosable report.
 * - rediagnose.ts: rediagnose with other thresholds, verdictOf (reports are read by src/report/load.ts).
 */
export { diagnose, type DiagnoseResult, type DiagnosableReport } from './diagnose.js';
export { BUILTIN_PROFILES, CLASSIFICATION, DETECTION, applyOverrides, builtinProfile, loadThresholdsFile, resolveProfile, type ThresholdProfile } from './thresholds.js';
export { DATA_MOVEMENT_OPS, edgeView, okThreshold, type EdgeView, type LayerView } from './edge-view.js';
export { clusterOf, clusterText, integerView, rangesText, type Cluster, type IntegerView } from './integer.js';
export { RULES, floatHealthy, rulesFor, type Rule, type RuleMatch, type RuleSubject } from './rules.js';
export { contextOf, recommendationText, type RecommendContext } from './recommend.js';
export { parseVendorTable, readVendorTable, VENDOR_COLUMNS, type VendorRow, type VendorTable } from './vendor-table.js';
export { reportFromTable, tableLayers, type TableReportOptions } from './report-from-table.js';
export { rediagnose, verdictOf } from './rediagnose.js';
