/**
 * Sensitivity search (TRIAGE.md, guide §8.2 B: "raise the bit width of the layer where the cosine
 * drops"): which few feature tensors, promoted alone to more bits (our `node_quantize_bits`
 * extension), bring the final-output cosine to the target.
 *
 * The idea is that of mature toolchains' mixed-precision searches, re-implemented here: TPU-MLIR's
 * sensitive-layer search (`run_sensitive_layer.py`: each op in turn at higher precision, ops
 * ranked by the network-output loss, then added to the mixed-precision table until the output
 * similarity is reached) and RKNN-Toolkit's accuracy analysis (single vs entire error per layer).
 * Trying every tensor costs one integer run each; here a shortlist is picked from the
 * single-layer error (own error, float inputs injected, single-layer.ts):
 * 1. seeds: the diagnosis's culprit nodes (ranked, chosen by single error), then the other nodes by
 *    single-layer cosine, worst first;
 * 2. each seed implicates its own output, the tensors it reads, and — through weightless producers
 *    (SiLU's Mul / Sigmoid, Add) — the tensors those read. A layer whose own error is large often
 *    suffers from its INPUT's step (a narrow channel of the input amplified by its weights), and an
 *    activation passes that narrowness through unchanged;
 * 3. each shortlisted tensor is promoted alone (one run each) and ranked by the final cosine;
 * 4. greedy forward selection: start from the best one; while below the target and under the
 *    maximum count, try adding each remaining shortlisted tensor and keep the best addition
 *    (stops when no addition helps).
 * Parameters come from one histogram pass over the calibration images; a promoted tensor's
 * parameters are searched again, all others reused (calibrate.ts paramsFromHistograms `reuse`), so
 * every run is exactly what `reference` gives with the patched config. Deterministic: the same
 * runs happen in the same order; the deadline only cuts the list short (said in the result).
 */
import type { PtqConfig } from '../../reference/config/index.js';
import { paramsFromHistograms, sameInputsAndMethods, type CalibrationHistograms } from '../../reference/quantize/calibrate.js';
import { correctBiases } from '../../reference/quantize/bias-correction.js';
import { prepareQuant, type PreparedQuant } from '../../reference/quantize/prepare.js';
import { settingsOf, type QuantParams } from '../../reference/quantize/params.js';
import { toJsonNumber, type VerifiedFix } from '../report/schema.js';
import { histogramsFor, quantInput, runScored, stepOptions, type RerunContext, type RunScore } from './rerun.js';
import type { SingleLayerScore } from './single-layer.js';

export interface SensitivityOptions {
  /** Final-output cosine to reach (default 0.99, the guide's threshold). */
  target?: number;
  /** Feature bits of a promoted tensor (default 16; must exceed the tensor's bits). */
  bits?: number;
  /** At most this many tensors promoted together (default 3). */
  maxTensors?: number;
  /** Tensors probed alone (default 8). */
  shortlist?: number;
  /** Epoch ms after which no further run starts. */
  deadline: number;
  /** The culprit tensor whose cosine is reported before -> after (optional). */
  culprit?: string | null;
  onProgress?: (message: string) => void;
}

/** One shortlisted tensor: the node whose `node_quantize_bits` entry promotes it. */
export interface SensitivityUnit {
  /** node_quantize_bits key: the producing node's name (the graph input's name for the input). */
  node: string;
  tensor: string;
  opType: string;
  /** Why it was shortlisted, e.g. "input of Conv_45 (single cosine 0.993808)". */
  reason: string;
}

/** A promoted set and the final cosine it gave. */
export interface SensitivityRun {
  nodes: string[];
  tensors: string[];
  final: number;
}

export interface SensitivityResult {
  /** target-met: no search needed; found: target reached; not-reached: best set below target; skipped: budget 0 or no run possible; none: nothing to promote. */
  status: 'target-met' | 'found' | 'not-reached' | 'skipped' | 'none';
  target: number;
  bits: number;
  baselineFinal: number;
  shortlist: SensitivityUnit[];
  /** Each shortlisted tensor promoted alone, best first. */
  probes: SensitivityRun[];
  /** The greedy path: the set after each step. */
  steps: SensitivityRun[];
  /** The best set as a verified fix (absent when no set improved on the baseline). */
  fix?: VerifiedFix;
  runs: number;
  ms: number;
  /** One line for the report: what was found or why not. */
  summary: string;
}

const f6 = (x: number) => x.toFixed(6);

/** The promotable unit of a quantized feature tensor: its producer (through shared parameters to their source). */
function unitOf(prep: PreparedQuant, inputName: string, tensor: string): SensitivityUnit | null {
  let t = tensor;
  for (let i = 0; i < 64; i++) {
    const e = prep.params.features[t];
    if (!e) return null;
    if (e.method !== 'shared' || !e.sharedWith) break;
    t = e.sharedWith;
  }
  const producer = prep.model.graph.producer.get(t);
  if (!producer && t !== inputName) return null;
  return { node: producer ? producer.name : t, tensor: t, opType: producer ? producer.opType : 'input', reason: '' };
}

