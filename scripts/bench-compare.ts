/**
 * Compare-throughput benchmark: a generated dump set of ~300 MB per side (float32 and uint8
 * layers, our manifest format), compared with md5 + every metric, timed next to `md5sum` over
 * the same files in the same run. Also reports the compare's peak RSS and both commands' CPU time
 * (measured in the child processes by GNU time, so the benchmark's own memory does not count).
 * compare runs on two cores and md5sum on one, so on a loaded machine the ratio rises; the CPU
 * times show what each run cost.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DumpFolderWriter } from '../src/dumps/dump-folder-writer.js';
import { packageRoot } from '../src/version.js';
import { Prng } from '../golden/prng.js';

export interface BenchCompareResult {
  mbPerSide: number;
  layers: number;
  compareMs: number;
  md5sumMs: number;
  ratio: number;
  peakRssMb: number;
  throughputMbS: number;
  /** CPU time (user + system, GNU time) of the median-wall runs: compare uses two cores, md5sum one. */
  compareCpuMs: number;
  md5sumCpuMs: number;
}

const LAYER_ELEMS = 1_250_000; // 5 MB float32 / 1.25 MB uint8

/** Writes side A and a perturbed side B (each ~`mb` MB) unless already present. */
async function makeSet(root: string, mb: number): Promise<number> {
  const marker = path.join(root, `.done-${mb}`);
  if (existsSync(marker)) return readdirSync(path.join(root, 'a')).length - 1;
  rmSync(root, { recursive: true, force: true });
  const prng = new Prng(42);
  const rnd = () => prng.next();
  const a = new DumpFolderWriter(path.join(root, 'a'), { producer: 'bench' });
  const b = new DumpFolderWriter(path.join(root, 'b'), { producer: 'bench' });
  mkdirSync(path.join(root, 'a'), { recursive: true });
  mkdirSync(path.join(root, 'b'), { recursive: true });
  let bytes = 0;
  let i = 0;
  const shape = [1, 125, 125, 80];
  while (bytes < mb * 1e6) {
    const isFloat = i % 3 !== 2;
    const meta = { tensorName: `layer_${i}`, nodeName: `node_${i}`, opType: isFloat ? 'Conv' : 'Relu', dtype: isFloat ? ('float32' as const) : ('uint8' as const), shape, layout: 'NHWC' as const };
    if (isFloat) {
      const x = new Float32Array(LAYER_ELEMS);
      for (let k = 0; k < x.length; k++) x[k] = rnd() * 2 - 1;
      a.add(meta, new Uint8Array(x.buffer));
      for (let k = 0; k < x.length; k += 7) x[k] = x[k]! * 1.01;
      b.add(meta, new Uint8Array(x.buffer));
      bytes += x.byteLength;
    } else {
      const q = new Uint8Array(LAYER_ELEMS);
      for (let k = 0; k < q.length; k++) q[k] = (rnd() * 256) | 0;
      a.add({ ...meta, scale: 0.02, zeroPoint: 128 }, q);
      for (let k = 0; k < q.length; k += 101) q[k] = (q[k]! + 1) & 255;
      b.add({ ...meta, scale: 0.02, zeroPoint: 128 }, q);
      bytes += q.byteLength;
    }
    i++;
  }
  await a.finish();
  await b.finish();
  mkdirSync(marker);
  return i;
}

function timeMs(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export async function benchCompare(o: { mb?: number; repeats?: number } = {}): Promise<BenchCompareResult> {
  const mb = o.mb ?? 300;
  const root = path.join(os.tmpdir(), 'magik-bench-compare');
  const layers = await makeSet(root, mb);
  const files = ['a', 'b'].flatMap((s) => readdirSync(path.join(root, s)).filter((f) => f.endsWith('.bin')).map((f) => path.join(root, s, f)));
  const cli = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');
  const out = path.join(root, 'report');
  const cpuOf = (stderr: string) => {
    const m = /CPU ([\d.]+) ([\d.]+)/.exec(stderr);
    return m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN;
  };
  const cpu = { compare: NaN, md5sum: NaN };
  const runCompare = () => {
    const r = spawnSync('/usr/bin/time', ['-f', 'MAXRSS %M\nCPU %U %S', process.execPath, cli, 'compare', '--float', path.join(root, 'a'), '--ptq', path.join(root, 'b'), '--out', out, '--json'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`compare failed: ${r.stderr}`);
    cpu.compare = cpuOf(r.stderr);
    return Number(/MAXRSS (\d+)/.exec(r.stderr)?.[1] ?? NaN) / 1024;
  };
  const runMd5 = () => {
    const r = spawnSync('/usr/bin/time', ['-f', 'CPU %U %S', 'md5sum', ...files], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (r.status !== 0) throw new Error('md5sum failed');
    cpu.md5sum = cpuOf(r.stderr);
  };
  runMd5(); // warm the page cache for both
  runCompare();
  const cmp: Array<[number, number]> = [];
  const md5: Array<[number, number]> = [];
  let rss = 0;
  for (let k = 0; k < (o.repeats ?? 3); k++) {
    md5.push([timeMs(runMd5), cpu.md5sum]);
    cmp.push([timeMs(() => (rss = Math.max(rss, runCompare()))), cpu.compare]);
  }
  // median by wall time; the CPU time is that run's
  const med = (xs: Array<[number, number]>) => [...xs].sort((x, y) => x[0] - y[0])[xs.length >> 1]!;
  const [compareMs, compareCpuMs] = med(cmp);
  const [md5sumMs, md5sumCpuMs] = med(md5);
  return { mbPerSide: mb, layers, compareMs, md5sumMs, ratio: compareMs / md5sumMs, peakRssMb: rss, throughputMbS: (2 * mb) / (compareMs / 1000), compareCpuMs, md5sumCpuMs };
}
