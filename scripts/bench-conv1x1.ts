/**
 * 1x1 kernel micro-benchmark: time per output of conv1x1.wat on YOLOX-nano's 1x1 shapes (random
 * codes and weights, realistic multipliers), without and with a 256-entry output table (the fused
 * SiLU), input kept in the engine's memory as in a run; median of 60 calls per shape. Run:
 * `npm run build && node dist/scripts/bench-conv1x1.js [--threads 1] [--shapes '[[c,m,h,w],...]']`.
 * For an A/B of two builds, run it from each build's dist alternately.
 */
import { pathToFileURL } from 'node:url';
import { FastEngine } from '../reference/fast/engine.js';
import { convIntRequantFast, prepareConvInt } from '../reference/fast/conv-int.js';
import type { ConvIntParams, RequantParams } from '../reference/fast/conv-int-types.js';
import { quantizeMultiplier } from '../reference/quant/fixed-point.js';
import { mulberry32 } from './synthetic-input.js';

/** [input channels, output channels, height, width]: the few-channel and the wide YOLOX-nano 1x1 layers. */
const SHAPES: [number, number, number, number][] = [[16, 32, 104, 104], [32, 16, 104, 104], [32, 32, 52, 52], [64, 64, 52, 52], [128, 128, 26, 26], [256, 256, 13, 13]];

export interface Conv1x1Time {
  shape: [number, number, number, number];
  table: boolean;
  /** Median time of one call, µs. */
  us: number;
  /** Nanoseconds per output code. */
  nsPerOutput: number;
  gmacs: number;
}

export async function benchConv1x1(threads: number, shapes = SHAPES): Promise<Conv1x1Time[]> {
  const e = await FastEngine.create({ threads });
  const next = mulberry32(1);
  const rnd = (): number => next() / 2 ** 32;
  const out: Conv1x1Time[] = [];
  try {
    for (const [c, m, h, w] of shapes) {
      const x = Uint8Array.from({ length: c * h * w }, () => Math.floor(rnd() * 256));
      const wt = Int8Array.from({ length: m * c }, () => Math.floor(rnd() * 255) - 127);
      const bias = Int32Array.from({ length: m }, () => Math.floor(rnd() * 2000) - 1000);
      const p: ConvIntParams = { x, xShape: [1, c, h, w], zx: 3, w: wt, wShape: [m, c, 1, 1], bias, group: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] };
      const qm = Array.from({ length: m }, () => quantizeMultiplier((0.5 + rnd()) / (Math.sqrt(c) * 127 * 40)));
      const q: RequantParams = { multipliers: qm.map((v) => v.m), shifts: qm.map((v) => v.shift), zpOut: 100, qmin: 0, qmax: 255, bits: 8 };
      const prep = prepareConvInt(wt, p.wShape, bias, 1);
      const lut = Uint8Array.from({ length: 256 }, (_, i) => 255 - i);
      for (const table of [false, true]) {
        const ts: number[] = [];
        for (let r = 0; r < 60; r++) {
          e.beginRun();
          e.reset();
          const xin = new Uint8Array(e.buffer, e.allocKeep(x.length), x.length);
          xin.set(x);
          const t0 = performance.now();
          convIntRequantFast(e, { ...p, x: xin }, q, prep, table ? lut : undefined);
          ts.push(performance.now() - t0);
          e.endRun();
        }
        ts.sort((a, b) => a - b);
        const ms = ts[ts.length >> 1]!;
        out.push({ shape: [c, m, h, w], table, us: ms * 1000, nsPerOutput: (ms * 1e6) / (m * h * w), gmacs: (c * m * h * w) / (ms * 1e6) });
      }
    }
  } finally {
    await e.close();
  }
  return out;
}

async function main(): Promise<void> {
  const arg = (k: string, d: string): string => {
    const i = process.argv.indexOf(`--${k}`);
    return i > 0 ? process.argv[i + 1]! : d;
  };
  const shapes = JSON.parse(arg('shapes', JSON.stringify(SHAPES))) as [number, number, number, number][];
  for (const r of await benchConv1x1(Number(arg('threads', '1')), shapes)) {
    const [c, m, h, w] = r.shape;
    process.stdout.write(`${`${c}->${m} ${h}x${w}`.padEnd(16)} table ${r.table ? 'yes' : 'no '}  ${r.us.toFixed(0).padStart(5)} µs  ${r.nsPerOutput.toFixed(2)} ns/output  ${r.gmacs.toFixed(1)} GMAC/s\n`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