/** Steps 1-2: the shortlist from culprit nodes and single-layer errors. */
export function shortlistUnits(prep: PreparedQuant, inputName: string, single: ReadonlyMap<string, SingleLayerScore>, culpritNodes: readonly string[], size: number, bits: number): SensitivityUnit[] {
  const g = prep.model.graph;
  const nodes = new Map(g.nodes.map((n) => [n.name, n]));
  const singleByNode = new Map<string, number>();
  for (const s of single.values()) singleByNode.set(s.node, Math.min(singleByNode.get(s.node) ?? 1, s.cosine));
  const worst = [...singleByNode.entries()].filter(([, c]) => c < 1).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).map(([n]) => n);
  const seeds = [...new Set([...culpritNodes.filter((n) => nodes.has(n)), ...worst])];
  const out: SensitivityUnit[] = [];
  const seen = new Set<string>();
  const add = (tensor: string, reason: string) => {
    if (out.length >= size) return;
    const u = unitOf(prep, inputName, tensor);
    const e = u ? prep.params.features[u.tensor] : undefined;
    if (!u || !e || e.bits >= bits || seen.has(u.node)) return;
    seen.add(u.node);
    out.push({ ...u, reason });
  };
  const quantizedInputs = (name: string) => (nodes.get(name)?.inputs ?? []).filter((t) => t && prep.params.features[t]);
  for (const s of seeds) {
    if (out.length >= size) break;
    const node = nodes.get(s)!;
    const sc = singleByNode.get(s);
    const tag = `${s} (single cosine ${sc === undefined ? '?' : f6(sc)})`;
    for (const o of node.outputs) if (o && prep.params.features[o]) add(o, `output of ${tag}`);
    for (const t of quantizedInputs(s)) {
      add(t, `input of ${tag}`);
      const p = unitOf(prep, inputName, t);
      const pn = p ? nodes.get(p.node) : undefined;
      if (pn && !prep.weights.has(pn.name)) for (const t2 of quantizedInputs(pn.name)) add(t2, `input of ${pn.name}, which feeds ${tag}`);
    }
  }
  return out;
}

/** The config with `nodes` promoted to `bits` feature bits (other node_quantize_bits entries kept). */
export function promotedConfig(cfg: PtqConfig, nodes: readonly string[], bits: number): PtqConfig {
  const nb = { ...cfg.nodeQuantizeBits };
  for (const n of nodes) nb[n] = { ...nb[n], feature: bits };
  return { ...cfg, nodeQuantizeBits: nb };
}

