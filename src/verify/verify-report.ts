/**
 * The reference-driven part of the diagnosis (TRIAGE.md): given a report made from dumps plus the
 * model, the PTQ config and input_uint8.bin, re-run the reference to
 * 1. measure each layer's single-layer error (own error, float inputs injected) next to its entire
 *    error (the normal integer run), fill `layer.single` and re-diagnose (culprits by single error);
 * 2. self-check the float simulation (reference float mode vs onnxruntime on the same input);
 * 3. verify every candidate fix of each A / B / C finding, ranked by final cosine, within a budget.
 */
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { loadModel } from '../onnx/load.js';
import type { OnnxModel } from '../onnx/types.js';
import { sanitizeName } from '../names.js';
import { loadPtqConfig } from '../../reference/config/index.js';
import { prepareQuant } from '../../reference/quantize/prepare.js';
import { readParamsFile } from '../../reference/quantize/params-file.js';
import type { ImageLoader } from '../../reference/quantize/image-source.js';
import { fromJsonNumber, toJsonNumber, type Finding, type JsonNumber, type Report, type VerifiedFix } from '../report/schema.js';
import { rediagnose, verdictOf } from '../diagnose/rediagnose.js';
import type { ThresholdProfile } from '../diagnose/thresholds.js';
import { makeContext, quantInput, runScored, stepOptions, type RunScore } from './rerun.js';
import { singleLayerErrors, type SingleLayerScore } from './single-layer.js';
import { floatSelfCheck, type SelfCheckResult } from './self-check.js';
import { inputCandidates, quantCandidates, verifyCandidates } from './fixes.js';
import { sensitivitySearch, type SensitivityResult } from './sensitivity.js';
import { engineFor, type KernelChoice } from '../ptq/run-reference.js';

export interface VerifyReportOptions {
  /** The ONNX model (file or loaded). */
  model: string | OnnxModel;
  /** ptq_config.json. */
  config: string;
  /** input_uint8.bin (uint8 NHWC). */
  input: string;
  /** Reuse these parameters (params.json of `magik-parity reference`) instead of calibrating. */
  params?: string;
  /** Seconds for verifying fixes (default 120); fixes not reached are listed as skipped. */
  budgetSeconds?: number;
  profile: ThresholdProfile;
  loadImage?: ImageLoader;
  /** Progress lines (e.g. to stderr on a TTY). */
  onProgress?: (message: string) => void;
  command?: string[];
  /** Integer kernels of the re-runs (default 'fast'; results are identical, only the speed differs). */
  kernels?: KernelChoice;
  /** Threads of the fast kernels. */
  threads?: number;
  /**
   * The sensitivity search of B / C findings (sensitivity.ts), run first within the budget; false
   * to skip it. Default: target final cosine 0.99, promotion to 16 bits, at most 3 tensors.
   */
  sensitivity?: false | { target?: number; bits?: number; maxTensors?: number; shortlist?: number };
}

export interface VerifyReportResult {
  report: Report;
  baseline: RunScore;
  single: Map<string, SingleLayerScore>;
  selfCheck: SelfCheckResult;
  warnings: string[];
}

const RERUN_NOTE = /^single-layer error, float-simulation self-check and verified fixes/;

