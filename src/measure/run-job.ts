/**
 * One measure job: a single streaming pass over both files (reused buffers, ≥ 1 MB reads)
 * computing both files' md5 and the pair's metrics. Runs in a worker thread or in-process.
 *
 * With a PairKernel (the WebAssembly pair kernel, loaded once per thread), dump bytes are read
 * straight into the kernel's memory, hashed there and measured by WasmPairAccumulator: no JS
 * decode, no Float64 copies. Without one, or for what the kernel does not support (uint4/int64
 * sides, huge channel arrays) and for the fit's first pass, chunks are decoded to Float64 and fed
 * to PairAccumulator. Both give bit-identical metrics.
 */
import { openSync, closeSync, fstatSync } from 'node:fs';
import { MD5_CHUNK, md5Whole, readFull } from './file-read.js';
import { createHash, type Hash } from 'node:crypto';
import { DTYPES, decodeInto } from '../tensor/dtype.js';
import type { MeasureJob, MeasureResult, MeasureSide } from './types.js';
import { PairAccumulator, FitAccumulator, fitInfo, layerMetricsToJson, type FitInfo, type LayerMetrics, type PairAccumulatorOptions } from '../metrics/index.js';
import { KERNEL_CHUNK, type PairKernel } from '../metrics/pair-kernel.js';
import { WasmPairAccumulator } from '../metrics/wasm-accumulator.js';

/** Elements per chunk: 1 Mi elements (4 MB of float32, 1 MB of uint8). */
const CHUNK_ELEMS = 1 << 20;

/** Buffers of the JS path, reused across jobs within one thread (allocated on first use). */
class Buffers {
  rawA = new Uint8Array(CHUNK_ELEMS * 8);
  rawB = new Uint8Array(CHUNK_ELEMS * 8);
  valA = new Float64Array(CHUNK_ELEMS);
  valB = new Float64Array(CHUNK_ELEMS);
}
let buffers: Buffers | null = null;
const jsBuffers = (): Buffers => (buffers ??= new Buffers());

/** Two read buffers of at least MD5_CHUNK bytes: the kernel's raw regions, else the JS path's. */
function readBuffers(kernel: PairKernel | null): [Uint8Array, Uint8Array] {
  if (kernel) return [kernel.bytes(kernel.rawA, MD5_CHUNK), kernel.bytes(kernel.rawB, MD5_CHUNK)];
  const b = jsBuffers();
  return [b.rawA, b.rawB];
}

interface OpenSide {
  fd: number;
  /** null when another job of the run hashes this file (MeasureSide.hash false). */
  hash: Hash | null;
  pos: number;
  size: number;
  bytesPer: number;
}

function openSide(s: MeasureSide, buf: Uint8Array): OpenSide {
  const fd = openSync(s.file, 'r');
  const hash = s.hash === false ? null : createHash('md5');
  const size = fstatSync(fd).size;
  if (s.dataOffset > 0 && hash) {
    const n = readFull(fd, buf, s.dataOffset, 0);
    hash.update(buf.subarray(0, n));
  }
  return { fd, hash, pos: s.dataOffset, size, bytesPer: DTYPES[s.dtype].bytes };
}

/** Hashes whatever follows the compared elements (nothing, for well-formed files). */
function finishSide(o: OpenSide, buf: Uint8Array): string {
  if (!o.hash) {
    closeSync(o.fd);
    return '';
  }
  for (;;) {
    const n = readFull(o.fd, buf, Math.min(buf.length, MD5_CHUNK), o.pos);
    if (n === 0) break;
    o.hash.update(buf.subarray(0, n));
    o.pos += n;
  }
  closeSync(o.fd);
  return o.hash.digest('hex');
}

/**
 * Streams `count` elements of both sides, calling `each(valuesA, valuesB, n)` per chunk with
 * decoded raw values, and hashing every byte read.
 */
function stream(job: MeasureJob, A: OpenSide, B: OpenSide, b: Buffers, each: (va: Float64Array, vb: Float64Array, n: number) => void, hash: boolean): void {
  let done = 0;
  const pa = A.pos;
  const pb = B.pos;
  while (done < job.count) {
    const n = Math.min(CHUNK_ELEMS, job.count - done);
    const byteA = Math.ceil(n * A.bytesPer);
    const byteB = Math.ceil(n * B.bytesPer);
    const ga = readFull(A.fd, b.rawA, byteA, pa + Math.ceil(done * A.bytesPer));
    const gb = readFull(B.fd, b.rawB, byteB, pb + Math.ceil(done * B.bytesPer));
    if (ga !== byteA || gb !== byteB) throw new Error(`file shorter than its shape (${ga !== byteA ? job.a.file : job.b.file})`);
    if (hash) {
      A.hash?.update(b.rawA.subarray(0, byteA));
      B.hash?.update(b.rawB.subarray(0, byteB));
    }
    decodeInto(job.a.dtype, b.rawA, b.valA, n);
    decodeInto(job.b.dtype, b.rawB, b.valB, n);
    each(b.valA, b.valB, n);
    done += n;
  }
  if (hash) {
    A.pos = pa + Math.ceil(job.count * A.bytesPer);
    B.pos = pb + Math.ceil(job.count * B.bytesPer);
  }
}

