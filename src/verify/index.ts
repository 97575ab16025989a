/**
 * Reference-driven diagnosis: single-layer error, float self-check and verified fixes
 * (TRIAGE.md). `verifyReport` is the entry point; the rest are its building blocks.
 */
export { verifyReport, type VerifyReportOptions, type VerifyReportResult } from './verify-report.js';
export { makeContext, quantInput, readDumpInput, calibrateFor, histogramsFor, runScored, stepOptions, score, type RerunContext, type RunScore, type TensorScore, type InputVariant, type ContextOptions } from './rerun.js';
export { singleLayerErrors, type SingleLayerScore } from './single-layer.js';
export { floatSelfCheck, SELF_CHECK_TOLERANCE, type SelfCheckResult, type SelfCheckLayer, type SelfCheckTolerance } from './self-check.js';
export { inputCandidates, quantCandidates, verifyCandidates, runCandidate, MEAN_VAR_VARIANTS, type Candidate, type VerifyResult, type VerifyOptions } from './fixes.js';
export { sensitivitySearch, shortlistUnits, promotedConfig, type SensitivityOptions, type SensitivityResult, type SensitivityUnit, type SensitivityRun } from './sensitivity.js';
