/**
 * The depthwise convolution driver of the fast integer core (conv-int.ts dispatches here): 3x3 layers
 * on uint8 codes with an 8-bit fused output run as one replayable per-channel call (dw-rq.ts:
 * packing, convolution and requantization on the registers); every other depthwise layer packs its
 * input into stride phases (pack_dw_u8 / packPhases), accumulates with conv_dw into int32 and, when
 * fused, requantizes the rows (requant.wat). Bit-identical to the oracle (conv-int-oracle.ts) under
 * the exactness conditions conv-int.ts checks.
 */
import type { FastEngine } from './engine.js';
import type { ConvIntGeom, ConvIntParams } from './conv-int-types.js';
import { allocRequant, requantRows, rqInRegisters } from './requant.js';
import { DW_JOB_MACS, dwPlan } from './dw-rq.js';
import { publishPlan } from './node-plan.js';
import { accFitsInt32, packPhases, type PackPart, type PreparedConvInt } from './pack.js';
import { PACK_JOB_BYTES, split, type Fused } from './conv-jobs.js';

/** Whether the last depthwise convolution ran packing, 3x3 and requantization per channel in dw.wat. */
export let lastDwInRegisters = false;

/** Depthwise convolution (conv_dw): `out` receives [image][C][OH][OW]. */
export function runDepthwise(e: FastEngine, prep: PreparedConvInt, p: ConvIntParams, g: ConvIntGeom, parts: PackPart[], out: Int32Array | null, fused: Fused | null = null): void {
  const { c, oh, ow, sh, sw, dh, dw, kh, kw } = g;
  const raw = p.x instanceof Uint8Array ? p.x : null;
  // 3x3 on uint8 codes with an 8-bit fused output: packing, convolution and requantization per channel (dw.wat)
  const inRegs = fused !== null && kh * kw + ((kh * kw) & 1) === 10 && parts.length === 1 && parts[0] === 'all' && raw !== null && rqInRegisters(fused.q);
  lastDwInRegisters = inRegs;
  if (inRegs) {
    // as a replayable plan (node-plan.ts) writing into the output the caller allocated
    const plan = dwPlan(e, prep, g, p.zx, fused.q, fused.lut);
    const out = plan.run([raw], fused.outA);
    if (!fused.outA) fused.out.set(out);
    plan.last = fused.out as Uint8Array;
    // replayable only when exactness does not depend on the codes (the caller may have scanned them)
    if (accFitsInt32(prep, Math.max(p.zx, 255 - p.zx))) publishPlan(plan);
    return;
  }
  const hp = Math.max(g.h + g.pt + g.pb, (oh - 1) * sh + (kh - 1) * dh + 1, g.h + g.pt);
  const wp = Math.max(g.w + g.pl + g.pr, (ow - 1) * sw + (kw - 1) * dw + 1, g.w + g.pl);
  const wps = Math.ceil(wp / sw) + 8;
  const tiles = Math.ceil(ow / 8);
  const region = sw * hp * wps;
  const ntaps = kh * kw + ((kh * kw) & 1); // even: conv_dw reads tap pairs (extra tap: offset 0, weight 0)
  e.reset();
  const wA = e.alloc(prep.w.byteLength);
  const bA = e.alloc(c * 4);
  const zA = e.alloc(c * 4);
  const rowA = e.alloc(oh * 4);
  const tapA = e.alloc(ntaps * 4);
  const xA = e.alloc(c * region * 2);
  const oA = e.alloc(c * oh * ow * 4); // [C][OH][OW] int32, compact (conv_dw stores partial tiles lane by lane)
  const rawAt = raw ? e.addressOf(raw) : null;
  const srcA = raw && rawAt === null ? e.alloc(c * g.h * g.w) : 0;
  const qs = fused ? allocRequant(e, c, fused.outA ? 0 : c * oh * ow, fused.q, (r) => r, fused.lut) : null;
  const buf = e.buffer;
  new Int16Array(buf, wA, prep.w.length).set(prep.w);
  new Int32Array(buf, bA, c).set(prep.bias);
  new Int32Array(buf, zA, c).fill(0);
  const rows = new Int32Array(buf, rowA, oh);
  for (let oy = 0; oy < oh; oy++) rows[oy] = oy * sh * wps * 2;
  const taps = new Int32Array(buf, tapA, ntaps);
  taps.fill(0);
  for (let ky = 0; ky < kh; ky++) {
    for (let kx = 0; kx < kw; kx++) taps[ky * kw + kx] = ((((kx * dw) % sw) * hp + ky * dh) * wps + Math.floor((kx * dw) / sw)) * 2;
  }
  const x16 = new Int16Array(buf);
  const o32 = new Int32Array(buf, oA, c * oh * ow);
  const plane = oh * ow;
  const hiAcc = parts.length > 1 ? new Int32Array(c * plane) : null;
  const { jobs } = split(e.jobCount(c * oh * ow * kh * kw, DW_JOB_MACS), c, oh, 1);
  for (let b = 0; b < g.n; b++) {
    const dst = out ? out.subarray(b * c * plane, (b + 1) * c * plane) : new Int32Array(0);
    for (const part of parts) {
      if (raw && part === 'all') {
        const hw = g.h * g.w;
        const src = rawAt !== null ? rawAt + b * c * hw : srcA;
        if (rawAt === null) new Uint8Array(buf, srcA, c * hw).set(raw.subarray(b * c * hw, (b + 1) * c * hw));
        const per = Math.ceil(c / e.jobCount(c * g.h * g.w, PACK_JOB_BYTES));
        const pj: number[][] = [];
        for (let c0 = 0; c0 < c; c0 += per) pj.push([src, xA, g.h, g.w, p.zx, sw, hp, wps, g.pt, g.pl, region * 2, c0, Math.min(c, c0 + per)]);
        e.parallel('pack_dw_u8', pj);
      } else for (let ci = 0; ci < c; ci++) packPhases(x16, (xA >> 1) + ci * region, p.x, (b * c + ci) * g.h * g.w, g.h, g.w, p.zx, sw, hp, wps, g.pt, g.pl, part);
      const biasA = part === 'hi' ? zA : bA;
      e.parallel('conv_dw', jobs.map(([c0, c1, r0, r1]) => [xA, wA, biasA, oA, rowA, tapA, ntaps, region * 2, tiles, oh, c0, c1, r0, r1, ow]));
      if (fused && qs) {
        requantRows(e, oA, qs.mA, qs.sA, fused.outA ? fused.outA + b * c * plane * qs.bytes : qs.qA, c, plane, plane, plane, fused.q, qs.lutA);
        if (!fused.outA) fused.out.set(qs.view(c * plane), b * c * plane);
        continue;
      }
      const target = part === 'hi' ? hiAcc! : dst;
      target.set(o32.subarray(0, c * plane));
    }
    if (hiAcc) for (let i = 0; i < dst.length; i++) dst[i] = ((hiAcc[i]! << 8) + dst[i]!) | 0;
  }
}
