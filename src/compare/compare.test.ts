import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fsp, readFileSync, writeFileSync, cpSync } from 'node:fs';
import * as path from 'node:path';
import { compare } from './compare.js';
import { goldenTmp, tmpDir, snapshotTree } from '../../golden/temp-golden.js';
import type { GoldenIndex } from '../../golden/golden-types.js';
import { runFloat } from '../float/run-float.js';
import { syntheticImage, sharedModel } from '../../scripts/synthetic-input.js';
import { modelLabels } from './model-labels.js';
import { fromJsonNumber } from '../report/schema.js';
import { packageRoot } from '../version.js';

const CLI = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
const cli = (args: string[], cwd?: string) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

let g: { dir: string; index: GoldenIndex };
beforeAll(async () => {
  g = await goldenTmp();
});

describe('compare: vendor PC vs board (golden)', () => {
  it('finds the corrupted layer as the first md5 divergence, with its mismatch count and first coordinate', async () => {
    const gi = g.index;
    const r = await compare({
      pc: path.join(g.dir, gi.pc.dir),
      pcLog: path.join(g.dir, gi.pc.log),
      board: path.join(g.dir, gi.board.dir),
      input: path.join(g.dir, gi.pc.entries.find((e) => e.role === 'input')!.file),
      threads: 2,
    });
    expect(r.inputs.consistent).toBe(true);
    expect(r.inputs.checks.find((c) => c.source === 'board')!.channels).toBe(4);
    expect(r.edges.map((e) => e.id)).toEqual(['pc~board']);
    const e = r.edges[0]!;
    expect(e.kind).toBe('integer');
    const c = gi.board.corrupted;
    expect(e.firstDivergence).toMatchObject({ name: c.pcName, metric: 'md5', value: c.mismatchCount });
    const l = e.layers.find((x) => x.name === c.pcName)!;
    expect(l.rule).toBe('board-out');
    expect(l.mismatches).toBe(c.mismatchCount);
    expect(l.firstMismatch!.index).toBe(c.firstMismatch.index);
    expect(l.firstMismatch!.coord).toEqual(c.firstMismatch.nhwc);
    expect(fromJsonNumber(l.maxAbs!)).toBeGreaterThanOrEqual(Math.abs(c.firstMismatch.pc - c.firstMismatch.board));
    expect(l.mismatchesPerChannel!.reduce((x, y) => x + y, 0)).toBe(c.mismatchCount);
    // every other layer that exists on both sides is byte-identical
    for (const name of gi.board.identical) {
      const x = e.layers.find((y) => y.name === name || y.a.name === name);
      if (x) expect(x.md5Equal).toBe(true);
    }
    // the 0-byte PC file is a cannot-compare layer, never dropped
    expect(e.layers.some((x) => x.status === 'cannot-compare' && /0-byte/.test(x.reason ?? ''))).toBe(true);
    expect(r.verdict).toBe('diverged');
  });

  it('the CLI exits 1 on divergence, writes report.json, prints the first divergence, and leaves inputs untouched', async () => {
    const gi = g.index;
    const before = await snapshotTree(g.dir);
    const out = tmpDir('magik-cmp-');
    const res = cli(['compare', '--pc', path.join(g.dir, gi.pc.dir), '--pc-log', path.join(g.dir, gi.pc.log), '--board', path.join(g.dir, gi.board.dir), '--out', out]);
    expect(res.status).toBe(1);
    expect(res.stdout).toContain(`first divergence: ${gi.board.corrupted.pcName}`);
    expect(res.stdout).toContain(`first at n,h,w,c=(${gi.board.corrupted.firstMismatch.nhwc.join(',')})`);
    expect(res.stdout).not.toMatch(/\x1b\[/); // NO_COLOR
    const rep = JSON.parse(readFileSync(path.join(out, 'report.json'), 'utf8'));
    expect(rep.schemaVersion).toBe(1);
    expect(rep.edges[0].firstDivergence.name).toBe(gi.board.corrupted.pcName);
    expect(await snapshotTree(g.dir)).toEqual(before);
  });

  it('exit 0 when two identical folders are compared; --json prints the report', async () => {
    const gi = g.index;
    const copy = tmpDir('magik-pc2-');
    cpSync(path.join(g.dir, gi.pc.dir), copy, { recursive: true });
    const res = cli(['compare', '--pc', path.join(g.dir, gi.pc.dir), '--pc-log', path.join(g.dir, gi.pc.log), '--board', copy, '--board-log', path.join(g.dir, gi.pc.log), '--json', '--out', tmpDir()]);
    const rep = JSON.parse(res.stdout);
    expect(rep.edges[0].firstDivergence).toBeNull();
    // the crashed 0-byte layer cannot be compared, so the verdict is incomplete (exit 1), not parity
    expect(rep.verdict).toBe('incomplete');
    expect(res.status).toBe(1);
  });
});

describe('compare: bad usage', () => {
  it('one source only -> exit 2 with a hint, no stack trace', () => {
    const res = cli(['compare', '--float', g.dir]);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/needs at least two sources/);
    expect(res.stderr).toMatch(/hint:/);
    expect(res.stderr).not.toMatch(/\n\s+at /);
  });
  it('missing folder -> exit 2 naming it', () => {
    const res = cli(['compare', '--float', '/nonexistent/float', '--ptq', g.dir]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('/nonexistent/float');
  });
});

describe('compare: real model, float vs a perturbed copy (--model)', () => {
  it('reports the perturbed layer as the first divergence in topological order with node name and op type', async () => {
    const dir = tmpDir('magik-yunet-');
    const input = path.join(dir, 'magik_input_nhwc_1_320_320_3.bin');
    writeFileSync(input, syntheticImage(1, 320, 320, 3, 7));
    const model = sharedModel('yunet_n_320_320.onnx');
    const f1 = path.join(dir, 'f1');
    await runFloat({ model, input, mean: [0, 0, 0], var: [1, 1, 1], out: f1 });
    const f2 = path.join(dir, 'f2');
    cpSync(f1, f2, { recursive: true });
    const manifest = JSON.parse(readFileSync(path.join(f1, 'manifest.json'), 'utf8')) as { tensors: { file: string; opType: string; tensorName: string; nodeName: string; order: number }[] };
    // perturb the 20th Conv output; everything after it is left as is (a dump-level edit)
    const target = manifest.tensors.filter((t) => t.opType === 'Conv')[20]!;
    const buf = readFileSync(path.join(f2, target.file));
    const f = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
    for (let i = 0; i < f.length; i += 3) f[i] = -f[i]!;
    await fsp.writeFile(path.join(f2, target.file), buf);
    const labels = await modelLabels(model);
    const r = await compare({ float: f1, ptq: f2, input, labels: labels.labels, model: labels.identity, threads: 2 });
    const e = r.edges[0]!;
    expect(e.firstDivergence!.name).toBe(target.tensorName);
    const l = e.layers.find((x) => x.name === target.tensorName)!;
    expect(l.nodeName).toBe(target.nodeName);
    expect(l.opType).toBe('Conv');
    expect(l.order).toBe(labels.labels.get(path.basename(target.file, '.bin'))!.order);
    // layers are in topological order and everything else is identical
    for (let i = 1; i < e.layers.length; i++) expect(e.layers[i]!.order).toBeGreaterThan(e.layers[i - 1]!.order);
    expect(e.summary.diverged).toBe(1);
    // error gain: the perturbed layer introduces the error (its inputs are clean)
    expect(fromJsonNumber(l.errorGain!)).toBe(Infinity);
    expect(r.model!.md5).toBe(execFileSync('md5sum', [model], { encoding: 'utf8' }).split(' ')[0]);
  });
});

describe('compare --pc-exec: runs the vendor PC program (a fake in the vendor format) and compares its dumps', () => {
  it('runs the program on --input, compares with an earlier run, and keeps its dumps and log in the report folder', () => {
    const dir = tmpDir('magik-pcexec-');
    const input = path.join(dir, 'magik_input_nhwc_1_8_6_3.bin');
    writeFileSync(input, syntheticImage(1, 8, 6, 3, 3));
    writeFileSync(path.join(dir, 'model.mgk'), 'm');
    const fake = `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(packageRoot(), 'golden', 'fake-vendor-pc.mjs'))} {model} {input} {width} {height}`;
    const first = cli(['pc', '--exec', fake, '--model', 'model.mgk', '--input', input, '--out', 'p1'], dir);
    expect(first.status).toBe(0);
    const res = cli(['compare', '--pc-exec', fake, '--pc-model', 'model.mgk', '--input', input, '--ptq', 'p1', '--out', 'r', '--json'], dir);
    expect(res.status).toBe(0);
    const rep = JSON.parse(res.stdout);
    expect(rep.edges.map((e: { id: string }) => e.id)).toEqual(['ptq~pc']);
    expect(rep.edges[0].summary.md5Equal).toBe(rep.edges[0].summary.layers);
    expect(rep.inputs.consistent).toBe(true);
    expect(readFileSync(path.join(dir, 'r', 'pc', 'pc.log'), 'utf8')).toContain('Data dumping to:');
  });
});
