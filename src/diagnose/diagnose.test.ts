/**
 * Known-answer tests of the diagnosis through the real pipeline: YuNet float dumps from runFloat,
 * compared by compare() with --model labels, against (A) the same model fed with R and B swapped,
 * (B) a copy of the model with one middle Conv's weights perturbed, (C) dump-level noise on the
 * last layers only, (OK) an identical copy, (INPUT) a run on another image; and (D) the golden PC
 * vs board dumps.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { writeFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { compare } from '../compare/compare.js';
import { runFloat } from '../float/run-float.js';
import { modelLabels } from '../compare/model-labels.js';
import { syntheticImage, sharedModel } from '../../scripts/synthetic-input.js';
import { tmpDir } from '../../golden/temp-golden.js';
import type { LayerLabel } from '../compare/edges.js';
import type { Finding, Report } from '../report/schema.js';
import { fromJsonNumber } from '../report/schema.js';
import { diagnose } from './diagnose.js';
import { rediagnose } from './rediagnose.js';
import { CLASSIFICATION, DETECTION } from './thresholds.js';
import { addNoise, copyDir, perturbConvWeights, readManifest } from './test-fixtures.js';

const MODEL = sharedModel('yunet_n_320_320.onnx');
let dir: string;
let input: string;
let f1: string;
let labels: { labels: Map<string, LayerLabel>; identity: { file: string; md5: string } };

beforeAll(async () => {
  dir = tmpDir('magik-diag-');
  input = path.join(dir, 'magik_input_nhwc_1_320_320_3.bin');
  writeFileSync(input, syntheticImage(1, 320, 320, 3, 11));
  f1 = path.join(dir, 'f1');
  await runFloat({ model: MODEL, input, mean: [0, 0, 0], var: [1, 1, 1], out: f1 });
  labels = await modelLabels(MODEL);
});

const run = (ptq: string, extra: Partial<Parameters<typeof compare>[0]> = {}) =>
  compare({ float: f1, ptq, input, labels: labels.labels, model: labels.identity, threads: 2, ...extra });

const only = (r: Report, code: string): Finding => {
  const fs = r.findings.filter((f) => f.code === code);
  expect(fs, JSON.stringify(r.findings.map((f) => [f.code, f.message]))).toHaveLength(1);
  return fs[0]!;
};

describe('diagnose: phenomena from real YuNet dumps', () => {
  it('A: input with R and B swapped -> A at the first Conv, with the swap probe recommended', async () => {
    const fs = path.join(dir, 'swapped');
    await runFloat({ model: MODEL, input, mean: [0, 0, 0], var: [1, 1, 1], swapRb: true, out: fs });
    const r = await run(fs);
    const a = only(r, 'A');
    expect(r.findings).toHaveLength(1);
    expect(a.edge).toBe('float~ptq');
    expect(a.rule).toBe('A-first-layer');
    const first = readManifest(f1).filter((t) => t.opType === 'Conv')[0]!;
    expect(a.layerInfo).toMatchObject({ name: first.tensorName, nodeName: first.nodeName, opType: 'Conv', shape: [1, 160, 160, 16] });
    const ev = a.evidence as { first: { cosine: number }; thresholds: { cosineOk: number } };
    expect(ev.first.cosine).toBeLessThan(0.99);
    expect(ev.thresholds.cosineOk).toBe(0.99);
    expect(a.actions!.map((x) => x.id)).toEqual(['check-format-mean-var', 'probe-swap-rb', 'probe-mean-var', 'format=BGR', 'format=RGB']);
    expect(a.actions![3]!.patch).toEqual({ format: 'BGR' });
    expect(a.actions![1]!.command).toContain('--swap-rb');
    expect(a.actions![1]!.command).toContain(MODEL);
  });

  it('B: one middle Conv with perturbed weights -> B naming it by cliff and error gain, skip_node_quant on its node', async () => {
    const bad = perturbConvWeights(MODEL, path.join(dir, 'perturbed.onnx'), 9, 0.6);
    const fb = path.join(dir, 'fb');
    await runFloat({ model: bad.file, input, mean: [0, 0, 0], var: [1, 1, 1], out: fb });
    const r = await run(fb);
    const b = only(r, 'B');
    expect(r.findings.map((f) => f.code)).toEqual(['B']);
    expect(b.rule).toBe('B-decline');
    expect(b.layer).toBe(bad.tensorName);
    expect(b.layerInfo!.nodeName).toBe(bad.nodeName);
    const l = r.edges[0]!.layers.find((x) => x.name === bad.tensorName)!;
    // every layer before it in graph order is exact (the weights are the only change)
    for (const x of r.edges[0]!.layers) if (x.order < l.order) expect(fromJsonNumber(x.cosine!)).toBe(1);
    expect(fromJsonNumber(l.cosine!)).toBeLessThan(0.99);
    expect(fromJsonNumber(l.errorGain!)).toBe(Infinity);
    const ev = b.evidence as { firstBelowThreshold: { name: string }; firstCliff: { name: string; cliff: number }; largestCliff: { name: string }; last: { cosine: number }; culprits: string[] };
    expect(ev.firstBelowThreshold.name).toBe(bad.tensorName);
    expect(ev.firstCliff.name).toBe(bad.tensorName);
    expect(ev.firstCliff.cliff).toBeCloseTo(1 - fromJsonNumber(l.cosine!), 12);
    // downstream, a Sigmoid objectness head amplifies the inherited error into a larger cliff: reported, but not the origin
    expect(ev.largestCliff.name).not.toBe(bad.tensorName);
    expect(ev.culprits[0]).toBe(bad.tensorName);
    expect(ev.last.cosine).toBeLessThan(0.95);
    expect(b.actions![0]).toMatchObject({ id: 'skip_node_quant', kind: 'config', patch: { skip_node_quant: [bad.nodeName] } });
    expect(b.actions!.map((x) => x.id)).toContain('feature_quantize_bits=10');
    expect(b.actions!.map((x) => x.id)).toContain('float-self-check');
    expect(r.diagnosis!.culprits[0]!.layers[0]).toMatchObject({ name: bad.tensorName, nodeName: bad.nodeName, opType: 'Conv', errorGain: 'Infinity' });
  });

  it('C: only the last layers degrade gradually -> C with weight/feature split and bias_corr', async () => {
    const fc = copyDir(f1, path.join(dir, 'fc'));
    const layers = readManifest(f1).filter((t) => t.role !== 'input' && t.opType !== 'Input').sort((x, y) => x.order - y.order);
    const tail = layers.slice(-5);
    const cosines = [0.995, 0.985, 0.975, 0.965, 0.955];
    tail.forEach((t, i) => addNoise(path.join(fc, t.file), cosines[i]!, 100 + i));
    const r = await run(fc);
    const c = only(r, 'C');
    expect(r.findings.map((f) => f.code)).toEqual(['C']);
    expect(c.layer).toBe(tail[1]!.tensorName); // the first below 0.99
    const ev = c.evidence as { first: { cosine: number }; last: { cosine: number }; tailStartsAt: string };
    expect(ev.first.cosine).toBe(1);
    expect(ev.last.cosine).toBeLessThan(0.99);
    expect(c.actions!.map((x) => x.id)).toEqual(['weight_fake_quant=false', 'feature_fake_quant=false', 'bias_corr', 'feature_quantize_bits=10', 'weight_quantize_bits=10', 'float-self-check']);
    expect(c.actions![2]!.patch).toEqual({ bias_corr: { weight_corr: true, feature_corr: true, vali_dir: './validated_images', corr_dir: './test_image' } });
  });

  it('OK: identical copy -> one OK finding listing the edges checked and those not available', async () => {
    const fo = copyDir(f1, path.join(dir, 'fo'));
    const r = await run(fo);
    const ok = only(r, 'OK');
    expect(r.findings).toHaveLength(1);
    expect(ok.message).toMatch(/Checked: .*float~ptq: healthy/);
    expect(ok.message).toContain('D (chip inference): no board dumps');
    expect(r.diagnosis!.checked.some((x) => x.startsWith('inputs:'))).toBe(true);
    expect(r.diagnosis!.notChecked).toContain('D (chip inference): no board dumps');
    expect(r.diagnosis!.culprits).toEqual([{ edge: 'float~ptq', layers: [] }]);
    expect(r.verdict).toBe('parity');
  });

  it('INPUT: sources made from different images -> the input finding first, the rest suppressed with a note', async () => {
    const other = path.join(dir, 'other');
    const in2 = path.join(tmpDir('magik-in2-'), 'magik_input_nhwc_1_320_320_3.bin');
    writeFileSync(in2, syntheticImage(1, 320, 320, 3, 12));
    await runFloat({ model: MODEL, input: in2, mean: [0, 0, 0], var: [1, 1, 1], out: other });
    const r = await run(other);
    expect(r.findings.map((f) => f.code), JSON.stringify(r.inputs)).toEqual(["INPUT"]);
    const f = r.findings[0]!;
    expect(f.message).toMatch(/input dumps differ/);
    expect(f.message).toMatch(/A-D not diagnosed/);
    expect((f.evidence as { suppressed: string[] }).suppressed.length).toBe(1);
    expect(f.actions![0]!.id).toBe('same-input');
    expect(r.verdict).toBe('inputs-differ');
  });

  it('re-diagnosis of a report with other thresholds changes the verdict predictably', async () => {
    const fc = copyDir(f1, path.join(dir, 'fd'));
    const layers = readManifest(f1).filter((t) => t.role !== 'input' && t.opType !== 'Input').sort((x, y) => x.order - y.order);
    addNoise(path.join(fc, layers[layers.length - 1]!.file), 0.985, 7);
    const r = JSON.parse(JSON.stringify(await run(fc))) as Report;
    // classification: an output head at ~0.985 is below 0.99 -> C (the decline is in the tail)
    expect(diagnose(r, CLASSIFICATION).findings.map((f) => f.code)).toEqual(['C']);
    // detection tolerates heads from 0.98 -> OK
    expect(diagnose(r, DETECTION).findings.map((f) => f.code)).toEqual(['OK']);
    // the verdict follows the diagnosis: the head is still below cosineOk (a first divergence), yet parity
    const rd = rediagnose(r, DETECTION);
    expect(rd.edges[0]!.firstDivergence!.name).toBe(layers[layers.length - 1]!.tensorName);
    expect([r.verdict, rd.verdict]).toEqual(['diverged', 'parity']);
  });
});

describe('diagnose: phenomenon D on the golden PC vs board dumps', () => {
  it('names the corrupted layer, its mismatch count, and where a clustered corruption sits', async () => {
    const { goldenTmp } = await import('../../golden/temp-golden.js');
    const g = await goldenTmp();
    const gi = g.index;
    const pcDir = path.join(g.dir, gi.pc.dir);
    const r = await compare({ pc: pcDir, pcLog: path.join(g.dir, gi.pc.log), board: path.join(g.dir, gi.board.dir), threads: 2 });
    const d = only(r, 'D');
    const c = gi.board.corrupted;
    expect(d.edge).toBe('pc~board');
    expect(d.layer).toBe(c.pcName);
    expect(d.message).toContain(`${c.mismatchCount} of 128 elements differ`);
    expect(d.message).toContain(`first at n,h,w,c=(${c.firstMismatch.nhwc.join(',')})`);
    expect(d.message).toContain('no float~quantized edge');
    expect((d.evidence as { first: { mismatches: number } }).first.mismatches).toBe(c.mismatchCount);
    expect(d.actions!.map((x) => x.id)).toEqual(['board-vs-reference', 'float-self-check', 'send-to-vendor']);

    // a board copy where 414 is restored and 432_0 is corrupted in channels 2-3 only
    const board = copyDir(path.join(g.dir, gi.board.dir), tmpDir('magik-board-'));
    const pcFile = (n: string) => path.join(g.dir, gi.pc.entries.find((e) => e.name === n)!.file);
    writeFileSync(path.join(board, `${c.pcName}_out.bin`), readFileSync(pcFile(c.pcName)));
    const target = gi.pc.entries.find((e) => e.name === 'backbone_relu_1')!; // uint8 [1,2,2,16]
    const [, h, w, ch] = target.shape as [number, number, number, number];
    const bytes = new Uint8Array(readFileSync(pcFile(target.name)));
    let changed = 0;
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (const k of [2, 3]) { bytes[(y * w + x) * ch + k] ^= 0x5a; changed++; }
    bytes[1 * ch] ^= 1; // one stray mismatch: pixel (0,1), channel 0
    writeFileSync(path.join(board, `${target.name}_out.bin`), bytes);
    const r2 = await compare({ pc: pcDir, pcLog: path.join(g.dir, gi.pc.log), board, boardLog: path.join(g.dir, gi.board.log), threads: 2 });
    const d2 = only(r2, 'D');
    expect(d2.layer).toBe(target.name);
    const total = changed + 1;
    expect(d2.message).toContain(`${total} of ${h * w * ch} elements differ`);
    expect(d2.message).toContain(`${Math.round((changed / total) * 100)}% of mismatches in channels 2-3 (2 of ${ch})`);
    const ev = d2.evidence as { channels: { positions: number[]; clustered: boolean } };
    expect(ev.channels).toMatchObject({ positions: [2, 3], clustered: true });
  });
});
