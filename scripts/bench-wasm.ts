/**
 * Fast integer kernel benchmark: GMAC/s of the plain-TS oracle and of the WebAssembly SIMD kernels
 * (1 and 2 threads) per kernel kind, and YOLOX-nano 416's Conv layers (every Conv of the shared
 * model, random integer data, accumulate + requantize) against onnxruntime-node's float run of the
 * whole model returning only the final output (session already created; run time only), with the
 * same thread count. Run: `npm run build && node dist/scripts/bench-wasm.js`.
 */
import { pathToFileURL } from 'node:url';
import { loadModel } from '../src/onnx/load.js';
import { createSession, floatTensor, runSession } from '../src/onnx/ort-session.js';
import { FastEngine } from '../reference/fast/engine.js';
import { convIntFast, convIntRequantFast, prepareConvInt } from '../reference/fast/conv-int.js';
import { convIntOracle } from '../reference/fast/conv-int-oracle.js';
import { convIntGeom, type ConvIntParams } from '../reference/fast/conv-int-types.js';
import { convLayers } from '../reference/fast/model-conv-layers.js';
import { quantizeMultiplier } from '../reference/quant/fixed-point.js';
import { mulberry32, sharedModel } from './synthetic-input.js';

export interface KernelKindResult {
  kind: string;
  macs: number;
  oracleGmacs: number;
  fast1Gmacs: number;
  fast2Gmacs: number;
}

