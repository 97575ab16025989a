/**
 * The vendor's distance table: parsing a log written in the tool's format (ANSI colours, tabs,
 * wrapped rows, scientific notation, nan/inf, repeated header) with known values, triage from it
 * alone (synthetic B; and our own YuNet figures re-printed in the vendor's columns must give the
 * same culprit as the dump-based diagnosis), `--report` re-diagnosis, and bad input (exit 2).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseVendorTable } from './vendor-table.js';
import { reportFromTable } from './report-from-table.js';
import { CLASSIFICATION } from './thresholds.js';
import { tmpDir } from '../../golden/temp-golden.js';
import { packageRoot } from '../version.js';
import { runFloat } from '../float/run-float.js';
import { compare } from '../compare/compare.js';
import { modelLabels } from '../compare/model-labels.js';
import { syntheticImage, sharedModel } from '../../scripts/synthetic-input.js';
import { perturbConvWeights } from './test-fixtures.js';
import { fromJsonNumber, type Report } from '../report/schema.js';

const CLI = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const E = '\x1b[';
const HEADER = 'feature name                          cosine_avg  cosine_min  cosine_max  euc_distan  stand_devi  max_absolu  max_abs_0~1';

/** A log in the tool's format around the given table body lines. */
function vendorLog(body: string[]): string {
  return [
    `${E}32m[INFO]${E}0m load model ok`,
    `${E}32m[INFO]${E}0m quantize with KL, 8 bits`,
    `${E}1;33m<<<=============== ptq model compute distance ===============>>>${E}0m`,
    `${E}36m${HEADER}${E}0m`,
    ...body,
    '',
    `${E}32m[INFO]${E}0m save ptq model to ./result/ptq_model.mk.h`,
  ].join('\r\n');
}

const row = (name: string, c: number, mx = 0.02) => `${name}\t${c.toFixed(5)}  ${(c - 0.0002).toFixed(5)}  ${Math.min(1, c + 0.0001).toFixed(5)}  0.00445  0.00121  ${mx.toFixed(5)}  0.16431`;

describe('vendor distance table: parsing', () => {
  it('reads every row with its values through ANSI codes, tabs, wrapping, sci notation, nan/inf and a repeated header', () => {
    const log = vendorLog([
      `${E}0mfunctional_1/conv2d/Relu 0.99996 0.99975 0.99998 0.00445 0.00121 0.02141 0.16431${E}0m`,
      'functional_1/block_1_expand/a_very_long_node_name_that_the_tool_wrapped_onto_its_own_line',
      '    0.99871\t0.99650   0.99950   1.2e-02   3.4E-03   0.05210   0.22100',
      'functional_1/block_1_depthwise/Relu6 0.99500 0.99100',
      '   0.99800 0.01100 0.00300 0.07000 0.30000',
      HEADER,
      '427 nan -inf inf 0.1 0.2 inf 1',
      '411_Quantize +0.98000 0.97000 0.99000 .5 5e-1 1.0e+00 0.9',
    ]);
    const t = parseVendorTable(log, 'transform.log');
    expect(t.bannerLine).toBe(3);
    expect(t.rows.map((r) => r.name)).toEqual([
      'functional_1/conv2d/Relu',
      'functional_1/block_1_expand/a_very_long_node_name_that_the_tool_wrapped_onto_its_own_line',
      'functional_1/block_1_depthwise/Relu6',
      '427',
      '411_Quantize',
    ]);
    expect(t.rows[0]).toEqual({ name: 'functional_1/conv2d/Relu', cosineAvg: 0.99996, cosineMin: 0.99975, cosineMax: 0.99998, eucDistance: 0.00445, stdDev: 0.00121, maxAbs: 0.02141, maxAbs01: 0.16431, line: 5 });
    expect(t.rows[1]).toMatchObject({ cosineAvg: 0.99871, eucDistance: 0.012, stdDev: 0.0034, line: 6 });
    expect(t.rows[2]).toMatchObject({ cosineMin: 0.991, cosineMax: 0.998, maxAbs01: 0.3, line: 8 });
    expect(t.rows[3]!.cosineAvg).toBeNaN();
    expect(t.rows[3]).toMatchObject({ cosineMin: -Infinity, cosineMax: Infinity, maxAbs: Infinity });
    expect(t.rows[4]).toMatchObject({ cosineAvg: 0.98, eucDistance: 0.5, stdDev: 0.5, maxAbs: 1 });
    expect(t.warnings).toEqual([]);
  });

  it('uses the last of several tables and warns; a broken row is skipped with a warning naming its line', () => {
    const one = vendorLog([row('a', 0.5)]);
    const two = vendorLog([row('b', 0.999), 'c 0.9 0.9 oops', row('d', 0.998)]);
    const t = parseVendorTable(`${one}\n${two}`, 'x.log');
    expect(t.rows.map((r) => r.name)).toEqual(['b', 'd']);
    expect(t.warnings[0]).toMatch(/2 distance tables; using the last one/);
    expect(t.warnings[1]).toMatch(/x\.log:\d+: incomplete row "c 0.9 0.9"/);
  });

  it('a log without the table, or with an empty table -> UserError naming the file', () => {
    expect(() => parseVendorTable('[INFO] nothing here\n', 'plain.log')).toThrow(/plain\.log: no distance table/);
    expect(() => parseVendorTable(vendorLog([]), 'empty.log')).toThrow(/empty\.log:3: the distance table has no rows/);
  });
});

