/**
 * PairAccumulator on the WebAssembly pair kernel: the same options, the same LayerMetrics,
 * bit-identical numbers, but fed with RAW dump bytes written straight into the kernel's memory
 * (decode, dequantization and every metric happen in one fused pass; see pair-kernel.wat).
 *
 * Usage (one accumulator at a time per PairKernel):
 *   if (WasmPairAccumulator.supports(opts)) {
 *     const acc = new WasmPairAccumulator(kernel, opts);
 *     for each chunk of k <= KERNEL_CHUNK elements:
 *       read k * bytesPerElement(a) bytes into acc.rawA(), likewise b into acc.rawB(); acc.push(k);
 *     const metrics = acc.result();
 *   }
 */
import { DTYPES } from '../tensor/dtype.js';
import { pairSetup, type PairAccumulatorOptions, type PairSetup } from './accumulator-setup.js';
import { layerMetricsOf } from './accumulator-result.js';
import { ADDR, channelArea, channelBytes, JOB, KERNEL_CHUNK, KERNEL_DTYPES, MAX_CHANNEL_BYTES, type ChannelArea, type PairKernel } from './pair-kernel.js';
import { STATE_SIZE } from './accumulator-kernels.js';
import { channelCount, rowLayout } from './coords.js';
import type { LayerMetrics } from './types.js';

/** Most elements a layer may have on the kernel (flat indices are int32 inside). */
const MAX_ELEMS = 2 ** 31 - KERNEL_CHUNK - 1;

/** State slots after the sums: saturation [15..18], mismatches [19], first mismatch [20]. */
const SAT = STATE_SIZE;
const MM = STATE_SIZE + 4;

export class WasmPairAccumulator {
  private readonly setup: PairSetup;
  private readonly k: PairKernel;
  private readonly area: ChannelArea;
  private readonly bytesA: number;
  private readonly bytesB: number;
  private pushed = 0;
  private left: number;

  /**
   * True when the kernel handles these options: both dtypes have a kernel code (not uint4/int64),
   * fewer than ~2^31 elements, and channel arrays within MAX_CHANNEL_BYTES.
   */
  static supports(opts: Pick<PairAccumulatorOptions, 'n' | 'shape' | 'sideA' | 'sideB' | 'integerCompare'>): boolean {
    if (KERNEL_DTYPES[opts.sideA.dtype] === undefined || KERNEL_DTYPES[opts.sideB.dtype] === undefined) return false;
    if (!(opts.n >= 0 && opts.n <= MAX_ELEMS)) return false;
    const rows = opts.integerCompare ? (rowLayout(opts.shape)?.rows ?? 0) : 0;
    return channelBytes(channelCount(opts.shape), rows) <= MAX_CHANNEL_BYTES;
  }

