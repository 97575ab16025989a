/**
 * MaxPool on uint8 / uint16 feature codes for the fast path, equal to the oracle's separable max
 * (reference/ops/pool2d-int.ts maxPool2dCodes: row maxima, then the max of kh row maxima), computed
 * over a zero-padded copy of each plane: codes are ≥ 0, so a padding 0 never changes the max of a
 * window with a valid tap, and a window with no valid tap gives 0, which is what the oracle stores.
 * Stride 1 on uint8 (SPP blocks) runs in WebAssembly (eltwise.wat maxpool_u8, 16 columns per
 * i8x16.max_u, planes split over the threads); other cases in TypeScript.
 */
import type { Pool2dGeom } from '../ops/pool2d.js';
import type { FastEngine } from './engine.js';
import { stage } from './eltwise.js';

/** Max pooling of NCHW codes `x` with geometry `g` (same storage type out). */
export function maxPoolCodesFast<T extends Uint8Array | Uint16Array>(e: FastEngine | null, x: T, g: Pool2dGeom): T {
  if (e && x instanceof Uint8Array && g.sh === 1 && g.sw === 1) return maxPoolWasm(e, x, g) as T;
  return maxPoolJs(x, g);
}

function maxPoolWasm(e: FastEngine, x: Uint8Array, g: Pool2dGeom): Uint8Array {
  const { planes, h, w, kh, kw, dh, dw, pt, pl, oh, ow } = g;
  const owp = Math.ceil(ow / 16) * 16;
  const hp = Math.max(pt + h, oh + (kh - 1) * dh);
  const wpp = Math.max(pl + w, owp + (kw - 1) * dw);
  const per = hp * wpp + hp * owp + 16; // padded plane, row maxima, bounce buffer
  const s = stage(e, [x], planes * oh * ow, per * e.threads);
  const head = [s.inA[0]!, s.outA, h, w, kh, kw, dh, dw, pt, pl, oh, ow, hp, wpp, owp];
  const parts = planes * oh * ow < 4096 ? 1 : Math.min(e.threads, planes);
  const chunk = Math.ceil(planes / parts);
  const jobs: number[][] = [];
  for (let p = 0, j = 0; p < planes; p += chunk, j++) jobs.push([...head, s.scratchA + j * per, p, Math.min(planes, p + chunk)]);
  if (jobs.length === 1) e.call('maxpool_u8', jobs[0]!);
  else e.parallel('maxpool_u8', jobs);
  return s.result();
}

function maxPoolJs<T extends Uint8Array | Uint16Array>(x: T, g: Pool2dGeom): T {
  const { planes, h, w, kh, kw, sh, sw, dh, dw, pt, pl, oh, ow } = g;
  const hp = Math.max(pt + h, (oh - 1) * sh + (kh - 1) * dh + 1);
  const wp = Math.max(pl + w, (ow - 1) * sw + (kw - 1) * dw + 1);
  const Ctor = x.constructor as { new (n: number): T };
  const pad = new Ctor(hp * wp);
  const rows = new Ctor(hp * ow);
  const out = new Ctor(planes * oh * ow);
  let o = 0;
  for (let p = 0; p < planes; p++) {
    pad.fill(0);
    for (let iy = 0; iy < h; iy++) pad.set(x.subarray((p * h + iy) * w, (p * h + iy + 1) * w), (iy + pt) * wp + pl);
    for (let iy = 0; iy < hp; iy++) {
      const r = iy * wp;
      for (let ox = 0; ox < ow; ox++) {
        let m = 0;
        for (let k = 0, i = r + ox * sw; k < kw; k++, i += dw) {
          const v = pad[i]!;
          m = v > m ? v : m;
        }
        rows[iy * ow + ox] = m;
      }
    }
    for (let oy = 0; oy < oh; oy++) {
      const r0 = oy * sh * ow;
      for (let ox = 0; ox < ow; ox++) {
        let m = 0;
        for (let k = 0, i = r0 + ox; k < kh; k++, i += dh * ow) {
          const v = rows[i]!;
          m = v > m ? v : m;
        }
        out[o++] = m;
      }
    }
  }
  return out;
}
