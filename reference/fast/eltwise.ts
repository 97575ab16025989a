/**
 * Element-wise passes on the fast engine (eltwise.wat): table lookups on uint8 codes and the
 * quantization of a float32 tensor. The tables come from the caller, built with the plain-TS
 * (oracle) kernels, so every lookup equals the oracle's result by construction; the quantizer
 * reproduces reference/quant/quantize-tensor.ts (float64 division rounded to float32, round half to
 * even, clamp, NaN → 0) instruction by instruction.
 */
import type { FastEngine, FnName } from './engine.js';

/** Elements per job (~10 µs for a table lookup); see FastEngine.jobCount. */
const JOB_ELEMENTS = 1 << 15;

/** The jobs `[...head, i0, i1]` covering [from, n) in ranges of about JOB_ELEMENTS (multiples of 16). */
function rangeJobs(e: FastEngine, head: number[], n: number, from = 0): number[][] {
  const parts = e.jobCount(n - from, JOB_ELEMENTS);
  const chunk = Math.ceil((n - from) / parts / 16) * 16;
  const jobs: number[][] = [];
  for (let i = from; i < n; i += chunk) jobs.push([...head, i, Math.min(n, i + chunk)]);
  return jobs;
}

/** Runs `fn(...head, i0, i1)` over [from, n) split into jobs of ranges (multiples of 16). */
export function parallelRange(e: FastEngine, fn: FnName, head: number[], n: number, from = 0): void {
  const jobs = rangeJobs(e, head, n, from);
  if (jobs.length === 1) e.call(fn, jobs[0]!);
  else if (jobs.length > 1) e.parallel(fn, jobs);
}

/** Applies a 256-entry uint8 table in place to `n` codes at byte address `at` of the engine memory. */
export function lutInPlace(e: FastEngine, at: number, n: number, tableAt: number): void {
  parallelRange(e, 'lut_u8', [at, at, tableAt], n);
}

/** out[i] = table[q[i]] (uint8 codes, 256-entry table) on the fast engine. */
export function lutFast(e: FastEngine, q: Uint8Array, table: Uint8Array): Uint8Array {
  e.reset();
  const tA = e.alloc(256);
  const qA = e.alloc(q.length);
  new Uint8Array(e.buffer, tA, 256).set(table.subarray(0, 256));
  new Uint8Array(e.buffer, qA, q.length).set(q);
  lutInPlace(e, qA, q.length, tA);
  const out = new Uint8Array(q.length);
  out.set(new Uint8Array(e.buffer, qA, q.length));
  return out;
}

/** out[i] = table[(a[i] << 8) | b[i]] (uint8 codes of equal length, 65536-entry table). */
export function pairLutFast(e: FastEngine, a: Uint8Array, b: Uint8Array, table: Uint8Array): Uint8Array {
  if (a.length !== b.length || table.length < 65536) throw new RangeError('pairLutFast: operands of unequal length or a short table');
  e.reset();
  const tA = e.alloc(65536);
  const aA = e.alloc(a.length);
  const bA = e.alloc(b.length);
  const buf = e.buffer;
  new Uint8Array(buf, tA, 65536).set(table.subarray(0, 65536));
  new Uint8Array(buf, aA, a.length).set(a);
  new Uint8Array(buf, bA, b.length).set(b);
  parallelRange(e, 'pair_lut_u8', [aA, bA, aA, tA], a.length);
  const out = new Uint8Array(a.length);
  out.set(new Uint8Array(e.buffer, aA, a.length));
  return out;
}

/**
 * Quantizes float32 values like reference/quant/quantize-tensor.ts quantizeTensor:
 * clamp(round_half_even(fround(x / scale)) + zp, 0, 2^bits − 1), NaN → 0; uint8 for ≤ 8 bits.
 * During a run (engine.arena) the codes are kept in the engine's memory (a view, valid until
 * endRun), so the kernels that read them next do not copy them in again.
 */
export function quantizeFast(e: FastEngine, x: Float32Array, p: { scale: number; zeroPoint: number; bits: number }): Uint8Array | Uint16Array {
  const bytes = p.bits <= 8 ? 1 : 2;
  e.reset();
  const kept = e.arena ? e.allocKeep(x.length * bytes) : 0;
  const chunk = Math.min(x.length, QUANT_CHUNK * e.threads);
  const sA = e.alloc(8);
  // two chunk buffers: the JavaScript copy of chunk k + 1 overlaps the workers' quantization of chunk k
  const bufA = [e.alloc(chunk * 4), e.alloc(chunk * 4)];
  const qA = kept || e.alloc(x.length * bytes);
  const buf = e.buffer;
  new Float64Array(buf, sA, 1)[0] = p.scale;
  // a float32 scale allows one float32 division (exact: see eltwise.wat $q4)
  const f32 = p.scale !== 0 && Math.fround(p.scale) === p.scale && Number.isFinite(p.scale) ? 1 : 0;
  const views = bufA.map((a) => new Float32Array(buf, a, chunk));
  // chunk by chunk through small buffers: each chunk is quantized while it is still in the cache
  // (the kernel reads src + 4·i for i in [c0, c1): src is the buffer's address minus 4·c0, wrapping as i32)
  try {
    for (let c0 = 0, k = 0; c0 < x.length; c0 += chunk, k ^= 1) {
      const c1 = Math.min(x.length, c0 + chunk);
      views[k]!.set(x.subarray(c0, c1));
      e.finish();
      const head = [(bufA[k]! - 4 * c0) | 0, qA, sA, p.zeroPoint, 2 ** p.bits - 1, bytes, f32];
      e.post('quant_f32', rangeJobs(e, head, c1, c0));
    }
  } finally {
    e.finish();
  }
  const view = bytes === 1 ? new Uint8Array(e.buffer, qA, x.length) : new Uint16Array(e.buffer, qA, x.length);
  if (kept) return view;
  const out = bytes === 1 ? new Uint8Array(x.length) : new Uint16Array(x.length);
  out.set(view);
  return out;
}

/** Float32 values per thread and chunk in {@link quantizeFast} (256 KiB of input: stays in L2). */
const QUANT_CHUNK = 1 << 16;

/** Operand addresses and the output of one element-wise kernel call (see {@link stage}). */
export interface Staged {
  /** Byte addresses of the inputs in the engine's memory. */
  inA: number[];
  /** Byte address of the output. */
  outA: number;
  /** The output as a JS array: a view when kept in the engine's memory (a run), else a copy. */
  result(): Uint8Array;
}

/**
 * Prepares a kernel call on uint8 operands: the output (`outBytes`) is kept in the engine's memory
 * during a run (engine.arena) and allocated first; inputs already there are read in place, others
 * copied into scratch. Call the kernel, then `result()`.
 */
export function stage(e: FastEngine, inputs: readonly Uint8Array[], outBytes: number, scratchBytes = 0): Staged & { scratchA: number } {
  e.reset();
  const kept = e.arena ? e.allocKeep(outBytes) : 0;
  const inA = inputs.map((x) => {
    const at = e.addressOf(x);
    if (at !== null) return at;
    const a = e.alloc(x.length);
    new Uint8Array(e.buffer, a, x.length).set(x);
    return a;
  });
  const outA = kept || e.alloc(outBytes + 16);
  const scratchA = scratchBytes > 0 ? e.alloc(scratchBytes) : 0;
  return {
    inA,
    outA,
    scratchA,
    result: () => {
      const view = new Uint8Array(e.buffer, outA, outBytes);
      if (kept) return view;
      const out = new Uint8Array(outBytes);
      out.set(view);
      return out;
    },
  };
}
