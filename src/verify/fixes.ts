/**
 * Verified recommendations (TRIAGE.md, guide §8.2): every candidate fix of an A / B / C finding
 * is applied to the config, the reference re-run (reusing the base calibration when the fix does
 * not change it, re-calibrating on the same images when it does), and the final-output cosine and
 * the culprit layer's cosine recorded before -> after, ranked by the final cosine.
 */
import type { PtqConfig } from '../../reference/config/index.js';
import type { PreparedQuant } from '../../reference/quantize/prepare.js';
import { toJsonNumber, type VerifiedFix } from '../report/schema.js';
import { calibrateFor, quantInput, runScored, stepOptions, type InputVariant, type RerunContext, type RunScore } from './rerun.js';

/** One candidate fix: how to change the config / input, and what to tell the user. */
export interface Candidate {
  /** Recommendation id (recommend.ts ids, plus `node_quantize_bits:<node>=<bits>`, `mean/var=<name>`, `layout=planar`). */
  id: string;
  patch?: Record<string, unknown>;
  command?: string;
  why: string;
  /** The config the fix runs with. */
  cfg: PtqConfig;
  input?: InputVariant;
  /** Parameters change (bits, format, mean/var, bias correction): calibrate again on the same images. */
  recalibrate: boolean;
}

const BITS = [10, 12, 14] as const;

/** The common mean/var variants of the phenomenon A probe (per channel, config channel order). */
export const MEAN_VAR_VARIANTS: { name: string; mean: number[]; var: number[] }[] = [
  { name: '0/1', mean: [0, 0, 0], var: [1, 1, 1] },
  { name: '0/255', mean: [0, 0, 0], var: [255, 255, 255] },
  { name: '127.5/127.5', mean: [127.5, 127.5, 127.5], var: [127.5, 127.5, 127.5] },
  { name: 'imagenet', mean: [123.675, 116.28, 103.53], var: [58.395, 57.12, 57.375] },
];

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]!) < 1e-9);

/** Candidates for phenomenon A: RGB<->BGR swap, mean/var variants, planar layout. */
export function inputCandidates(cfg: PtqConfig): Candidate[] {
  const out: Candidate[] = [];
  if (cfg.format !== 'GRAY') {
    const other = cfg.format === 'RGB' ? 'BGR' : 'RGB';
    out.push({ id: `format=${other}`, patch: { format: other }, why: `A: the input's channel order is the other one (config says ${cfg.format})`, cfg: { ...cfg, format: other }, input: { swapRb: true }, recalibrate: true });
  }
  const ch = cfg.mean.length;
  for (const v of MEAN_VAR_VARIANTS) {
    const mean = v.mean.slice(0, ch);
    const vr = v.var.slice(0, ch);
    if (mean.length !== ch || (same(mean, cfg.mean) && same(vr, cfg.var))) continue;
    out.push({ id: `mean/var=${v.name}`, patch: { mean: mean.join(','), var: vr.join(',') }, why: `A: mean/var as in training (${v.name})`, cfg: { ...cfg, mean, var: vr }, input: { mean, var: vr }, recalibrate: true });
  }
  out.push({ id: 'layout=planar', command: 'write input_uint8.bin as NHWC (interleaved channels); this probe reads it as planar NCHW', why: 'A: the input file layout is planar (NCHW) instead of NHWC', cfg, input: { planar: true }, recalibrate: false });
  return out;
}