/** Runs the sensitivity search (steps 3-4) for a baseline below the target. */
export async function sensitivitySearch(ctx: RerunContext, baseline: RunScore, single: ReadonlyMap<string, SingleLayerScore>, culpritNodes: readonly string[], o: SensitivityOptions): Promise<SensitivityResult> {
  const t0 = Date.now();
  const target = o.target ?? 0.99;
  const cfg = ctx.cfg;
  const bits = o.bits ?? 16;
  const say = o.onProgress ?? (() => undefined);
  const res: SensitivityResult = { status: 'none', target, bits, baselineFinal: baseline.final, shortlist: [], probes: [], steps: [], runs: 0, ms: 0, summary: '' };
  const done = (status: SensitivityResult['status'], summary: string) => Object.assign(res, { status, summary, ms: Date.now() - t0 });
  if (baseline.final >= target) return done('target-met', `sensitivity search not needed: final cosine ${f6(baseline.final)} >= target ${target}`);
  if (!Number.isInteger(bits) || bits <= cfg.featureQuantizeBits || bits > 16) return done('none', `sensitivity search: promotion to ${bits} bits is not above the config's ${cfg.featureQuantizeBits}-bit features (4..16)`);
  res.shortlist = shortlistUnits(ctx.base, ctx.inputName, single, culpritNodes, o.shortlist ?? 8, bits);
  if (!res.shortlist.length) return done('none', 'sensitivity search: no quantized tensor to promote');
  if (Date.now() >= o.deadline) return done('skipped', 'sensitivity search skipped: no time left in the budget (raise --budget)');

  say('sensitivity search: calibration histograms');
  let calib: CalibrationHistograms;
  try {
    calib = await histogramsFor(ctx, cfg);
  } catch (e) {
    return done('skipped', `sensitivity search skipped: calibration images unavailable (${(e as Error).message.split('\n')[0]})`);
  }
  // reuse the base parameters when they come from the same images and methods (else one full pass)
  const reuse: QuantParams = sameInputsAndMethods(ctx.base.params.settings, settingsOf(cfg, calib.images)) ? ctx.base.params : paramsFromHistograms(ctx.model, cfg, calib);
  const x = await quantInput(ctx);
  const byNode = new Map(res.shortlist.map((u) => [u.node, u]));
  const order = new Map(ctx.base.model.graph.nodes.map((n, i) => [n.name, i]));
  const sorted = (ns: string[]) => [...ns].sort((a, b) => (order.get(a) ?? -1) - (order.get(b) ?? -1));
  const scores = new Map<string, RunScore>();
  let cut = false;
  const run = async (nodes: string[]): Promise<SensitivityRun | null> => {
    const key = sorted(nodes).join(',');
    let s = scores.get(key);
    if (!s) {
      if (Date.now() >= o.deadline) {
        cut = true;
        return null;
      }
      say(`sensitivity search run ${res.runs + 1}: ${key} at ${bits} bits`);
      const c = promotedConfig(cfg, sorted(nodes), bits);
      const params = paramsFromHistograms(ctx.model, c, calib, [], reuse);
      let prep = prepareQuant(ctx.model, params);
      if (c.biasCorr.weightCorr || c.biasCorr.featureCorr) {
        const bc = await correctBiases(prep, c, { loadImage: ctx.loadImage, makePrepared: (p) => prepareQuant(ctx.model, p) });
        prep = prepareQuant(ctx.model, bc.params);
      }
      s = await runScored(ctx, prep, ctx.inputName, x, stepOptions(c));
      scores.set(key, s);
      res.runs++;
    }
    return { nodes: sorted(nodes), tensors: sorted(nodes).map((n) => byNode.get(n)!.tensor), final: s.final };
  };

  // 3. each alone
  for (const u of res.shortlist) {
    const r = await run([u.node]);
    if (r) res.probes.push(r);
  }
  res.probes.sort((a, b) => b.final - a.final || (a.nodes[0]! < b.nodes[0]! ? -1 : 1));
  // 4. greedy forward selection
  let best = res.probes[0];
  if (best) res.steps.push(best);
  while (best && best.final < target && best.nodes.length < (o.maxTensors ?? 3)) {
    let next: SensitivityRun | undefined;
    for (const p of res.probes) {
      if (best.nodes.includes(p.nodes[0]!)) continue;
      const r = await run([...best.nodes, p.nodes[0]!]);
      if (r && (!next || r.final > next.final)) next = r;
    }
    if (!next || next.final <= best.final) break;
    best = next;
    res.steps.push(best);
  }

  const note = cut ? ' (budget reached before the search finished: raise --budget)' : '';
  if (!best || best.final <= baseline.final) return done(cut && !best ? 'skipped' : 'not-reached', `sensitivity search: no tensor of ${res.shortlist.length} shortlisted, promoted to ${bits} bits, improved the final cosine ${f6(baseline.final)} (${res.runs} runs)${note}`);
  const s = scores.get(best.nodes.join(','))!;
  const c = promotedConfig(cfg, best.nodes, bits);
  const before: VerifiedFix['before'] = { final: toJsonNumber(baseline.final) };
  const after: VerifiedFix['after'] = { final: toJsonNumber(s.final), outputs: Object.fromEntries(Object.entries(s.outputs).map(([k, v]) => [k, toJsonNumber(v)])) };
  if (o.culprit && baseline.tensors.has(o.culprit)) before.culprit = toJsonNumber(baseline.tensors.get(o.culprit)!.cosine);
  if (o.culprit && s.tensors.has(o.culprit)) after.culprit = toJsonNumber(s.tensors.get(o.culprit)!.cosine);
  const reached = best.final >= target;
  res.fix = {
    fix: `node_quantize_bits:${best.nodes.join(',')}=${bits}`,
    patch: { node_quantize_bits: c.nodeQuantizeBits },
    before,
    after,
    why: `B reason 1/2: sensitivity search — ${best.tensors.length} tensor(s) (${best.tensors.join(', ')}) at ${bits} feature bits, everything else as configured${reached ? `, reaches the target ${target}` : `, best found below the target ${target}`}`,
    recalibrated: true,
    ms: Date.now() - t0,
    search: { tensors: best.tensors, promoted: best.tensors.length, bits, target, reached, runs: res.runs },
  };
  return done(
    reached ? 'found' : 'not-reached',
    `sensitivity search: ${best.tensors.length} tensor(s) at ${bits} bits (${best.tensors.join(', ')}): final ${f6(baseline.final)} -> ${f6(best.final)} ${reached ? '>=' : '<'} target ${target}; ${res.shortlist.length} shortlisted from single-layer errors, ${res.runs} reference runs in ${((Date.now() - t0) / 1000).toFixed(0)} s${note}`,
  );
}