  /** Throws RangeError on options PairAccumulator rejects, or that the kernel does not support. */
  constructor(kernel: PairKernel, opts: PairAccumulatorOptions) {
    if (!WasmPairAccumulator.supports(opts)) throw new RangeError(`WasmPairAccumulator: unsupported layer (${opts.sideA.dtype}/${opts.sideB.dtype}, n ${opts.n})`);
    const s = (this.setup = pairSetup(opts));
    this.k = kernel;
    this.bytesA = DTYPES[opts.sideA.dtype].bytes;
    this.bytesB = DTYPES[opts.sideB.dtype].bytes;
    const C = s.C;
    this.area = channelArea(C, s.rows);
    kernel.ensure(this.area.end + 64);
    const mem = kernel.memory.buffer;
    const st = new Float64Array(mem, ADDR.state, MM + 2);
    st.fill(0);
    st[6] = -1; // max |d| before any finite pair
    st[7] = -1; // its index
    st[MM + 1] = -1; // first mismatch
    new Uint8Array(mem, this.area.vA, 2 * C).fill(0);
    new Float64Array(mem, this.area.pc, C + s.rows).fill(0);
    this.left = s.trackLen;
    const f = new Float64Array(mem, ADDR.job, 16);
    const i = new Int32Array(mem, ADDR.job + 128, 20);
    f[JOB.sA / 8] = s.sA;
    f[JOB.zA / 8] = s.zA;
    f[JOB.sB / 8] = s.sB;
    f[JOB.zB / 8] = s.zB;
    f[JOB.loA / 8] = s.loA;
    f[JOB.hiA / 8] = s.hiA;
    f[JOB.loB / 8] = s.loB;
    f[JOB.hiB / 8] = s.hiB;
    const w = (field: number, v: number) => (i[(field - 128) / 4] = v);
    w(JOB.dtA, KERNEL_DTYPES[opts.sideA.dtype]!);
    w(JOB.dtB, KERNEL_DTYPES[opts.sideB.dtype]!);
    // (v - 0) * 1 === v for every float64, so a side with scale 1 and zero point 0 skips the pass
    const dqA = !(s.sA === 1 && s.zA === 0);
    const dqB = !(s.sB === 1 && s.zB === 0);
    w(JOB.flags, (opts.integerCompare ? 1 : 0) | (s.hasRows ? 2 : 0) | (s.intA ? 4 : 0) | (s.intB ? 8 : 0) | (dqA ? 16 : 0) | (dqB ? 32 : 0));
    w(JOB.C, s.C);
    w(JOB.rowLen, s.rowLen);
    w(JOB.rows, s.rows);
    w(JOB.ra, kernel.rawA);
    w(JOB.rb, kernel.rawB);
    w(JOB.xa, ADDR.xa);
    w(JOB.xb, ADDR.xb);
    w(JOB.st, ADDR.state);
    w(JOB.fA, this.area.fA);
    w(JOB.fB, this.area.fB);
    w(JOB.vA, this.area.vA);
    w(JOB.vB, this.area.vB);
    w(JOB.pc, this.area.pc);
    w(JOB.pr, this.area.pr);
  }

  /** Elements pushed so far. */
  get pushedCount(): number {
    return this.pushed;
  }

  /** View of the raw chunk region of side a: write `count` elements' bytes here before push(count). */
  rawA(count: number): Uint8Array {
    return this.k.bytes(this.k.rawA, Math.ceil(count * this.bytesA));
  }

  /** View of the raw chunk region of side b. */
  rawB(count: number): Uint8Array {
    return this.k.bytes(this.k.rawB, Math.ceil(count * this.bytesB));
  }

  /**
   * Adds the next `count` (<= KERNEL_CHUNK) elements, whose little-endian bytes are in the raw
   * regions. Throws RangeError on a count out of range or past n.
   */
  push(count: number): void {
    if (!Number.isInteger(count) || count < 0 || count > KERNEL_CHUNK) throw new RangeError(`push: count ${count} outside 0..${KERNEL_CHUNK}`);
    if (this.pushed + count > this.setup.n) throw new RangeError(`push: ${this.pushed + count} elements pushed, layer has ${this.setup.n}`);
    if (count === 0) return;
    const mem = this.k.memory.buffer;
    new Float64Array(mem, ADDR.job, 16)[JOB.off / 8] = this.pushed;
    const i = new Int32Array(mem, ADDR.job + 128, 20);
    i[(JOB.left - 128) / 4] = this.left;
    i[(JOB.n - 128) / 4] = count;
    i[(JOB.offI - 128) / 4] = this.pushed;
    this.k.run(ADDR.job);
    this.left = i[(JOB.left - 128) / 4]!;
    this.pushed += count;
  }

  /** The metrics block (same as PairAccumulator.result()); throws RangeError when fewer than n elements were pushed. */
  result(): LayerMetrics {
    const s = this.setup;
    if (this.pushed !== s.n) throw new RangeError(`result: ${this.pushed} of ${s.n} elements pushed`);
    const mem = this.k.memory.buffer;
    const st = new Float64Array(mem, ADDR.state, MM + 2);
    const C = s.trackLen;
    return layerMetricsOf(s, {
      st: st.subarray(0, STATE_SIZE),
      sat: st.subarray(SAT, SAT + 4),
      variesA: new Uint8Array(mem, this.area.vA, C),
      variesB: new Uint8Array(mem, this.area.vB, C),
      targetConstLeft: this.left,
      mm: s.opts.integerCompare ? st.subarray(MM, MM + 2) : null,
      perChannel: new Float64Array(mem, this.area.pc, s.opts.integerCompare ? s.C : 0),
      perRow: new Float64Array(mem, this.area.pr, s.rows),
    });
  }
}