/** Bytes read per side and step on the kernel path (of the wider side). */
export const KERNEL_READ_BYTES = 1 << 20;

/**
 * Elements per step on the kernel path: KERNEL_READ_BYTES of the wider side (1 MB reads), so one
 * step's bytes of both sides (at most 2 MB) stay in the core's L2 cache between the read, the md5
 * and the kernel (measured: 1 MB steps cost ~8% less CPU than 4 MB ones on the compare bench).
 */
export function kernelChunk(bytesA: number, bytesB: number): number {
  return Math.min(KERNEL_CHUNK, Math.floor(KERNEL_READ_BYTES / Math.max(bytesA, bytesB)));
}

/** Streams both sides' raw bytes through the kernel accumulator, hashing every byte read. */
function streamKernel(job: MeasureJob, A: OpenSide, B: OpenSide, acc: WasmPairAccumulator): void {
  const step = kernelChunk(A.bytesPer, B.bytesPer);
  let done = 0;
  while (done < job.count) {
    const n = Math.min(step, job.count - done);
    const va = acc.rawA(n);
    const vb = acc.rawB(n);
    const ga = readFull(A.fd, va, va.length, A.pos);
    const gb = readFull(B.fd, vb, vb.length, B.pos);
    if (ga !== va.length || gb !== vb.length) throw new Error(`file shorter than its shape (${ga !== va.length ? job.a.file : job.b.file})`);
    A.hash?.update(va);
    B.hash?.update(vb);
    A.pos += ga;
    B.pos += gb;
    acc.push(n);
    done += n;
  }
}

/**
 * Measures one job (md5 of both files, except a side with hash false whose md5 is then '', and
 * the metrics unless md5-only). `kernel`: this thread's
 * WebAssembly pair kernel, or null for the JS path. Never throws: a failure is the result's error.
 */
export function runJob(job: MeasureJob, kernel: PairKernel | null = null): MeasureResult {
  try {
    if (job.mode === 'md5-only') {
      const [buf] = readBuffers(kernel);
      return { id: job.id, md5A: job.a.hash === false ? '' : md5Whole(job.a.file, buf), md5B: job.b.hash === false ? '' : md5Whole(job.b.file, buf) };
    }
    const [bufA, bufB] = readBuffers(kernel);
    const A = openSide(job.a, bufA);
    const B = openSide(job.b, bufB);
    try {
      let fit: FitInfo | undefined;
      if (job.fitSide) {
        // pass 1: least-squares fit of float ≈ scale * (q - zeroPoint); pass 2 measures with it
        const fa = new FitAccumulator();
        const qa = job.fitSide === 'a';
        stream(job, A, B, jsBuffers(), (va, vb, n) => (qa ? fa.push(va, vb, n) : fa.push(vb, va, n)), false);
        const lf = fa.result();
        if (!lf.plausible) {
          throw new Error(`cannot fit a scale and zero point to the integer side ${job.fitSide === 'a' ? job.a.file : job.b.file} (r2 ${lf.r2.toFixed(3)}, scale ${lf.scale}); give its scale/zero point in a manifest.json`);
        }
        fit = fitInfo(job.fitSide, lf);
      }
      const spec = (s: MeasureSide, which: 'a' | 'b') => (fit && fit.side === which ? { dtype: s.dtype } : { dtype: s.dtype, scale: s.scale, zeroPoint: s.zeroPoint });
      const opts: PairAccumulatorOptions = { n: job.count, shape: job.shape ?? [job.count], sideA: spec(job.a, 'a'), sideB: spec(job.b, 'b'), integerCompare: job.mode === 'integer', fit };
      let m: LayerMetrics;
      if (kernel && WasmPairAccumulator.supports(opts)) {
        const acc = new WasmPairAccumulator(kernel, opts);
        streamKernel(job, A, B, acc);
        m = acc.result();
      } else {
        const acc = new PairAccumulator(opts);
        stream(job, A, B, jsBuffers(), (va, vb, n) => acc.push(va, vb, n), true);
        m = acc.result();
      }
      const metrics = layerMetricsToJson(m) as unknown as Record<string, unknown>;
      const [endA, endB] = readBuffers(kernel); // fresh views: the kernel's memory may have grown
      return { id: job.id, md5A: finishSide(A, endA), md5B: finishSide(B, endB), metrics };
    } catch (e) {
      try { closeSync(A.fd); } catch { /* closed */ }
      try { closeSync(B.fd); } catch { /* closed */ }
      throw e;
    }
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { id: job.id, md5A: '', md5B: '', error: err.code ? `${err.code}: ${err.message}` : err.message };
  }
}
