/**
 * Interrupt safety (issue 7): a long `float` (YOLOX-nano, ~370 tensors) and a long `compare`
 * (~630 MB of sparse dumps) get SIGINT / SIGTERM mid-run. Then: a non-zero exit code (130 / 143),
 * one clear line, no `.tmp-` file, nothing under a final name that is not complete (every file
 * left by the interrupted float is byte-identical to the rerun's), and a rerun (--force) works.
 * A long `reference` (YOLOX-nano, 3 calibration images) gets SIGINT while its tensors are written:
 * no manifest.json / params.json / pc.log for the unfinished run; the --force rerun completes; a
 * second --force run over that complete folder, interrupted, does not leave the old run's markers.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { tmpDir } from './temp-golden.js';
import { Prng } from './prng.js';
import { makeBigDumpSet } from './big-dumps.js';
import { startCli, md5Tree, waitFor, repoRoot, type ChildResult } from './cli-child.js';

const YOLOX = path.resolve(repoRoot, '../shared/data/models/yolox_nano_3cls.onnx');
const temps = (m: Map<string, string>) => [...m.keys()].filter((k) => k.includes('.tmp-'));

function expectInterrupted(r: ChildResult, sig: 'SIGINT' | 'SIGTERM'): void {
  expect(r.code, r.stderr).toBe(sig === 'SIGINT' ? 130 : 143);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('magik-parity:'));
  expect(lines, r.stderr).toEqual([`magik-parity: interrupted (${sig}); no partial file was left under a final name. Re-run the command to start again.`]);
  expect(r.stderr).not.toMatch(/^\s{4}at /m);
}

describe('interrupting float', () => {
  let input = '';
  beforeAll(() => {
    const d = tmpDir('magik-int-float-');
    input = path.join(d, 'magik_input_nhwc_1_416_416_3.bin');
    writeFileSync(input, Uint8Array.from(new Prng(5).ints(416 * 416 * 3, 0, 255)));
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} while tensors are being written: no partial file, rerun with --force completes with the same bytes`, async () => {
      const out = path.join(tmpDir('magik-int-float-out-'), 'float');
      const args = ['float', '--model', YOLOX, '--input', input, '--mean', '0', '--var', '1', '--threads', '1', '--out', out];
      // signal as soon as the first tensor file (or its temporary) appears in the output folder
      let r: ChildResult | null = null;
      for (let attempt = 0; attempt < 3 && !r; attempt++) {
        const p = startCli(args);
        await waitFor(() => existsSync(out) && readdirSync(out).some((n) => n.endsWith('.bin') || n.includes('.tmp-')), 60_000, 1);
        if (p.child.exitCode === null) p.child.kill(sig);
        const res = await p.done;
        if (res.code === 0) {
          // finished before the signal landed (very fast machine): start again from scratch
          args.push('--force');
          continue;
        }
        r = res;
      }
      expect(r, 'the run always finished before the signal').not.toBeNull();
      expectInterrupted(r!, sig);
      const partial = md5Tree(out);
      expect(temps(partial)).toEqual([]);
      expect(partial.has('manifest.json'), 'manifest.json is written last: its absence marks the folder incomplete').toBe(false);

      const again = await startCli([...args.filter((a) => a !== '--force'), '--force']).done;
      expect(again.code, again.stderr).toBe(0);
      const full = md5Tree(out);
      expect(temps(full)).toEqual([]);
      expect(full.has('manifest.json')).toBe(true);
      expect(full.size).toBeGreaterThan(300);
      for (const [f, sum] of partial) expect(full.get(f), `${f} was left half-written`).toBe(sum);
      expect(partial.size, 'the signal landed before the run completed').toBeLessThan(full.size);

      if (sig !== 'SIGINT') return;
      // --force over the complete folder, interrupted: the old manifest is gone before the first new
      // tensor, so the folder never looks complete with a mix of two runs
      const p2 = startCli([...args.filter((a) => a !== '--force'), '--force']);
      const cleared = await waitFor(() => !existsSync(path.join(out, 'manifest.json')) || p2.child.exitCode !== null, 60_000, 1);
      expect(cleared && p2.child.exitCode === null, "the earlier run's manifest stayed while the --force run wrote").toBe(true);
      p2.child.kill('SIGINT');
      const r2 = await p2.done;
      expectInterrupted(r2, 'SIGINT');
      const left = md5Tree(out);
      expect(temps(left)).toEqual([]);
      expect(left.has('manifest.json'), 'manifest.json of the earlier run left beside the new tensors').toBe(false);
    });
  }
});

describe('interrupting compare', () => {
  let dir = '';
  beforeAll(async () => {
    dir = tmpDir('magik-int-compare-');
    const o = { layers: 6, elements: 64 * 64 * 3200 }; // 6 x 52 MB per side
    await makeBigDumpSet(path.join(dir, 'a'), { ...o, seed: 1 });
    await makeBigDumpSet(path.join(dir, 'b'), { ...o, seed: 2 });
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} while measuring: no report and no temporary file; the rerun writes the report`, async () => {
      const out = path.join(dir, `report-${sig}`);
      const cwd = path.join(dir, `cwd-${sig}`);
      mkdirSync(cwd);
      const args = ['compare', '--float', path.join(dir, 'a'), '--ptq', path.join(dir, 'b'), '--threads', '2', '--out', out];
      const p = startCli(args, { cwd });
      // signal once the process has read 50 MB of dumps (/proc/<pid>/io; elsewhere after 1.5 s)
      const readBytes = () => {
        try {
          return Number(/rchar: (\d+)/.exec(readFileSync(`/proc/${p.child.pid}/io`, 'utf8'))?.[1] ?? 0);
        } catch {
          return -1;
        }
      };
      if (readBytes() < 0) await new Promise((res) => setTimeout(res, 1500));
      else await waitFor(() => readBytes() > 50e6 || p.child.exitCode !== null, 60_000, 5);
      expect(p.child.exitCode, 'compare finished before the signal: make the data set larger').toBeNull();
      p.child.kill(sig);
      const r = await p.done;
      expectInterrupted(r, sig);
      expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
      expect(readdirSync(cwd)).toEqual([]);
      expect(temps(md5Tree(dir))).toEqual([]);

      const again = await startCli(args, { cwd }).done;
      expect([0, 1], again.stderr).toContain(again.code);
      expect(readdirSync(out).sort()).toEqual(['report.html', 'report.json', 'report.md']);
    });
  }
});

describe('interrupting reference', () => {
  const MARKERS = ['params.json', 'pc.log', path.join('ptq_model', 'manifest.json'), path.join('ptq_model_dequantize', 'manifest.json')];
  let d = '';
  let config = '';
  let input = '';
  beforeAll(() => {
    d = tmpDir('magik-int-ref-');
    mkdirSync(path.join(d, 'calib'));
    for (const f of ['HappyFish.jpg', 'aero1.jpg', 'apple.jpg']) copyFileSync(path.resolve(repoRoot, '../shared/data/images/calib', f), path.join(d, 'calib', f));
    config = path.join(d, 'ptq_config.json');
    writeFileSync(config, `${JSON.stringify({ format: 'BGR', width: 416, height: 416, path: './calib', used_image_num: 3, mean: '0,0,0', var: '1,1,1' })}\n`);
    input = path.join(d, 'magik_input_nhwc_1_416_416_3.bin');
    writeFileSync(input, Uint8Array.from(new Prng(416).ints(416 * 416 * 3, 0, 255)));
  });

  it('SIGINT while tensors are written: no marker file, no partial file; the --force rerun completes; an interrupted --force run over it drops the old markers', async () => {
    const out = path.join(d, 'ref');
    const args = ['reference', '--model', YOLOX, '--config', config, '--input', input, '--out', out];
    const ptqDir = path.join(out, 'ptq_model');
    // calibration writes nothing; signal as soon as the first tensor file (or its temporary) appears
    const p = startCli(args);
    const started = await waitFor(() => existsSync(ptqDir) && readdirSync(ptqDir).some((n) => n.endsWith('.bin') || n.includes('.tmp-')), 180_000, 1);
    expect(started, 'no tensor was written').toBe(true);
    expect(p.child.exitCode, 'reference finished before the signal').toBeNull();
    p.child.kill('SIGINT');
    const r = await p.done;
    expectInterrupted(r, 'SIGINT');
    const partial = md5Tree(out);
    expect(temps(partial)).toEqual([]);
    for (const m of MARKERS) expect(partial.has(m), `${m} written for an unfinished run`).toBe(false);

    // the rerun needs --force (the folder is not empty) and completes
    const refused = await startCli(args).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/output folder is not empty/);
    const again = await startCli([...args, '--force']).done;
    expect(again.code, again.stderr).toBe(0);
    const full = md5Tree(out);
    expect(temps(full)).toEqual([]);
    for (const m of MARKERS) expect(full.has(m), m).toBe(true);
    expect([...full.keys()].filter((f) => f.startsWith(`ptq_model${path.sep}`)).length).toBe(371);
    for (const [f, sum] of partial) expect(full.get(f), `${f} was left half-written`).toBe(sum);
    expect(partial.size, 'the signal landed before the run completed').toBeLessThan(full.size);

    // --force over the complete folder (reusing its parameters, kept elsewhere), interrupted: the
    // old run's markers are gone before the first new tensor, so the folder never looks complete
    const params = path.join(d, 'params.json');
    copyFileSync(path.join(out, 'params.json'), params);
    const p2 = startCli([...args, '--force', '--params', params]);
    const cleared = await waitFor(() => MARKERS.every((m) => !existsSync(path.join(out, m))) || p2.child.exitCode !== null, 60_000, 1);
    expect(cleared && p2.child.exitCode === null, 'the earlier run\'s markers stayed while the --force run wrote').toBe(true);
    p2.child.kill('SIGINT');
    const r2 = await p2.done;
    expectInterrupted(r2, 'SIGINT');
    const left = md5Tree(out);
    expect(temps(left)).toEqual([]);
    for (const m of MARKERS) expect(left.has(m), `${m} of the earlier run left beside the new tensors`).toBe(false);
    for (const [f, sum] of left) expect(full.get(f), `${f} differs from the complete run`).toBe(sum);
  }, 300_000);
});
