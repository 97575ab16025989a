/**
 * Per-layer time table of the integer reference (fast or TS kernels) on one model and input:
 * median over `repeat` runs (after a warm-up) of every node's wall time, with its op type, kernel
 * kind (Conv: first / 1x1 / 3x3 / depthwise / other), output shape and MACs; plus totals per kind.
 * Run: `node dist/scripts/profile-int.js [--model m.onnx] [--threads N] [--kernels ts|fast] [--repeat N] [--top K] [--cpu 1] [--split 1]`.
 * `--cpu 1` times process CPU time instead of wall time (for a loaded machine; 1 thread).
 * `--split 1` also times the WebAssembly calls of each node (FastEngine call/parallel, wrapped for
 * the run) and prints per kind the time spent in them and the rest (JavaScript around the kernels).
 * MAX_ABS 8-bit self-calibration on a synthetic image (speed only, not accuracy).
 */
import * as os from 'node:os';
import { pathToFileURL } from 'node:url';
import { engineFor, type KernelChoice } from '../src/ptq/run-reference.js';
import { planGraph, type PlannedNode } from '../reference/executor.js';
import { makeIntStep } from '../reference/quantize/int-step.js';
import { runGraph } from '../reference/executor.js';
import { FastEngine } from '../reference/fast/engine.js';
import type { Tensor } from '../reference/tensor.js';
import { sharedModel } from './synthetic-input.js';
import { syntheticQuant } from './synthetic-quant.js';