/** Re-runs the reference for `report` and returns an updated copy (the input report is not modified). */
export async function verifyReport(report: Report, o: VerifyReportOptions): Promise<VerifyReportResult> {
  const t0 = Date.now();
  const say = o.onProgress ?? (() => undefined);
  const model = typeof o.model === 'string' ? await loadModel(o.model) : o.model;
  const cfg = await loadPtqConfig(o.config);
  const warnings = [...cfg.warnings];
  if (report.model && report.model.md5 !== model.md5) warnings.push(`${model.file}: md5 ${model.md5} differs from the report's model ${report.model.file} (${report.model.md5})`);
  const prepared = o.params ? prepareQuant(model, await readParamsFile(o.params), o.params) : undefined;
  const floatSrc = report.sources.find((s) => s.id === 'float');
  const floatDumps = floatSrc && existsSync(path.resolve(floatSrc.root, 'input.bin')) ? path.resolve(floatSrc.root) : undefined;
  say(prepared ? 'float truth run' : 'calibrating + float truth run');
  const fast = await engineFor(o.kernels ?? 'fast', o.threads);
  const ctx = await makeContext({ model, cfg, inputFile: o.input, floatDumps, prepared, loadImage: o.loadImage, fast });
  warnings.push(...ctx.warnings);

  say('integer run (entire error)');
  const baseline = await runScored(ctx, ctx.base, ctx.inputName, await quantInput(ctx), stepOptions(cfg));
  say('single-layer runs');
  const single = singleLayerErrors(ctx.base, ctx.truth, { ...stepOptions(cfg), fast });

  // fill layer.single on every float edge (matched by tensor name or its sanitized dump name)
  const bySan = new Map<string, string>();
  for (const name of single.keys()) bySan.set(sanitizeName(name), name);
  const r0 = structuredClone(report);
  for (const e of r0.edges) {
    if (e.kind !== 'float') continue;
    for (const l of e.layers) {
      const key = single.has(l.name) ? l.name : bySan.get(sanitizeName(l.name));
      const s = key ? single.get(key) : undefined;
      if (!s) continue;
      const ent = baseline.tensors.get(key!);
      l.single = { cosine: toJsonNumber(s.cosine), sqnrDb: toJsonNumber(s.sqnrDb), ...(ent ? { entire: toJsonNumber(ent.cosine) } : {}) };
    }
  }
  const r = rediagnose(r0, o.profile, o.command);

  say('float self-check (reference float vs onnxruntime)');
  const selfCheck = await floatSelfCheck(model, ctx.inputName, ctx.truthInput);
  const d = r.diagnosis!;
  d.notChecked = d.notChecked.filter((x) => !RERUN_NOTE.test(x));
  for (const f of r.findings) if (f.rule === 'OK-summary') f.message = f.message.replace(/; single-layer error, float-simulation self-check and verified fixes: need the reference re-run \(not done from dumps\)|single-layer error, float-simulation self-check and verified fixes: need the reference re-run \(not done from dumps\)/, '');
  const filled = r.edges.filter((e) => e.kind === 'float').reduce((n, e) => n + e.layers.filter((l) => l.single).length, 0);
  d.checked.push(`single-layer error: ${single.size} quantized tensors re-run alone on float inputs (${filled} report layers filled); final cosine of the re-run ${baseline.final.toFixed(6)}`);
  const problems = r.findings.filter((f) => f.code === 'A' || f.code === 'B' || f.code === 'C');
  if (selfCheck.failing.length) {
    const w = selfCheck.failing[0]!;
    const f: Finding = {
      code: 'B',
      rule: 'B-float-simulation',
      severity: 'warning',
      edge: 'reference-float~onnxruntime',
      layer: w.name,
      layerInfo: { name: w.name, order: -1, nodeName: w.node, opType: w.opType, shape: null },
      message: `the reference's float simulation differs from onnxruntime: first at ${w.name} (node ${w.node}, ${w.opType}) cosine ${w.cosine.toFixed(6)}, max|diff| ${w.maxAbs.toExponential(3)} (${w.maxAbsRel.toExponential(2)} of max|value|); ${selfCheck.failing.length} of ${selfCheck.compared} tensors beyond tolerance (guide B reason 3 / D reason 1)`,
      evidence: { failing: selfCheck.failing.slice(0, 20), compared: selfCheck.compared, tolerance: selfCheck.tolerance },
    };
    r.findings = [f, ...r.findings.filter((x) => x.rule !== 'OK-summary')];
  } else {
    d.checked.push(`float self-check: reference float vs onnxruntime on ${selfCheck.compared} tensors within cosine >= ${selfCheck.tolerance.cosine}, max|diff| <= ${selfCheck.tolerance.maxAbsRel} of max|value| (worst ${selfCheck.worst ? `${selfCheck.worst.name} cosine ${selfCheck.worst.cosine.toFixed(7)}` : 'none'})`);
  }

  // verified fixes: one verification per (code, culprits), shared by findings on several edges
  const deadline = Date.now() + 1000 * (o.budgetSeconds ?? 120);
  const cache = new Map<string, Awaited<ReturnType<typeof verifyCandidates>>>();
  const searches = new Map<string, SensitivityResult>();
  for (const f of problems) {
    const code = f.code as 'A' | 'B' | 'C';
    const edgeCulprits = d.culprits.find((c) => c.edge === f.edge)?.layers ?? [];
    const nodes = [...new Set(edgeCulprits.map((c) => c.nodeName ?? c.name).filter((n) => ctx.base.model.graph.nodes.some((x) => x.name === n)))];
    const culpritTensor = f.layer ? (baseline.tensors.has(f.layer) ? f.layer : (bySan.get(sanitizeName(f.layer)) ?? null)) : null;
    const key = `${code}|${nodes.join(',')}|${culpritTensor}`;
    let res = cache.get(key);
    const skey = `${nodes.join(',')}|${culpritTensor}`;
    let sens = code === 'A' ? undefined : searches.get(skey);
    if (!res) {
      const cands = code === 'A' ? inputCandidates(cfg) : quantCandidates(cfg, code, nodes);
      const search = code !== 'A' && o.sensitivity !== false;
      const onProgress = (i: number, n: number, id: string) => (id ? say(`verifying ${code} fix ${i + 1}/${n}: ${id}`) : undefined);
      // with a sensitivity search to follow, the listed fixes get half of the time left first, the
      // search the rest; fixes not reached then resume while time remains
      const half = search ? Date.now() + Math.max(0, deadline - Date.now()) / 2 : deadline;
      res = await verifyCandidates(ctx, baseline, culpritTensor, cands, { deadline: half, onProgress });
      if (search) {
        sens ??= await sensitivitySearch(ctx, baseline, single, nodes, { ...(o.sensitivity || {}), deadline, culprit: culpritTensor, onProgress: say });
        searches.set(skey, sens);
        if (res.skipped.length && Date.now() < deadline) {
          const more = await verifyCandidates(ctx, baseline, culpritTensor, cands.slice(cands.length - res.skipped.length), { deadline, onProgress });
          res = { verified: [...res.verified, ...more.verified], skipped: more.skipped, failed: [...res.failed, ...more.failed] };
        }
      }
      cache.set(key, res);
    }
    f.verified = withSearchFix(res.verified, sens);
    const split = blameSplit(res.verified);
    f.evidence = {
      ...f.evidence,
      verification: {
        truthFrom: ctx.truthFrom,
        culpritTensor,
        baselineFinal: toJsonNumber(baseline.final),
        skipped: res.skipped,
        failed: res.failed,
        budgetSeconds: o.budgetSeconds ?? 120,
        ...(split ? { split } : {}),
        ...(sens ? { sensitivity: sensitivityEvidence(sens) } : {}),
        ...(res.skipped.length ? { note: `budget reached: ${res.skipped.length} fix(es) not verified (raise --budget)` } : {}),
      },
    };
  }
  r.verdict = verdictOf(r.inputs, r.edges, r.findings);
  r.meta = { createdAt: new Date().toISOString(), command: o.command ?? [], elapsedMs: Date.now() - t0 };
  return { report: r, baseline, single, selfCheck, warnings };
}

