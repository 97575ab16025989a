/**
 * 1x1 convolutions (stride 1, no padding, one group, uint8 input, 8-bit output) with fused
 * requantization on the fast engine (conv1x1.wat): no NHWC packing of the whole input, no int32
 * accumulator pass, and one fork/join per layer (each job packs, accumulates and requantizes its
 * own pixel range or output-channel blocks). Bit-identical to convIntOracle + requantizeOracle (+ the output table), under the
 * same int32 exactness conditions as the general kernel, which the caller has checked
 * (conv-int.ts convIntRequantFast); multipliers must be < 1/4 (33 ≤ 31 + shift ≤ 62) and the output
 * range within uint8.
 */
import type { FastEngine } from './engine.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import type { PreparedConvInt } from './pack.js';
import { allocRegisterRequant, rqInRegisters } from './requant.js';

/** Multiply-accumulates per job (~15 µs at ~35 GMAC/s); see FastEngine.jobCount. */
const JOB_MACS = 1 << 19;
/** Pixels per job below which a layer is split by output channels instead (when it has enough). */
const MIN_PIXELS_PER_JOB = 64;

/** How the last {@link conv1x1RequantFast} call split its work over the threads. */
export let lastConv1x1Split: 'pixels' | 'channels' | 'none' = 'none';

/** Whether {@link conv1x1RequantFast} takes this layer. */
export function conv1x1Eligible(p: ConvIntParams, q: RequantParams, prep: PreparedConvInt): boolean {
  return (
    prep.kind === 'pairs' &&
    prep.kh === 1 &&
    prep.kw === 1 &&
    prep.group === 1 &&
    p.x instanceof Uint8Array &&
    p.strides[0] === 1 &&
    p.strides[1] === 1 &&
    p.pads.every((v) => v === 0) &&
    rqInRegisters(q)
  );
}

/**
 * Output codes NCHW uint8 of a layer accepted by {@link conv1x1Eligible}; `lut` (256 entries) is
 * applied to every output code. The output is kept in the engine's memory during a run.
 */
export function conv1x1RequantFast(e: FastEngine, p: ConvIntParams, q: RequantParams, prep: PreparedConvInt, lut?: Uint8Array): Uint8Array {
  const [n, c, h, w] = p.xShape;
  const m = prep.m;
  const plane = h * w;
  const p8 = Math.ceil(plane / 8) * 8;
  const ncp = prep.cp / 2;
  const count = n * m * plane;
  e.reset();
  const outA = e.arena ? e.allocKeep(count) : 0;
  const x = p.x as Uint8Array;
  const inAt = e.addressOf(x);
  const srcA = inAt ?? e.alloc(x.length);
  const wA = e.alloc(prep.w.byteLength);
  const bA = e.alloc(prep.bias.byteLength);
  const xpA = e.alloc(ncp * 32 * e.threads);
  const rr = allocRegisterRequant(e, m, outA ? 0 : count, q, lut);
  const oA = outA || rr.qA;
  const buf = e.buffer;
  if (inAt === null) new Uint8Array(buf, srcA, x.length).set(x);
  new Int16Array(buf, wA, prep.w.length).set(prep.w);
  new Int32Array(buf, bA, prep.bias.length).set(prep.bias);
  // jobs of ~JOB_MACS over pixel ranges (multiples of 8); a plane too small for that with enough
  // output channels is split by output-channel blocks instead (each job packs the whole plane for
  // its channels). Jobs run on any thread: the tile buffer and the bounce vector are per thread.
  const nhb = Math.ceil(m / 4);
  const want = e.jobCount(p8 * c * m, JOB_MACS);
  const byChannels = want > 1 && p8 < MIN_PIXELS_PER_JOB * want && nhb >= 2 * want;
  const pjobs = byChannels ? 1 : Math.max(1, Math.min(want, Math.floor(p8 / MIN_PIXELS_PER_JOB)));
  const chunk = Math.ceil(p8 / pjobs / 8) * 8;
  const hbChunk = byChannels ? Math.ceil(nhb / want) : nhb;
  lastConv1x1Split = byChannels ? 'channels' : pjobs > 1 ? 'pixels' : 'none';
  for (let b = 0; b < n; b++) {
    const jobs: number[][] = [];
    const at = (p0: number, p1: number, hb0: number, hb1: number): number[] =>
      // (src, xp: the tile buffer of thread 0, w, bias, out, rq, lut, bounce of thread 0, c, ncp, plane, m, zx, k16, p0, p1, hb0, hb1)
      [srcA + b * c * plane, xpA, wA, bA, oA + b * m * plane, rr.rqA, rr.lutA, rr.bounceA, c, ncp, plane, m, p.zx, rr.k16A, p0, p1, hb0, hb1];
    if (byChannels) for (let hb = 0; hb < nhb; hb += hbChunk) jobs.push(at(0, p8, hb, Math.min(nhb, hb + hbChunk)));
    else for (let p0 = 0; p0 < p8; p0 += chunk) jobs.push(at(p0, Math.min(p8, p0 + chunk), 0, nhb));
    e.parallel('conv1x1_job', jobs, [[1, ncp * 32], [7, 16]]);
  }
  const view = new Uint8Array(e.buffer, oA, count);
  if (outA) return view;
  const out = new Uint8Array(count);
  out.set(view);
  return out;
}
