// temporary probe: hardware scaling of the 1x1 kernel with 1 vs 2 threads on big layers
import { FastEngine } from '../reference/fast/engine.js';
import { convIntRequantFast, prepareConvInt } from '../reference/fast/conv-int.js';
import { lastConv1x1Split } from '../reference/fast/conv1x1.js';
import type { ConvIntParams, RequantParams } from '../reference/fast/conv-int-types.js';

function layer(c: number, m: number, h: number, w: number): { p: ConvIntParams; q: RequantParams } {
  let s = 1;
  const r = (): number => ((s = (s * 1103515245 + 12345) >>> 0) >>> 8) / 2 ** 24;
  const x = Uint8Array.from({ length: c * h * w }, () => Math.floor(r() * 256));
  const wt = Int8Array.from({ length: m * c }, () => Math.floor(r() * 255) - 127);
  const p: ConvIntParams = { x, xShape: [1, c, h, w], zx: 3, w: wt, wShape: [m, c, 1, 1], bias: null, group: 1, strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0] };
  const q: RequantParams = { multipliers: Array(m).fill(1 << 30), shifts: Array(m).fill(20), zpOut: 0, qmin: 0, qmax: 255, bits: 8 };
  return { p, q };
}

const e1 = await FastEngine.create({ threads: 1 });
const e2 = await FastEngine.create({ threads: 2 });
const shapes: [number, number, number, number][] = [[64, 64, 104, 104], [32, 32, 208, 208], [128, 128, 52, 52], [256, 256, 26, 26], [256, 256, 13, 13]];
for (const [c, m, h, w] of shapes) {
  const { p, q } = layer(c, m, h, w);
  const prep = prepareConvInt(p.w, p.wShape, null, 1);
  const macs = c * m * h * w;
  const res: string[] = [];
  for (const [name, e] of [['1t', e1], ['2t', e2], ['1t', e1], ['2t', e2]] as const) {
    const reps = Math.max(5, Math.round(4e8 / macs));
    e.beginRun();
    const ts: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      e.reset();
      convIntRequantFast(e, p, q, prep);
      ts.push(performance.now() - t0);
      e.endRun(); e.beginRun();
    }
    e.endRun();
    ts.sort((a, b) => a - b);
    const med = ts[ts.length >> 1]!;
    res.push(`${name} ${med.toFixed(3)}ms ${(macs / med / 1e6).toFixed(1)}GMAC/s ${lastConv1x1Split}`);
  }
  console.log(`${c}x${m} ${h}x${w}: ${res.join(' | ')}`);
}
await e1.close(); await e2.close();
