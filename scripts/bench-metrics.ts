/**
 * Throughput of the PairAccumulator accumulate step (decoded float64 chunks in, metrics out), in
 * GB/s of float32-input equivalent: elements * 4 bytes per side (and both sides together).
 * Decoding (decodeInto) is measured separately for context; md5 is not part of this.
 * Times are CPU time of this process (user + system, process.cpuUsage), so other load on a shared
 * machine does not count against the figure; wall time is printed as well.
 * Run: npx tsc -p tsconfig.json && node dist/scripts/bench-metrics.js [elementsPerSide]
 */
import { decodeInto } from '../src/tensor/dtype.js';
import { FitAccumulator, PairAccumulator, type PairAccumulatorOptions } from '../src/metrics/index.js';
import { rng } from '../reference/quant/test-random.js';

const N = Number(process.argv[2] ?? 1 << 23);
const CHUNK = 1 << 16;
const REPS = 7;

function makeSides(kind: 'float' | 'u8'): { a: Float64Array[]; b: Float64Array[]; decodeGBs: number } {
  const rand = rng(42);
  const chunks = Math.ceil(N / CHUNK);
  const a: Float64Array[] = [];
  const b: Float64Array[] = [];
  let decodeMs = 0;
  for (let k = 0; k < chunks; k++) {
    const len = Math.min(CHUNK, N - k * CHUNK);
    const ca = new Float64Array(len);
    const cb = new Float64Array(len);
    if (kind === 'float') {
      const fa = new Float32Array(len);
      const fb = new Float32Array(len);
      for (let i = 0; i < len; i++) {
        fa[i] = rand() * 8 - 2;
        fb[i] = fa[i]! + (rand() - 0.5) * 0.01;
      }
      const t0 = performance.now();
      decodeInto('float32', new Uint8Array(fa.buffer), ca, len);
      decodeInto('float32', new Uint8Array(fb.buffer), cb, len);
      decodeMs += performance.now() - t0;
    } else {
      for (let i = 0; i < len; i++) {
        ca[i] = Math.floor(rand() * 256);
        cb[i] = rand() < 0.001 ? (ca[i]! + 1) % 256 : ca[i]!;
      }
    }
    a.push(ca);
    b.push(cb);
  }
  return { a, b, decodeGBs: kind === 'float' ? (2 * N * 4) / (decodeMs / 1000) / 1e9 : NaN };
}

function run(label: string, opts: Omit<PairAccumulatorOptions, 'n' | 'shape'>, sides: { a: Float64Array[]; b: Float64Array[] }): void {
  const C = 64;
  const shape = [1, N / C / 64, 64, C];
  let best = Infinity;
  let bestWall = Infinity;
  let cos = 0;
  for (let r = 0; r < REPS; r++) {
    const acc = new PairAccumulator({ ...opts, n: N, shape });
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let k = 0; k < sides.a.length; k++) acc.push(sides.a[k]!, sides.b[k]!, sides.a[k]!.length);
    const m = acc.result();
    const wall = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    const ms = (cu.user + cu.system) / 1000;
    cos = m.cosine;
    if (ms < best) best = ms;
    if (wall < bestWall) bestWall = wall;
  }
  const perSide = (N * 4) / (best / 1000) / 1e9;
  console.log(
    `${label.padEnd(44)} ${(N / (best / 1000) / 1e6).toFixed(0).padStart(5)} M elem/s  ` +
      `${perSide.toFixed(2)} GB/s float32 per side, ${(2 * perSide).toFixed(2)} GB/s both sides  ` +
      `(wall ${((2 * N * 4) / (bestWall / 1000) / 1e9).toFixed(2)} GB/s both sides; cos ${cos.toFixed(6)})`,
  );
}

if (N % (64 * 64) !== 0) throw new Error('elementsPerSide must be a multiple of 4096');
console.log(`N = ${N} elements per side, chunk ${CHUNK}, best of ${REPS}, node ${process.version}`);
const f = makeSides('float');
console.log(`decodeInto float32 (context): ${f.decodeGBs.toFixed(2)} GB/s of float32 bytes (both sides)`);
run('float32 vs float32', { sideA: { dtype: 'float32' }, sideB: { dtype: 'float32' }, integerCompare: false }, f);
const mixed = { a: f.a, b: f.b.map((c) => c.map((v) => Math.min(255, Math.max(0, Math.round(v / 0.05) + 40)))) };
run('float32 vs uint8 (scale, zp)', { sideA: { dtype: 'float32' }, sideB: { dtype: 'uint8', scale: 0.05, zeroPoint: 40 }, integerCompare: false }, mixed);
{
  let best = Infinity;
  for (let r = 0; r < REPS; r++) {
    const fit = new FitAccumulator();
    const c0 = process.cpuUsage();
    for (let k = 0; k < mixed.a.length; k++) fit.push(mixed.b[k]!, mixed.a[k]!, mixed.a[k]!.length);
    fit.result();
    const cu = process.cpuUsage(c0);
    best = Math.min(best, (cu.user + cu.system) / 1000);
  }
  const perSide = (N * 4) / (best / 1000) / 1e9;
  console.log(`${'fit pass 1 (FitAccumulator, uint8 on float32)'.padEnd(44)} ${(N / (best / 1000) / 1e6).toFixed(0).padStart(5)} M elem/s  ${perSide.toFixed(2)} GB/s float32 per side, ${(2 * perSide).toFixed(2)} GB/s both sides`);
}
const q = makeSides('u8');
run('uint8 (scale, zp) vs uint8 (scale, zp)', { sideA: { dtype: 'uint8', scale: 0.05, zeroPoint: 3 }, sideB: { dtype: 'uint8', scale: 0.05, zeroPoint: 3 }, integerCompare: false }, q);
run('uint8 vs uint8, exact compare + saturation', { sideA: { dtype: 'uint8', scale: 0.05, zeroPoint: 3 }, sideB: { dtype: 'uint8', scale: 0.05, zeroPoint: 3 }, integerCompare: true }, q);