export interface LayerTime {
  node: string;
  op: string;
  kind: string;
  dims: readonly number[];
  macs: number;
  ms: number;
  /** With `split`: median time inside the engine's kernel calls (ms). */
  wasmMs?: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Process CPU time (user + system), ms: less disturbed than wall time on a loaded machine (1 thread). */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Kernel kind of a node for the table. */
function kindOf(step: PlannedNode, ins: readonly (Tensor | null)[]): string {
  const op = step.node.opType;
  if (op !== 'Conv') return op;
  const w = ins[1]!.dims;
  const group = (step.attrs as { group?: number }).group ?? 1;
  if (w[1] === 1 && group > 1 && group === w[0]) return 'Conv dw';
  if (ins[0]!.dims[1]! <= 4) return 'Conv first';
  if (w[2] === 1 && w[3] === 1) return 'Conv 1x1';
  return `Conv ${w[2]}x${w[3]}`;
}

/** Profiles `model` (see the file header). */
export async function profileInt(opts: { model: string; threads: number; kernels: KernelChoice; repeat: number; fuse?: boolean; cpu?: boolean; split?: boolean }): Promise<LayerTime[]> {
  const { input, prep, xT } = await syntheticQuant(opts.model);
  const fast = await engineFor(opts.kernels, opts.threads);
  const plan = planGraph(prep.model);
  const rows = new Map<string, LayerTime & { times: number[]; wasm: number[] }>();
  const now = (): number => (opts.cpu ? cpuMs() : performance.now());
  // --split: time spent inside the engine's kernel calls (outermost call only)
  let inWasm = 0;
  let depth = 0;
  const proto = FastEngine.prototype;
  const [call, parallel] = [proto.call, proto.parallel];
  const timed = <A extends unknown[]>(f: (this: FastEngine, ...a: A) => void) =>
    function (this: FastEngine, ...a: A): void {
      const t0 = depth++ === 0 ? now() : 0;
      try {
        f.apply(this, a);
      } finally {
        if (--depth === 0) inWasm += now() - t0;
      }
    };
  if (opts.split) [proto.call, proto.parallel] = [timed(call), timed(parallel)];
  try {
  for (let r = 0; r <= opts.repeat; r++) {
    const step = makeIntStep(prep, plan, { fast, fuse: opts.fuse });
    if (opts.fuse && fast) fast.beginRun(); // as runQuantized does
    await runGraph(prep.model, new Map([[input.name, xT]]), {
      execute: (st, ins) => {
        const w0 = inWasm;
        const t0 = now();
        const out = step.execute(st, ins);
        const dt = now() - t0;
        if (r === 0) return out;
        let row = rows.get(st.node.name);
        if (!row) {
          const dims = out[0]?.dims ?? [];
          const wd = st.node.opType === 'Conv' ? ins[1]!.dims : null;
          const macs = wd ? dims.reduce((a, b) => a * b, 1) * wd[1]! * wd[2]! * wd[3]! : 0;
          rows.set(st.node.name, (row = { node: st.node.name, op: st.node.opType, kind: kindOf(st, ins), dims, macs, ms: 0, times: [], wasm: [] }));
        }
        row.times.push(dt);
        row.wasm.push(inWasm - w0);
        return out;
      },
    });
    fast?.endRun();
  }
  } finally {
    [proto.call, proto.parallel] = [call, parallel];
  }
  return [...rows.values()].map(({ times, wasm, ...row }) => ({ ...row, ms: median(times), ...(opts.split ? { wasmMs: median(wasm) } : {}) }));
}

/** Lines: the sum of the per-node medians, then time, MACs and GMAC/s per kernel kind. */
export function formatKinds(rows: readonly LayerTime[]): string[] {
  const total = rows.reduce((a, r) => a + r.ms, 0);
  const kinds = new Map<string, { ms: number; macs: number; n: number; wasm: number }>();
  const split = rows.some((r) => r.wasmMs !== undefined);
  for (const r of rows) {
    const k = kinds.get(r.kind) ?? { ms: 0, macs: 0, n: 0, wasm: 0 };
    k.ms += r.ms;
    k.macs += r.macs;
    k.wasm += r.wasmMs ?? 0;
    k.n++;
    kinds.set(r.kind, k);
  }
  const wasm = rows.reduce((a, r) => a + (r.wasmMs ?? 0), 0);
  const out = [`sum of per-node medians ${total.toFixed(1)} ms${split ? ` (in kernel calls ${wasm.toFixed(1)}, around them ${(total - wasm).toFixed(1)})` : ''} (load ${os.loadavg()[0]!.toFixed(1)})`];
  for (const [k, v] of [...kinds].sort((a, b) => b[1].ms - a[1].ms)) {
    const js = split ? `  js ${(v.ms - v.wasm).toFixed(2).padStart(6)} ms (${(((v.ms - v.wasm) / v.n) * 1000).toFixed(0).padStart(3)} µs/node)` : '';
    out.push(`  ${k.padEnd(12)} ${String(v.n).padStart(4)} nodes ${v.ms.toFixed(2).padStart(8)} ms${js}${v.macs ? `  ${(v.macs / 1e6).toFixed(1).padStart(7)} MMAC ${(v.macs / v.ms / 1e6).toFixed(1).padStart(6)} GMAC/s` : ''}`);
  }
  return out;
}

async function main(): Promise<void> {
  const arg = (k: string, d: string): string => {
    const i = process.argv.indexOf(`--${k}`);
    return i > 0 ? process.argv[i + 1]! : d;
  };
  const rows = await profileInt({ model: arg('model', sharedModel('yolox_nano_3cls.onnx')), threads: Number(arg('threads', '1')), kernels: arg('kernels', 'fast') as KernelChoice, repeat: Number(arg('repeat', '5')), fuse: arg('fuse', '1') === '1', cpu: arg('cpu', '0') === '1', split: arg('split', '0') === '1' });
  for (const line of formatKinds(rows)) process.stdout.write(`${line}\n`);
  const top = Number(arg('top', '25'));
  process.stdout.write(`top ${top} nodes:\n`);
  for (const r of [...rows].sort((a, b) => b.ms - a.ms).slice(0, top)) {
    process.stdout.write(`  ${r.ms.toFixed(2).padStart(7)} ms  ${r.kind.padEnd(10)} [${r.dims.join(',')}]${r.macs ? `  ${(r.macs / r.ms / 1e6).toFixed(1)} GMAC/s` : ''}  ${r.node}\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(() => process.exit(0), (e: unknown) => {
    process.stderr.write(`profile-int: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