/** The verified fixes with the sensitivity search's set ranked in by final cosine (a new array; ranks renumbered). */
function withSearchFix(verified: VerifiedFix[], sens: SensitivityResult | undefined): VerifiedFix[] {
  const all = sens?.fix ? [...verified.map((v) => ({ ...v })), { ...sens.fix }] : verified.map((v) => ({ ...v }));
  const fin = (v: VerifiedFix) => {
    const x = fromJsonNumber((v.after.final ?? 'NaN') as JsonNumber);
    return Number.isNaN(x) ? -Infinity : x;
  };
  // stable: equal cosines keep their order (the search's set after the fixes of the same cosine)
  all.sort((a, b) => fin(b) - fin(a));
  all.forEach((v, i) => (v.rank = i + 1));
  return all;
}

/** The JSON-plain record of a search for evidence.verification.sensitivity. */
function sensitivityEvidence(s: SensitivityResult): Record<string, unknown> {
  const run = (r: { nodes: string[]; tensors: string[]; final: number }) => ({ nodes: r.nodes, tensors: r.tensors, final: toJsonNumber(r.final) });
  return {
    status: s.status,
    summary: s.summary,
    target: s.target,
    bits: s.bits,
    baselineFinal: toJsonNumber(s.baselineFinal),
    shortlist: s.shortlist,
    probes: s.probes.map(run),
    steps: s.steps.map(run),
    ...(s.fix ? { fix: s.fix.fix, patch: s.fix.patch, promoted: s.steps.at(-1)?.tensors.length ?? 0 } : {}),
    runs: s.runs,
    ms: s.ms,
  };
}

/**
 * Guide §8.2 C: which kind of quantization causes the error, from the two fake-quant runs (final
 * cosine with weights unquantized vs with features unquantized): the one whose removal recovers
 * more than 3/4 of the lost cosine is to blame; both when neither does alone.
 */
function blameSplit(v: { fix: string; before: { final?: unknown }; after: { final?: unknown } }[]): Record<string, unknown> | null {
  const w = v.find((x) => x.fix === 'weight_fake_quant=false');
  const f = v.find((x) => x.fix === 'feature_fake_quant=false');
  if (!w || !f) return null;
  const num = (x: unknown) => (typeof x === 'number' ? x : Number(x));
  const before = num(w.before.final);
  const lost = 1 - before;
  const recW = lost > 0 ? (num(w.after.final) - before) / lost : 0;
  const recF = lost > 0 ? (num(f.after.final) - before) / lost : 0;
  const blame = recF >= 0.75 && recW < 0.75 ? 'features' : recW >= 0.75 && recF < 0.75 ? 'weights' : 'both';
  return { finalBefore: before, weightsUnquantized: num(w.after.final), featuresUnquantized: num(f.after.final), recoveredByWeightsOff: recW, recoveredByFeaturesOff: recF, blame };
}

