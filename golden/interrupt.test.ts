/**
 * Interrupt safety (issue 7): a long `float` (YOLOX-nano, ~370 tensors) and a long `compare`
 * (~630 MB of sparse dumps) get SIGINT / SIGTERM mid-run. Then: a non-zero exit code (130 / 143),
 * one clear line, no `.tmp-` file, nothing under a final name that is not complete (every file
 * left by the interrupted float is byte-identical to the rerun's), and a rerun (--force) works.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