describe('triage from the vendor table', () => {
  it('synthetic B in table order: decline starts at conv4, culprit by cliff, skip_node_quant on it', () => {
    const cos = [0.9995, 0.9993, 0.999, 0.97, 0.96, 0.95, 0.94, 0.935, 0.93, 0.92];
    const t = parseVendorTable(vendorLog(cos.map((c, i) => row(`net/conv${i + 1}`, c))), 'b.log');
    const r = reportFromTable(t, CLASSIFICATION);
    expect(r.findings.map((f) => f.code)).toEqual(['B']);
    const b = r.findings[0]!;
    expect(b.layer).toBe('net/conv4');
    expect(b.actions![0]!.patch).toEqual({ skip_node_quant: ['net/conv4'] });
    expect((b.evidence as { firstCliff: { cliff: number } }).firstCliff.cliff).toBeCloseTo(0.999 - 0.97, 10);
    expect(r.edges[0]!.firstDivergence).toMatchObject({ name: 'net/conv4', metric: 'cosine', value: 0.97 });
    expect(r.diagnosis!.notChecked[0]).toMatch(/vendor table only/);
    // commands name dump folders, never the log: placeholders stay
    expect(b.actions!.find((x) => x.id === 'float-self-check')!.command).toContain('--ptq <result/path/float_model>');
  });

  it('A from a bad first row; healthy table -> OK; the CLI writes report.json and exits 1 / 0', () => {
    const dir = tmpDir('magik-vt-');
    const a = path.join(dir, 'a.log');
    writeFileSync(a, vendorLog([row('conv1', 0.93), row('conv2', 0.92), row('fc', 0.9)]));
    const ra = cli(['triage', '--vendor-log', a, '--out', path.join(dir, 'ra')]);
    expect(ra.status).toBe(1);
    expect(ra.stdout).toMatch(/\[A\] float~ptq: first quantized layer conv1/);
    expect(ra.stdout).toContain('--swap-rb');
    const rep = JSON.parse(readFileSync(path.join(dir, 'ra', 'report.json'), 'utf8')) as Report;
    expect(rep.findings[0]!.code).toBe('A');
    expect(rep.edges[0]!.layers[0]!.vendor).toMatchObject({ maxAbs01: 0.16431 });
    const ok = path.join(dir, 'ok.log');
    writeFileSync(ok, vendorLog([row('conv1', 0.9999), row('conv2', 0.985), row('fc', 0.995)]));
    const rok = cli(['triage', '--vendor-log', ok, '--out', path.join(dir, 'rok')]);
    expect(rok.status).toBe(0);
    expect(rok.stdout).toMatch(/\[OK\].*no phenomenon found/);
    expect(rok.stdout).toMatch(/1 middle layer\(s\) in \[0.98, 0.99\)/);
  });

  it('bad input: no table, unknown profile key, both/neither source -> exit 2 with the reason', () => {
    const dir = tmpDir('magik-vt-bad-');
    const plain = path.join(dir, 'plain.log');
    writeFileSync(plain, 'Log: Data dumping to:./MAGIK_DATA_DUMP/411_Quantize.bin--->shape:[1,192,320,12]\n');
    const r1 = cli(['triage', '--vendor-log', plain]);
    expect(r1.status).toBe(2);
    expect(r1.stderr).toContain(`${plain}: no distance table`);
    const th = path.join(dir, 'th.json');
    writeFileSync(th, JSON.stringify({ cosineOk: 0.99, lastbad: 0.9 }));
    const r2 = cli(['triage', '--vendor-log', plain, '--thresholds', th]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain(`${th}: unknown key "lastbad"`);
    expect(r2.stderr).toMatch(/allowed keys: .*lastBad/);
    writeFileSync(th, JSON.stringify({ cosineOk: 1.5 }));
    const r3 = cli(['triage', '--vendor-log', plain, '--thresholds', th]);
    expect(r3.stderr).toContain('"cosineOk" is 1.5');
    expect(r3.stderr).toContain('allowed: a number in (-1, 1]');
    expect(cli(['triage']).status).toBe(2);
    expect(cli(['triage', '--vendor-log', plain, '--report', th]).status).toBe(2);
    writeFileSync(th, JSON.stringify({ schemaVersion: 7, edges: [] }));
    const r4 = cli(['triage', '--report', th]);
    expect(r4.status).toBe(2);
    expect(r4.stderr).toMatch(/schema version 7/);
  });
});

describe('triage: our YuNet figures in the vendor columns give the dump-based verdict', () => {
  let report: Report;
  let model: string;
  beforeAll(async () => {
    const dir = tmpDir('magik-vt-yunet-');
    model = sharedModel('yunet_n_320_320.onnx');
    const input = path.join(dir, 'magik_input_nhwc_1_320_320_3.bin');
    writeFileSync(input, syntheticImage(1, 320, 320, 3, 21));
    await runFloat({ model, input, mean: [0, 0, 0], var: [1, 1, 1], out: path.join(dir, 'f') });
    const bad = perturbConvWeights(model, path.join(dir, 'p.onnx'), 9, 0.6);
    await runFloat({ model: bad.file, input, mean: [0, 0, 0], var: [1, 1, 1], out: path.join(dir, 'q') });
    const labels = await modelLabels(model);
    report = await compare({ float: path.join(dir, 'f'), ptq: path.join(dir, 'q'), input, labels: labels.labels, model: labels.identity, threads: 2 });
  });

  it('rows keyed by node names, printed in reverse order: with --model the graph order and the B culprit come back', () => {
    const e = report.edges[0]!;
    const rows = e.layers.map((l) => row(l.nodeName!, fromJsonNumber(l.cosine!), fromJsonNumber(l.maxAbs!))).reverse();
    const dir = tmpDir('magik-vt-log-');
    const log = path.join(dir, 'yunet.log');
    writeFileSync(log, vendorLog(rows));
    const res = cli(['triage', '--vendor-log', log, '--model', model, '--out', path.join(dir, 'out'), '--json']);
    expect(res.status).toBe(1);
    const r = JSON.parse(res.stdout) as Report;
    const fromDumps = report.findings[0]!;
    expect(fromDumps.code).toBe('B');
    expect(r.findings.map((f) => f.code)).toEqual(['B']);
    expect(r.findings[0]!.layer).toBe(fromDumps.layerInfo!.nodeName);
    expect(r.findings[0]!.actions![0]!.patch).toEqual(fromDumps.actions![0]!.patch);
    expect(r.edges[0]!.layers.map((l) => l.name)).toEqual(e.layers.map((l) => l.nodeName));
    // --report: the dump-based report re-diagnosed with another lastBad: the worst output (~0.3) is
    // no longer below it, so the guide's B becomes the milder middle-dip warning on the same layer
    writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
    expect(fromDumps.rule).toBe('B-decline');
    const th = path.join(dir, 'th.json');
    writeFileSync(th, JSON.stringify({ lastBad: 0.2 }));
    const rd = cli(['triage', '--report', path.join(dir, 'report.json'), '--thresholds', th, '--out', path.join(dir, 'rd'), '--json']);
    expect(rd.status).toBe(1);
    const r2 = JSON.parse(rd.stdout) as Report;
    expect(r2.findings.map((f) => [f.code, f.rule, f.severity, f.layer])).toEqual([['B', 'B-middle-dip', 'warning', fromDumps.layer]]);
    expect(r2.diagnosis!.profile).toMatchObject({ name: 'classification+th.json', lastBad: 0.2, cosineOk: 0.99 });
    expect(r2.edges).toEqual(JSON.parse(JSON.stringify(report.edges)));
    const same = cli(['triage', '--report', path.join(dir, 'report.json'), '--out', dir]);
    expect(same.status).toBe(2);
    expect(same.stderr).toMatch(/would overwrite the input report/);
  });
});
