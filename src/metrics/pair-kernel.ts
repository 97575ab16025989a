/**
 * The WebAssembly pair kernel (pair-kernel.wat): one instance per thread, its linear memory laid
 * out as [descriptor | state | two float64 scratch blocks | raw chunk A | raw chunk B | channel
 * arrays]. The measure engine reads dump bytes straight into the raw chunk regions (no copy, no
 * Float64Array of the whole chunk) and WasmPairAccumulator (wasm-accumulator.ts) runs the kernel.
 *
 * Why order-preserving sums: the kernel's results are bit-identical to PairAccumulator's (tests
 * assert equality, not a tolerance). Fusing the decode into the kernel, keeping the decoded block
 * in L1 and forming two pairs' products per float64x2 step removed what dominated (the Float64
 * copies, V8's bounds checks, the scalar loop): measured (scripts/bench-pair-kernel.ts, CPU time)
 * 1.5 ns per float32 pair and 3.4 ns per uint8 pair with exact compare and saturation, against
 * about 10 ns of md5 for the same pair's 8 bytes; reordering the sums to go further would change
 * the rounding for a few percent of the total.
 */
import type { DType } from '../tensor/dtype.js';
import { loadWasmModule } from '../../reference/fast/wasm-module.js';

/** Dtype codes of pair-kernel.wat; dtypes without a code (uint4, int64) use the JS path. */
export const KERNEL_DTYPES: Partial<Record<DType, number>> = { float32: 0, float64: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6 };

/** Most elements per kernel call (and per raw chunk region). */
export const KERNEL_CHUNK = 1 << 20;

/** Largest channel-array area (bytes) a layer may use on the kernel; larger layers use the JS path. */
export const MAX_CHANNEL_BYTES = 64 << 20;

const PAGE = 65536;
const BLOCK = 1024; // pair-kernel.wat $BLOCK
/** Byte addresses (see pair-kernel.wat's header for the descriptor fields). */
export const ADDR = {
  job: 64,
  state: 512,
  xa: 1024,
  xb: 1024 + (BLOCK + 8) * 8,
  raw: 32768,
} as const;
const RAW_BYTES = KERNEL_CHUNK * 8 + 64;

/** Descriptor field offsets (bytes from ADDR.job). */
export const JOB = {
  sA: 0, zA: 8, sB: 16, zB: 24, loA: 32, hiA: 40, loB: 48, hiB: 56, off: 64,
  dtA: 128, dtB: 132, flags: 136, C: 140, rowLen: 144, rows: 148, left: 152,
  ra: 156, rb: 160, xa: 164, xb: 168, st: 172, fA: 176, fB: 180, vA: 184, vB: 188, pc: 192, pr: 196,
  n: 200, offI: 204,
} as const;

/** Channel-array addresses of one layer. */
export interface ChannelArea {
  fA: number;
  fB: number;
  pc: number;
  pr: number;
  vA: number;
  vB: number;
  end: number;
}

/** Channel arrays for C channels and `rows` rows, placed after the raw chunks (8-byte aligned). */
export function channelArea(C: number, rows: number): ChannelArea {
  const fA = ADDR.raw + 2 * RAW_BYTES;
  const fB = fA + 8 * C;
  const pc = fB + 8 * C;
  const pr = pc + 8 * C;
  const vA = pr + 8 * rows;
  const vB = vA + C;
  return { fA, fB, pc, pr, vA, vB, end: vB + C };
}

/** Channel-array bytes a layer needs. */
export function channelBytes(C: number, rows: number): number {
  return 26 * C + 8 * rows;
}

/** One instance of the kernel with its memory. Not thread-safe: one accumulator at a time. */
export class PairKernel {
  readonly memory: WebAssembly.Memory;
  readonly run: (job: number) => void;
  /** Raw chunk regions (byte addresses): dump bytes of side a and b go here. */
  readonly rawA = ADDR.raw;
  readonly rawB = ADDR.raw + RAW_BYTES;

  constructor(module: WebAssembly.Module) {
    const inst = new WebAssembly.Instance(module, {});
    this.memory = inst.exports.memory as WebAssembly.Memory;
    this.run = inst.exports.run as (job: number) => void;
    this.ensure(channelArea(0, 0).end);
  }

  /** Grows the memory to hold at least `bytes` bytes (views taken before are then stale). */
  ensure(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes > have) this.memory.grow(Math.ceil((bytes - have) / PAGE));
  }

  /** A fresh view of `len` bytes at byte address `at` (take it after ensure()). */
  bytes(at: number, len: number): Uint8Array {
    return new Uint8Array(this.memory.buffer, at, len);
  }

  /** The kernel compiled from dist/ (or from its .wat when running from source). */
  static async load(options: { fromSource?: boolean } = {}): Promise<PairKernel> {
    return new PairKernel(await loadWasmModule('src/metrics/pair-kernel.wat', options));
  }
}
