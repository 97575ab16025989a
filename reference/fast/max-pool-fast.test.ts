/**
 * The fast MaxPool against the oracle's maxPool2dCodes on randomized geometries (kernel 1–13,
 * strides 1–3, dilations, asymmetric pads incl. windows with no valid tap, odd widths over and under
 * 16, many planes), uint8 and uint16 codes, WebAssembly (1 and 2 threads) and TypeScript paths.
 */
import { describe, expect, it } from 'vitest';
import { useEngines } from './test-engines.js';
import { maxPoolCodesFast } from './max-pool-fast.js';
import { maxPool2dCodes } from '../ops/pool2d-int.js';
import type { Pool2dGeom } from '../ops/pool2d.js';
import { rng, randInt as int } from '../quant/test-random.js';

const engines = useEngines();

function geom(r: () => number, stride1: boolean): Pool2dGeom {
  const kh = int(r, 1, 13);
  const kw = int(r, 1, 13);
  const sh = stride1 ? 1 : int(r, 1, 3);
  const sw = stride1 ? 1 : int(r, 1, 3);
  const dh = int(r, 1, 2);
  const dw = int(r, 1, 2);
  const h = int(r, 1, 40);
  const w = int(r, 1, 40);
  const pt = int(r, 0, kh);
  const pb = int(r, 0, kh);
  const pl = int(r, 0, kw);
  const pr = int(r, 0, kw);
  const oh = Math.floor((h + pt + pb - ((kh - 1) * dh + 1)) / sh) + 1;
  const ow = Math.floor((w + pl + pr - ((kw - 1) * dw + 1)) / sw) + 1;
  return { planes: int(r, 1, 70), h, w, kh, kw, sh, sw, dh, dw, pt, pl, pb, pr, oh, ow };
}

describe('maxPoolCodesFast', () => {
  it('equals maxPool2dCodes on 300 random geometries (uint8 and uint16, wasm and TS)', () => {
    const r = rng(21);
    let wasmCases = 0;
    for (let t = 0; t < 300; t++) {
      const g = geom(r, t % 2 === 0);
      if (g.oh < 1 || g.ow < 1) continue;
      const wide = t % 5 === 4;
      const n = g.planes * g.h * g.w;
      const x = wide ? new Uint16Array(n).map(() => int(r, 0, 65535)) : new Uint8Array(n).map(() => (t % 7 === 0 ? int(r, 0, 3) : int(r, 0, 255)));
      const want = maxPool2dCodes(x, g, wide ? new Uint16Array(g.planes * g.oh * g.ow) : new Uint8Array(g.planes * g.oh * g.ow));
      for (const e of [...engines, null]) {
        const got = maxPoolCodesFast(e, x, g);
        expect(got.constructor).toBe(want.constructor);
        expect(Array.from(got), JSON.stringify(g)).toEqual(Array.from(want));
      }
      if (!wide && g.sh === 1 && g.sw === 1) wasmCases++;
    }
    expect(wasmCases).toBeGreaterThan(80);
  });
});
