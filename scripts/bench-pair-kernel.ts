/**
 * CPU cost per element of the compare engine's per-chunk work, from raw dump bytes in memory:
 * the JS path (bytes copied into a buffer, decodeInto to Float64 + PairAccumulator) vs the
 * WebAssembly pair kernel (bytes copied into its memory + WasmPairAccumulator); the copy stands for
 * the read() both pay. node:crypto md5 of the same bytes for scale.
 * Interleaved repeats, best CPU time (process.cpuUsage) of each, so other load counts less.
 * Run: npx tsc -p tsconfig.json && node dist/scripts/build-wasm.js && node dist/scripts/bench-pair-kernel.js [elementsPerSide]
 */
import { createHash } from 'node:crypto';
import { decodeInto, DTYPES, type DType } from '../src/tensor/dtype.js';
import { PairAccumulator, type PairAccumulatorOptions } from '../src/metrics/accumulator.js';
import { KERNEL_CHUNK, PairKernel } from '../src/metrics/pair-kernel.js';
import { WasmPairAccumulator } from '../src/metrics/wasm-accumulator.js';
import { rng } from '../reference/quant/test-random.js';

const N = Number(process.argv[2] ?? 1_250_000 * 8);
const REPS = 5;
const C = 80;

function sides(dtype: DType): [Uint8Array, Uint8Array] {
  const r = rng(7);
  if (dtype === 'float32') {
    const a = new Float32Array(N);
    const b = new Float32Array(N);
    for (let i = 0; i < N; i++) {
      a[i] = r() * 2 - 1;
      b[i] = i % 7 === 0 ? a[i]! * 1.01 : a[i]!;
    }
    return [new Uint8Array(a.buffer), new Uint8Array(b.buffer)];
  }
  const a = new Uint8Array(N);
  const b = new Uint8Array(N);
  for (let i = 0; i < N; i++) {
    a[i] = (r() * 256) | 0;
    b[i] = i % 101 === 0 ? (a[i]! + 1) & 255 : a[i]!;
  }
  return [a, b];
}

const cpuMs = (fn: () => void): number => {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};

const kernel = await PairKernel.load();
const fa = new Float64Array(KERNEL_CHUNK);
const fb = new Float64Array(KERNEL_CHUNK);
const rawA = new Uint8Array(KERNEL_CHUNK * 8);
const rawB = new Uint8Array(KERNEL_CHUNK * 8);

for (const dtype of ['float32', 'uint8'] as const) {
  const [ba, bb] = sides(dtype);
  const w = DTYPES[dtype].bytes;
  const q = dtype === 'uint8' ? { scale: 0.02, zeroPoint: 128 } : {};
  const opts: PairAccumulatorOptions = { n: N, shape: [1, N / C / 125, 125, C], sideA: { dtype, ...q }, sideB: { dtype, ...q }, integerCompare: dtype === 'uint8' };
  const js = (): number => {
    const acc = new PairAccumulator(opts);
    for (let s = 0; s < N; s += KERNEL_CHUNK) {
      const n = Math.min(KERNEL_CHUNK, N - s);
      // both paths copy each chunk's bytes once, standing for the read() into their buffer
      rawA.set(ba.subarray(s * w, (s + n) * w));
      rawB.set(bb.subarray(s * w, (s + n) * w));
      decodeInto(dtype, rawA, fa, n);
      decodeInto(dtype, rawB, fb, n);
      acc.push(fa, fb, n);
    }
    return acc.result().cosine;
  };
  const wasm = (): number => {
    const acc = new WasmPairAccumulator(kernel, opts);
    for (let s = 0; s < N; s += KERNEL_CHUNK) {
      const n = Math.min(KERNEL_CHUNK, N - s);
      acc.rawA(n).set(ba.subarray(s * w, (s + n) * w));
      acc.rawB(n).set(bb.subarray(s * w, (s + n) * w));
      acc.push(n);
    }
    return acc.result().cosine;
  };
  const md5 = (): void => {
    for (const buf of [ba, bb]) createHash('md5').update(buf).digest('hex');
  };
  if (js() !== wasm()) throw new Error(`${dtype}: the two paths disagree`);
  const best = { js: Infinity, wasm: Infinity, md5: Infinity };
  for (let r = 0; r < REPS; r++) {
    best.js = Math.min(best.js, cpuMs(js));
    best.wasm = Math.min(best.wasm, cpuMs(wasm));
    best.md5 = Math.min(best.md5, cpuMs(md5));
  }
  const ns = (ms: number) => ((ms * 1e6) / N).toFixed(2);
  console.log(
    `${dtype.padEnd(8)} ${N} pairs${dtype === 'uint8' ? ' (exact compare + saturation)' : ''}: JS decode+accumulate ${ns(best.js)} ns/pair, ` +
      `wasm kernel ${ns(best.wasm)} ns/pair (${(best.js / best.wasm).toFixed(2)}x), md5 of both sides ${ns(best.md5)} ns/pair`,
  );
}
