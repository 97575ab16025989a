/**
 * 1x1 convolutions (stride 1, no padding, one group, uint8 input, 8-bit output) with fused
 * requantization on the fast engine (conv1x1.wat): no NHWC packing of the whole input, no int32
 * accumulator pass, and one fork/join per layer (each job packs, accumulates and requantizes its
 * own pixel range or output-channel blocks). Bit-identical to convIntOracle + requantizeOracle (+ the output table), under the
 * same int32 exactness conditions as the general kernel, which the caller has checked
 * (conv-int.ts convIntRequantFast); multipliers must be < 1/2 (requant.ts rqInRegisters) and the output
 * range within uint8.
 */
import type { FastEngine } from './engine.js';
import type { ConvIntParams, RequantParams } from './conv-int-types.js';
import type { PreparedConvInt } from './pack.js';
import { registerData, rqInRegisters, StaticImage, type RegisterData } from './requant.js';

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
  const img = layerImage(prep, q);
  e.reset();
  const outA = e.arena ? e.allocKeep(count) : 0;
  const x = p.x as Uint8Array;
  const inAt = e.addressOf(x);
  const srcA = inAt ?? e.alloc(x.length);
  // weights, bias and requantization data: one block, resident after the first run
  const sA = img.addressIn(e);
  const [wA, bA, rqA, k16A] = [sA + img.at[0]!, sA + img.at[1]!, sA + img.at[2]!, sA + img.at[3]!];
  const lutA = lut ? e.alloc(256) : 0;
  if (lut) new Uint8Array(e.buffer, lutA, 256).set(lut.subarray(0, 256));
  const bounceA = e.alloc(16 * e.threads);
  const xpA = e.alloc(ncp * 32 * e.threads);
  const oA = outA || e.alloc(count);
  if (inAt === null) new Uint8Array(e.buffer, srcA, x.length).set(x);
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
      [srcA + b * c * plane, xpA, wA, bA, oA + b * m * plane, rqA, lutA, bounceA, c, ncp, plane, m, p.zx, k16A, p0, p1, hb0, hb1];
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

/** Per-layer static data: [packed weights | bias | rq | k16]. */
interface LayerImage extends StaticImage {
  rd: RegisterData;
}

const images = new WeakMap<PreparedConvInt, LayerImage>();

/** The cached static block of `prep` with `q` (rebuilt when q's register data change). */
function layerImage(prep: PreparedConvInt, q: RequantParams): LayerImage {
  const c4 = Math.ceil(prep.m / 4) * 4;
  const rd = registerData(q, prep.m, c4);
  const hit = images.get(prep);
  if (hit && hit.rd === rd) return hit;
  const img = Object.assign(new StaticImage([prep.w, prep.bias, rd.rq, rd.k16]), { rd });
  images.set(prep, img);
  return img;
}
