/**
 * Acceptance: golden triage cases with known answers, built from YuNet 320 (2 calibration photos,
 * MAX_ABS) by buildGoldenCase, then verified by verifyReport (reference re-run).
 * A: float side fed R<->B swapped -> A, top probe = format swap, final cosine restored >= 0.99.
 * B: Conv_13's weights forced to 4 bits (node_quantize_bits) -> B, culprit Conv_13 by single-layer error,
 *    skip_node_quant on it verified (after > before).
 * C: 12 bits, the score Sigmoids' outputs at 4 bits -> C (tail decline), weight vs feature split measured.
 * OK: 16 bits everywhere -> OK, float self-check passes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildGoldenCase, type GoldenCase } from './golden.js';
import { verifyReport, type VerifyReportResult } from './verify-report.js';
import { DETECTION } from '../diagnose/thresholds.js';
import { fromJsonNumber, type Finding, type Report } from '../report/schema.js';
import { writeReport } from '../report/write.js';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { packageRoot } from '../version.js';

const CLI = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = (p: string) => path.resolve(repoRoot, '../shared/data', p);
const MODEL = data('models/yunet_n_320_320.onnx');
let calib = '';
const base = () => ({ format: 'BGR', width: 320, height: 320, path: calib, used_image_num: 2, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS' });

let tmp: string;
const cases: Record<string, { c: GoldenCase; v: VerifyReportResult }> = {};

async function make(name: string, config: Record<string, unknown>, floatSwapRb = false, budget = 60): Promise<void> {
  const c = await buildGoldenCase(path.join(tmp, name), { model: MODEL, image: data('images/faces_1.jpg'), width: 320, height: 320, config: { ...base(), ...config }, floatSwapRb, profile: DETECTION });
  const v = await verifyReport(c.report, { model: MODEL, config: c.config, input: c.input, params: path.join(c.dir, 'ref', 'params.json'), budgetSeconds: budget, profile: DETECTION });
  cases[name] = { c, v };
}

const problem = (name: string): Finding | undefined => cases[name]!.v.report.findings.find((f) => ['A', 'B', 'C'].includes(f.code));
const n = (x: unknown) => fromJsonNumber(x as number);

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-golden-'));
  // calibration on the input photo plus one other: the ranges cover the input (no clipping), so
  // each case's error is the one it was built with
  calib = path.join(tmp, 'calib');
  await fsp.mkdir(calib);
  await fsp.symlink(data('images/faces_1.jpg'), path.join(calib, 'a_faces_1.jpg'));
  await fsp.symlink(data('images/faces_3.jpg'), path.join(calib, 'b_faces_3.jpg'));
}, 10_000);

afterAll(async () => {
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('golden triage cases (YuNet 320, verified by reference re-runs)', () => {
  it('A: wrong channel order -> A, format swap restores the final cosine', async () => {
    await make('A', { feature_quantize_bits: 12, weight_quantize_bits: 12 }, true);
    const f = problem('A')!;
    expect(f.code).toBe('A');
    expect(f.layerInfo?.nodeName).toBe('Conv_0');
    expect(f.verified![0]!.fix).toBe('format=RGB');
    expect(n(f.verified![0]!.after.final)).toBeGreaterThanOrEqual(0.99);
    expect(n(f.verified![0]!.before.final)).toBeLessThan(0.95);
    // the first layer itself (the culprit of A) is restored too: 0.834 -> 0.999998
    expect(n(f.verified![0]!.after.culprit)).toBeGreaterThanOrEqual(0.999);
    for (const v of f.verified!.slice(1)) expect(n(v.after.final)).toBeLessThan(0.9);
  }, 300_000);

  it('B: one Conv with 4-bit weights -> B with that Conv as culprit by single-layer error; skip_node_quant verified', async () => {
    await make('B', { node_quantize_bits: { Conv_13: { weight: 4 } }, feature_quantize_bits: 12, weight_quantize_bits: 12 });
    const r = cases.B!.v.report;
    const f = problem('B')!;
    const cul = r.diagnosis!.culprits.find((c) => c.edge === f.edge)!;
    expect(f.code).toBe('B');
    expect(cul.layers[0]!.nodeName).toBe('Conv_13');
    const skip = f.verified!.find((v) => v.fix === 'skip_node_quant' && JSON.stringify(v.patch) === JSON.stringify({ skip_node_quant: ['Conv_13'] }))!;
    // measured: final 0.8218 -> 0.9998, Conv_13 0.9925 -> 0.99996
    expect(n(skip.before.final)).toBeLessThan(0.95);
    expect(n(skip.after.final)).toBeGreaterThanOrEqual(0.99);
    expect(n(skip.after.culprit)).toBeGreaterThan(n(skip.before.culprit));
    // more global bits do not help a single bad node
    const bits = f.verified!.find((v) => v.fix === 'weight_quantize_bits=14');
    if (bits) expect(n(bits.after.final)).toBeLessThan(0.95);
    // single-layer error measured on every quantized layer; Conv_13's own error is the worst before the heads
    const l13 = r.edges[0]!.layers.find((l) => l.nodeName === 'Conv_13')!;
    expect(n(l13.single!.cosine)).toBeLessThan(0.995);
    expect(r.edges[0]!.layers.filter((l) => l.single).length).toBeGreaterThan(100);
    // injection check: the first Conv sees the same input either way, so single == entire;
    // downstream of Conv_13 the entire error includes the inherited one, the single does not
    const l0 = r.edges[0]!.layers.find((l) => l.nodeName === 'Conv_0')!;
    expect(Math.abs(n(l0.single!.cosine) - n(l0.single!.entire))).toBeLessThan(1e-9);
    const l15 = r.edges[0]!.layers.find((l) => l.nodeName === 'Conv_15')!;
    expect(n(l15.single!.cosine)).toBeGreaterThan(0.9999);
    expect(n(l15.single!.entire)).toBeLessThan(n(l15.single!.cosine) - 0.004);
  }, 300_000);

  it('C: tail Sigmoids at 4 bits -> C with the weight / feature split measured', async () => {
    // the score Sigmoids (the last quarter of YuNet's layers in graph order) at 4-bit features: the
    // decline is confined to the tail, and only features are to blame
    const heads: Record<string, unknown> = {};
    for (const i of [94, 102, 110, 118, 126, 134]) heads[`Sigmoid_${i}`] = { feature: 4 };
    await make('C', { node_quantize_bits: heads, feature_quantize_bits: 12, weight_quantize_bits: 12 });
    const f = problem('C');
    expect(f?.code).toBe('C');
    const w = f!.verified!.find((v) => v.fix === 'weight_fake_quant=false')!;
    const ft = f!.verified!.find((v) => v.fix === 'feature_fake_quant=false')!;
    // measured: features off 0.7985 -> 0.99999, weights off 0.7985 -> 0.7985: the features are to blame
    expect(n(ft.before.final)).toBeLessThan(0.9);
    expect(n(ft.after.final)).toBeGreaterThanOrEqual(0.99);
    expect(Math.abs(n(w.after.final) - n(w.before.final))).toBeLessThan(0.01);
    expect(f!.verified![0]!.fix).toBe('feature_fake_quant=false');
    expect((f!.evidence!.verification as { split: { blame: string } }).split.blame).toBe('features');
  }, 300_000);

  it('OK: 16 bits -> OK, float self-check within tolerance', async () => {
    await make('OK', { feature_quantize_bits: 16, weight_quantize_bits: 16 });
    const r = cases.OK!.v.report;
    expect(r.findings.map((f) => f.code)).toEqual(['OK']);
    expect(cases.OK!.v.selfCheck.failing).toEqual([]);
    expect(cases.OK!.v.selfCheck.compared).toBeGreaterThan(100);
    expect(r.diagnosis!.checked.some((x) => x.startsWith('float self-check'))).toBe(true);
    expect(r.diagnosis!.notChecked.some((x) => /need the reference re-run/.test(x))).toBe(false);
    expect(r.verdict).toBe('parity');
  }, 300_000);

  it('CLI: triage --report --model --config --input re-runs, writes json/md/html with the verified fixes; bad input exits 2', async () => {
    const b = cases.B!.c;
    const rep = await writeReport(path.join(b.dir, 'compare'), b.report);
    const out = path.join(b.dir, 'triage');
    const common = ['triage', '--report', rep, '--model', MODEL, '--config', b.config, '--input', b.input, '--profile', 'detection'];
    const r = cli([...common, '--params', path.join(b.dir, 'ref', 'params.json'), '--budget', '2', '--out', out]);
    expect(r.stderr).not.toMatch(/Error:/);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/verified fixes/);
    expect(r.stdout).toMatch(/skip_node_quant: final 0\.8\d+ -> 0\.99\d+/);
    const j = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8')) as Report;
    const f = j.findings.find((x) => x.code === 'B')!;
    expect(f.verified![0]!.fix).toBe('skip_node_quant');
    expect(readFileSync(path.join(out, 'report.md'), 'utf8')).toMatch(/Verified fixes[\s\S]*skip_node_quant/);
    expect(readFileSync(path.join(out, 'report.html'), 'utf8')).toMatch(/Verified fixes/);
    // budget reached: the remaining fixes are listed, not silently dropped
    expect(JSON.stringify(f.evidence)).toMatch(/budget reached/);
    const bad1 = cli(['triage', '--report', rep, '--config', b.config, '--out', path.join(b.dir, 'bad1')]);
    expect(bad1.status).toBe(2);
    expect(bad1.stderr).toMatch(/--model, --config and --input/);
    const bad2 = cli([...common.slice(0, 7), path.join(b.dir, 'missing.json'), '--input', b.input, '--out', path.join(b.dir, 'bad2')]);
    expect(bad2.status).toBe(2);
    expect(bad2.stderr).toMatch(/missing\.json/);
  }, 300_000);
});
