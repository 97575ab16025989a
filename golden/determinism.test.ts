/**
 * Determinism (issue 7): compare's report.json is identical across runs and thread counts
 * (1 vs 2) except the `meta` block (time, command line, elapsed ms); float dumps are
 * byte-identical across runs (every file, manifest.json included); reference outputs (ptq_model/,
 * ptq_model_dequantize/, MAGIK_DATA_DUMP/, pc.log, params.json, input_uint8.bin) are
 * byte-identical across two calibrating runs and a run reusing the first run's params.json.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tmpDir, goldenTmp } from './temp-golden.js';
import { makeBadInputFixtures } from './bad-inputs/make-fixtures.js';
import { makeBigDumpSet } from './big-dumps.js';
import { Prng } from './prng.js';
import { startCli, md5Tree, repoRoot } from './cli-child.js';

const withoutMeta = (file: string) => {
  const r = JSON.parse(readFileSync(file, 'utf8'));
  expect(Object.keys(r.meta).sort()).toEqual(['command', 'createdAt', 'elapsedMs']);
  delete r.meta;
  return JSON.stringify(r, null, 1);
};

describe('compare report.json is stable', () => {
  let fx = '';
  let big = '';
  beforeAll(async () => {
    fx = path.join(tmpDir('magik-det-'), 'fx');
    await makeBadInputFixtures(fx);
    big = tmpDir('magik-det-big-');
    await makeBigDumpSet(path.join(big, 'a'), { layers: 24, elements: 64 * 64 * 64, seed: 1 });
    await makeBigDumpSet(path.join(big, 'b'), { layers: 24, elements: 64 * 64 * 64, seed: 2 });
  });

  it('across two runs and --threads 1 vs 2, for folder pairs of every kind', async () => {
    const g = await goldenTmp();
    const sets: string[][] = [
      ['--float', path.join(fx, 'float'), '--ptq', path.join(fx, 'm-trunc')],
      ['--pc', path.join(fx, 'pc'), '--board', path.join(fx, 'board-4ch'), '--board-log', path.join(fx, 'board.log')],
      ['--pc', path.join(g.dir, 'pc-bad'), '--pc-log', path.join(g.dir, 'pc-bad', 'pc-bad.log'), '--board', path.join(g.dir, 'board'), '--board-log', path.join(g.dir, 'board.log')],
      ['--float', path.join(big, 'a'), '--ptq', path.join(big, 'b')],
    ];
    const out = tmpDir('magik-det-out-');
    for (const [k, s] of sets.entries()) {
      const texts: string[] = [];
      for (const [run, threads] of [[1, 2], [2, 2], [3, 1]] as const) {
        const dir = path.join(out, `${k}-${run}`);
        const r = await startCli(['compare', ...s, '--threads', String(threads), '--out', dir]).done;
        expect([0, 1], r.stderr).toContain(r.code);
        texts.push(withoutMeta(path.join(dir, 'report.json')));
      }
      expect(texts[1], `set ${k}: second run differs`).toBe(texts[0]);
      expect(texts[2], `set ${k}: --threads 1 differs from 2`).toBe(texts[0]);
      // no timestamp or absolute time outside meta
      expect(texts[0]).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:/);
    }
  });
});

describe('float dumps are byte-identical across runs', () => {
  it.each([
    ['yolox_nano_3cls.onnx', 416, '0', '1'],
    ['fastestdet.onnx', 352, '0', '255'],
  ])('%s: every file of two runs (threads 1 and 2) is identical', async (model, size, mean, vr) => {
    const d = tmpDir('magik-det-float-');
    const input = path.join(d, `magik_input_nhwc_1_${size}_${size}_3.bin`);
    writeFileSync(input, Uint8Array.from(new Prng(size).ints(size * size * 3, 0, 255)));
    const trees = [];
    for (const threads of [1, 2]) {
      const out = path.join(d, `out-${threads}`);
      const r = await startCli(['float', '--model', path.resolve(repoRoot, '../shared/data/models', model), '--input', input, '--mean', mean, '--var', vr, '--threads', String(threads), '--out', out]).done;
      expect(r.code, r.stderr).toBe(0);
      trees.push(md5Tree(out));
    }
    expect(trees[0]!.size).toBeGreaterThan(50);
    expect([...trees[1]!]).toEqual([...trees[0]!]);
  });
});

describe('reference outputs are byte-identical across runs', () => {
  it('yunet_n_320_320.onnx, 1 calibration image, MAX_ABS: two runs and a --params run write the same bytes', async () => {
    const d = tmpDir('magik-det-ref-');
    mkdirSync(path.join(d, 'calib'));
    copyFileSync(path.resolve(repoRoot, '../shared/data/images/faces_1.jpg'), path.join(d, 'calib', 'faces_1.jpg'));
    const config = path.join(d, 'ptq_config.json');
    writeFileSync(config, `${JSON.stringify({ format: 'BGR', width: 320, height: 320, path: './calib', used_image_num: 1, feature_quantize_method: 'MAX_ABS', mean: '0,0,0', var: '1,1,1' })}\n`);
    const input = path.join(d, 'magik_input_nhwc_1_320_320_3.bin');
    writeFileSync(input, Uint8Array.from(new Prng(320).ints(320 * 320 * 3, 0, 255)));
    const model = path.resolve(repoRoot, '../shared/data/models/yunet_n_320_320.onnx');
    const trees = [];
    for (const run of ['a', 'b', 'params'] as const) {
      const out = path.join(d, `out-${run}`);
      const extra = run === 'params' ? ['--params', path.join(d, 'out-a', 'params.json')] : [];
      const r = await startCli(['reference', '--model', model, '--config', config, '--input', input, ...extra, '--out', out]).done;
      expect(r.code, r.stderr).toBe(0);
      trees.push(md5Tree(out));
    }
    const t = trees[0]!;
    const dirs = new Set([...t.keys()].map((f) => f.split(path.sep)[0]));
    expect([...dirs].sort()).toEqual(['MAGIK_DATA_DUMP', 'input_uint8.bin', 'params.json', 'pc.log', 'ptq_model', 'ptq_model_dequantize']);
    // 116 tensors + manifest.json in each of ptq_model/ and ptq_model_dequantize/, the vendor dumps, the log, params, input
    expect([...t.keys()].filter((f) => f.startsWith(`ptq_model${path.sep}`)).length).toBe(117);
    expect(t.has(path.join('ptq_model', 'manifest.json'))).toBe(true);
    expect(t.size).toBeGreaterThan(300);
    expect([...trees[1]!], 'second calibrating run differs').toEqual([...t]);
    expect([...trees[2]!], 'the run reusing params.json differs').toEqual([...t]);
    // params.json carries no clock time or absolute path of this run
    const params = readFileSync(path.join(d, 'out-a', 'params.json'), 'utf8');
    expect(params).not.toMatch(/20\d\d-\d\d-\d\dT\d\d:/);
    expect(params).not.toContain(d);
  });
});