export interface BenchWasmResult {
  kinds: KernelKindResult[];
  yolox: {
    convLayers: number;
    gmac: number;
    /** Sum over the Conv layers of convIntRequantFast (pack, accumulate, requantize to uint8), median ms, per thread count. */
    convMs: Record<1 | 2, number>;
    /** onnxruntime float, whole model, final output only, run time (median ms). */
    ortMs: Record<1 | 2, number>;
    ratio: Record<1 | 2, number>;
  };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

function randomConv(seed: number, xShape: ConvIntParams['xShape'], wShape: ConvIntParams['wShape'], rest: Pick<ConvIntParams, 'group' | 'strides' | 'dilations' | 'pads'>): ConvIntParams {
  const r = mulberry32(seed);
  const x = Uint8Array.from({ length: xShape[0] * xShape[1] * xShape[2] * xShape[3] }, () => r() >>> 24);
  const w = Int8Array.from({ length: wShape[0] * wShape[1] * wShape[2] * wShape[3] }, () => ((r() >>> 24) % 255) - 127);
  const bias = Int32Array.from({ length: wShape[0] }, () => (r() % 200001) - 100000);
  return { x, xShape, zx: 3 + (seed % 250), w, wShape, bias, ...rest };
}

function timeIt(f: () => void, minMs = 300): number {
  f();
  const times: number[] = [];
  const t0 = performance.now();
  while (times.length < 3 || (performance.now() - t0 < minMs && times.length < 50)) {
    const s = performance.now();
    f();
    times.push(performance.now() - s);
  }
  return median(times);
}

/** Runs the benchmark. */
export async function benchWasm(options: { model?: string } = {}): Promise<BenchWasmResult> {
  const e1 = await FastEngine.create({ threads: 1 });
  const e2 = await FastEngine.create({ threads: 2 });
  try {
    const one = { strides: [1, 1], dilations: [1, 1] } as const;
    const cases: Array<[string, ConvIntParams]> = [
      ['3x3 64->64 52x52', randomConv(1, [1, 64, 52, 52], [64, 64, 3, 3], { ...one, group: 1, pads: [1, 1, 1, 1] })],
      ['1x1 64->64 52x52', randomConv(2, [1, 64, 52, 52], [64, 64, 1, 1], { ...one, group: 1, pads: [0, 0, 0, 0] })],
      ['dw 3x3 64 52x52', randomConv(3, [1, 64, 52, 52], [64, 1, 3, 3], { ...one, group: 64, pads: [1, 1, 1, 1] })],
    ];
    const kinds: KernelKindResult[] = [];
    for (const [kind, p] of cases) {
      const g = convIntGeom(p);
      const macs = g.n * g.m * g.oh * g.ow * g.cg * g.kh * g.kw;
      const prep = prepareConvInt(p.w, p.wShape, p.bias, p.group);
      const gm = (ms: number) => macs / ms / 1e6;
      kinds.push({
        kind,
        macs,
        oracleGmacs: gm(timeIt(() => convIntOracle(p), 0)),
        fast1Gmacs: gm(timeIt(() => convIntFast(e1, p, prep))),
        fast2Gmacs: gm(timeIt(() => convIntFast(e2, p, prep))),
      });
    }

    const file = options.model ?? sharedModel('yolox_nano_3cls.onnx');
    const model = await loadModel(file);
    const layers = await convLayers(model);
    const prepared = layers.map((l, i) => {
      const p = randomConv(100 + i, l.xShape, l.wShape, l);
      const q = { multipliers: [] as number[], shifts: [] as number[], zpOut: 128, qmin: 0, qmax: 255, bits: 8 as const };
      for (let c = 0; c < l.wShape[0]; c++) {
        const qm = quantizeMultiplier(1 / (l.wShape[1] * l.wShape[2] * l.wShape[3] * 64) + c * 1e-7);
        q.multipliers.push(qm.m);
        q.shifts.push(qm.shift);
      }
      return { p, prep: prepareConvInt(p.w, p.wShape, p.bias, p.group), q };
    });
    const runAll = (e: FastEngine) => {
      for (const l of prepared) convIntRequantFast(e, l.p, l.q, l.prep);
    };
    const convMs = { 1: timeIt(() => runAll(e1), 1000), 2: timeIt(() => runAll(e2), 1000) };
    const [n, c, h, w] = model.graph.inputs[0]!.shape as number[];
    const r = mulberry32(7);
    const img = Float32Array.from({ length: n! * c! * h! * w! }, () => r() >>> 24);
    const feeds = { [model.graph.inputs[0]!.name]: floatTensor(img, [n!, c!, h!, w!]) };
    const ortMs = { 1: 0, 2: 0 };
    for (const threads of [1, 2] as const) {
      const s = await createSession(model.bytes, file, { threads, optimization: 'all' });
      await runSession(s, feeds, file);
      const times: number[] = [];
      for (let i = 0; i < 7; i++) {
        const t0 = performance.now();
        await runSession(s, feeds, file);
        times.push(performance.now() - t0);
      }
      ortMs[threads] = median(times);
      await s.release();
    }
    const gmac = layers.reduce((a, l) => a + l.macs, 0) / 1e9;
    return {
      kinds,
      yolox: { convLayers: layers.length, gmac, convMs, ortMs, ratio: { 1: convMs[1] / ortMs[1], 2: convMs[2] / ortMs[2] } },
    };
  } finally {
    await e1.close();
    await e2.close();
  }
}

/** Printable lines of a result. */
export function formatBenchWasm(r: BenchWasmResult): string[] {
  const lines = r.kinds.map(
    (k) => `int kernels ${k.kind.padEnd(18)} oracle TS ${k.oracleGmacs.toFixed(2)} GMAC/s, wasm 1 thread ${k.fast1Gmacs.toFixed(1)}, 2 threads ${k.fast2Gmacs.toFixed(1)} GMAC/s`,
  );
  const y = r.yolox;
  for (const t of [1, 2] as const) {
    lines.push(
      `int conv  YOLOX-nano 416, ${y.convLayers} Conv layers (${y.gmac.toFixed(2)} GMAC), ${t} thread(s): ${y.convMs[t].toFixed(1)} ms (${(y.gmac / y.convMs[t] * 1e3).toFixed(1)} GMAC/s) vs ORT float whole-model run ${y.ortMs[t].toFixed(1)} ms -> ratio ${y.ratio[t].toFixed(2)}`,
    );
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchWasm();
  for (const l of formatBenchWasm(r)) process.stdout.write(`${l}\n`);
}
