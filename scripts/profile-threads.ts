/**
 * Where the threads of the fast engine spend an inference: every fork/join of `repeat` runs is
 * traced (FastEngine.trace) and summarized per kernel (calls, time in the call, the caller's share,
 * its wait, how late worker 0 joined and how long it worked, jobs run by the caller), plus the
 * worker's start delays, the gaps between calls (JavaScript and single-thread work, where a worker
 * can only spin or sleep) and, per node kind, wall time inside and outside parallel calls.
 * Run: `node dist/scripts/profile-threads.js [--model m.onnx] [--threads 2] [--repeat 10] [--spin ms]`.
 * MAX_ABS 8-bit self-calibration on a synthetic image (speed only), as scripts/profile-int.ts.
 */
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { planGraph, runGraph } from '../reference/executor.js';
import { makeIntStep } from '../reference/quantize/int-step.js';
import { FastEngine, type ForkJoinTrace } from '../reference/fast/engine.js';
import { sharedModel } from './synthetic-input.js';
import { syntheticQuant } from './synthetic-quant.js';

/** Totals over the traced runs, ms per run. */
interface KernelRow {
  calls: number;
  total: number;
  own: number;
  wait: number;
  workerLate: number;
  workerBusy: number;
  jobs: number;
  ownJobs: number;
}

const pct = (xs: number[], f: number): number => (xs.length ? xs[Math.floor(f * (xs.length - 1))]! : 0);

/** Summary lines of traced calls `tr` (from `runs` runs) and per-kind node times. */
export function summarize(tr: ForkJoinTrace[], runs: number, nodes: Map<string, { n: number; wall: number; par: number }>): string[] {
  const rows = new Map<string, KernelRow>();
  const late: number[] = [];
  const gaps: number[] = [];
  for (let i = 0; i < tr.length; i++) {
    const t = tr[i]!;
    const r = rows.get(t.fn) ?? { calls: 0, total: 0, own: 0, wait: 0, workerLate: 0, workerBusy: 0, jobs: 0, ownJobs: 0 };
    r.calls++;
    r.total += t.joined - t.start;
    r.own += t.ownDone - t.start;
    r.wait += t.joined - t.ownDone;
    r.jobs += t.jobs;
    r.ownJobs += t.ownJobs;
    if (t.workerStart > 0) {
      r.workerLate += t.workerStart - t.start;
      r.workerBusy += t.workerEnd - t.workerStart;
      late.push(t.workerStart - t.start);
    }
    rows.set(t.fn, r);
    const prev = tr[i - 1];
    if (prev && t.start > prev.joined && t.start - prev.joined < 1000) gaps.push(t.start - prev.joined);
  }
  const f = (v: number): string => (v / runs).toFixed(2).padStart(7);
  const out = ['kernel         calls    call  caller   wait  w.late  w.busy  caller jobs   (ms per run)'];
  for (const [fn, r] of [...rows].sort((a, b) => b[1].total - a[1].total)) {
    out.push(`${fn.padEnd(14)} ${String(Math.round(r.calls / runs)).padStart(5)} ${f(r.total)} ${f(r.own)} ${f(r.wait)} ${f(r.workerLate)} ${f(r.workerBusy)}  ${((100 * r.ownJobs) / r.jobs).toFixed(0).padStart(3)}% of ${Math.round(r.jobs / runs)}`);
  }
  late.sort((a, b) => a - b);
  gaps.sort((a, b) => a - b);
  const us = (v: number): string => (v * 1000).toFixed(0);
  const missed = tr.filter((t) => t.workerStart === 0).length;
  out.push(`worker joined ${tr.length - missed} of ${tr.length} calls; start delay µs p50 ${us(pct(late, 0.5))} p90 ${us(pct(late, 0.9))} p99 ${us(pct(late, 0.99))}`);
  out.push(`gaps between calls: ${(gaps.reduce((a, b) => a + b, 0) / runs).toFixed(2)} ms per run; µs p50 ${us(pct(gaps, 0.5))} p90 ${us(pct(gaps, 0.9))} p99 ${us(pct(gaps, 0.99))}`);
  out.push('node kind     nodes    wall  in calls  outside   (ms per run)');
  for (const [k, e] of [...nodes].sort((x, y) => y[1].wall - y[1].par - (x[1].wall - x[1].par))) {
    out.push(`  ${k.padEnd(11)} ${String(e.n / runs).padStart(5)} ${f(e.wall)} ${f(e.par)}  ${f(e.wall - e.par)}`);
  }
  return out;
}

/** Kernel kind of a node: the op type, Conv split as in scripts/profile-int.ts. */
function kindOf(op: string, ins: readonly ({ dims: readonly number[] } | null)[]): string {
  if (op !== 'Conv') return op;
  const w = ins[1]!.dims;
  const c = ins[0]!.dims[1]!;
  if (w[1] === 1 && c > 1) return 'Conv dw';
  if (c <= 4) return 'Conv first';
  return w[2] === 1 && w[3] === 1 ? 'Conv 1x1' : `Conv ${w[2]}x${w[3]}`;
}

async function main(): Promise<void> {
  const arg = (k: string, d: string): string => {
    const i = process.argv.indexOf(`--${k}`);
    return i > 0 ? process.argv[i + 1]! : d;
  };
  const threads = Number(arg('threads', '2'));
  const runs = Number(arg('repeat', '10'));
  const { input, prep, xT } = await syntheticQuant(arg('model', sharedModel('yolox_nano_3cls.onnx')));
  const spin = arg('spin', '');
  const fast = await FastEngine.create({ threads, spinMs: spin === '' ? undefined : Number(spin) });
  const plan = planGraph(prep.model);
  const trace: ForkJoinTrace[] = [];
  const nodes = new Map<string, { n: number; wall: number; par: number }>();
  const times: number[] = [];
  const now = (): number => performance.timeOrigin + performance.now();
  for (let r = 0; r <= runs; r++) {
    const step = makeIntStep(prep, plan, { fast, fuse: true });
    fast.trace = r > 0 ? trace : null;
    fast.beginRun(); // as runQuantized does
    const t0 = performance.now();
    await runGraph(prep.model, new Map([[input.name, xT]]), {
      execute: (st, ins) => {
        const k0 = trace.length;
        const a = now();
        const out = step.execute(st, ins);
        const wall = now() - a;
        if (r > 0) {
          let par = 0;
          for (let k = k0; k < trace.length; k++) par += trace[k]!.joined - trace[k]!.start;
          const kind = kindOf(st.node.opType, ins);
          const e = nodes.get(kind) ?? { n: 0, wall: 0, par: 0 };
          e.n++;
          e.wall += wall;
          e.par += par;
          nodes.set(kind, e);
        }
        return out;
      },
    });
    if (r > 0) times.push(performance.now() - t0);
    fast.endRun();
  }
  fast.trace = null;
  times.sort((a, b) => a - b);
  process.stdout.write(`${threads} thread(s): median run ${pct(times, 0.5).toFixed(2)} ms, min ${times[0]!.toFixed(2)} ms (load ${os.loadavg()[0]!.toFixed(1)})\n`);
  for (const line of summarize(trace, runs, nodes)) process.stdout.write(`${line}\n`);
  await fast.close();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`profile-threads: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