/** Candidates for phenomena B / C on the culprit node(s). */
export function quantCandidates(cfg: PtqConfig, code: 'B' | 'C', culpritNodes: string[]): Candidate[] {
  const out: Candidate[] = [];
  const skip = (nodes: string[]): Candidate => {
    const list = [...new Set([...cfg.skipNodeQuant, ...nodes])];
    return { id: 'skip_node_quant', patch: { skip_node_quant: list }, why: 'B reason 2: keep the culprit in float', cfg: { ...cfg, skipNodeQuant: list }, recalibrate: false };
  };
  if (code === 'C') {
    out.push({ id: 'weight_fake_quant=false', patch: { weight_fake_quant: false }, why: 'C: weights unquantized (measures the weights\' share of the error)', cfg: { ...cfg, weightFakeQuant: false }, recalibrate: false });
    out.push({ id: 'feature_fake_quant=false', patch: { feature_fake_quant: false }, why: 'C: features unquantized (measures the features\' share of the error)', cfg: { ...cfg, featureFakeQuant: false }, recalibrate: false });
    const corrDir = cfg.biasCorr.corrDir ?? cfg.path;
    out.push({
      id: 'bias_corr',
      patch: { bias_corr: { weight_corr: true, feature_corr: true, corr_dir: cfg.biasCorr.corrDir ? cfg.biasCorr.corrDir : cfg.path, ...(cfg.biasCorr.valiDir ? { vali_dir: cfg.biasCorr.valiDir } : {}) } },
      why: 'C: bias correction of the accumulated error',
      cfg: { ...cfg, biasCorr: { weightCorr: true, featureCorr: true, corrDir, valiDir: cfg.biasCorr.valiDir } },
      recalibrate: true,
    });
  }
  if (culpritNodes.length) {
    for (const n of culpritNodes.slice(0, 3)) out.push(skip([n]));
    if (culpritNodes.length > 1) out.push(skip(culpritNodes));
  }
  for (const b of BITS) {
    if (cfg.featureQuantizeBits < b) out.push({ id: `feature_quantize_bits=${b}`, patch: { feature_quantize_bits: b }, why: 'B reason 1: more feature bits', cfg: { ...cfg, featureQuantizeBits: b }, recalibrate: true });
    if (cfg.weightQuantizeBits < b) out.push({ id: `weight_quantize_bits=${b}`, patch: { weight_quantize_bits: b }, why: 'B reason 1: more weight bits', cfg: { ...cfg, weightQuantizeBits: b }, recalibrate: true });
  }
  for (const n of culpritNodes.slice(0, 3)) {
    for (const b of BITS) {
      const nb = { ...cfg.nodeQuantizeBits, [n]: { ...cfg.nodeQuantizeBits[n], feature: b, weight: b } };
      out.push({ id: `node_quantize_bits:${n}=${b}`, patch: { node_quantize_bits: nb }, why: 'B reason 2: more bits on the culprit only (our node_quantize_bits extension)', cfg: { ...cfg, nodeQuantizeBits: nb }, recalibrate: true });
    }
  }
  return out;
}

export interface VerifyOptions {
  /** Seconds left for all fixes of this call; remaining candidates are skipped with a note. */
  deadline: number;
  onProgress?: (done: number, total: number, id: string) => void;
}

/** What `verifyCandidates` measured and skipped. */
export interface VerifyResult {
  verified: VerifiedFix[];
  skipped: string[];
  failed: { fix: string; error: string }[];
}

/** Runs one candidate and scores it. */
export async function runCandidate(ctx: RerunContext, c: Candidate): Promise<RunScore> {
  let prep: PreparedQuant = ctx.base;
  if (c.recalibrate) prep = (await calibrateFor(ctx, c.cfg)).prep;
  const x = await quantInput(ctx, c.input);
  return runScored(ctx, prep, ctx.inputName, x, stepOptions(c.cfg));
}

/**
 * Verifies candidates against a baseline run: before/after final cosine and culprit cosine
 * (`culprit`: a tensor name, or null), ranked by the final cosine after (best first).
 */
export async function verifyCandidates(ctx: RerunContext, baseline: RunScore, culprit: string | null, cands: Candidate[], o: VerifyOptions): Promise<VerifyResult> {
  const verified: VerifiedFix[] = [];
  const skipped: string[] = [];
  const failed: VerifyResult['failed'] = [];
  const before: VerifiedFix['before'] = { final: toJsonNumber(baseline.final) };
  if (culprit && baseline.tensors.has(culprit)) before.culprit = toJsonNumber(baseline.tensors.get(culprit)!.cosine);
  for (let i = 0; i < cands.length; i++) {
    const c = cands[i]!;
    if (Date.now() >= o.deadline) {
      skipped.push(...cands.slice(i).map((x) => x.id));
      break;
    }
    o.onProgress?.(i, cands.length, c.id);
    const t0 = Date.now();
    try {
      const s = await runCandidate(ctx, c);
      const after: VerifiedFix['after'] = { final: toJsonNumber(s.final), outputs: Object.fromEntries(Object.entries(s.outputs).map(([k, v]) => [k, toJsonNumber(v)])) };
      if (culprit && s.tensors.has(culprit)) after.culprit = toJsonNumber(s.tensors.get(culprit)!.cosine);
      const v: VerifiedFix = { fix: c.id, before, after, why: c.why, recalibrated: c.recalibrate, ms: Date.now() - t0 };
      if (c.patch) v.patch = c.patch;
      if (c.command) v.command = c.command;
      verified.push(v);
    } catch (e) {
      failed.push({ fix: c.id, error: (e as Error).message.split('\n')[0]! });
    }
  }
  o.onProgress?.(cands.length, cands.length, '');
  const f = (v: VerifiedFix) => {
    const x = Number(v.after.final);
    return Number.isNaN(x) ? -Infinity : x;
  };
  verified.sort((a, b) => f(b) - f(a));
  verified.forEach((v, i) => (v.rank = i + 1));
  return { verified, skipped, failed };
}
