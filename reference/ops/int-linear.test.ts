import { describe, expect, it } from 'vitest';
import { conv } from './conv.js';
import { makeTensor } from '../tensor.js';
import { quantizeWeights, dequantizeWeights } from '../quant/weights.js';
import { featureParamsFromRange } from '../quant/feature-params.js';
import { quantizeTensor, dequantizeTensor } from '../quant/quantize-tensor.js';
import type { IntContext, OpContext } from './op.js';
import type { OnnxNode } from '../../src/onnx/types.js';

function rng(seed: number) { let s = seed >>> 0; return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 4294967296; }; }

describe('integer Conv', () => {
  for (const bits of [8, 12, 16]) {
    it(`matches the float conv of the dequantized operands at ${bits} bits`, () => {
      const r = rng(bits);
      const [n, c, h, w, m] = [1, 8, 9, 9, 6];
      const x = Float32Array.from({ length: n * c * h * w }, () => r() * 6 - 1);
      const wt = Float32Array.from({ length: m * c * 9 }, () => r() - 0.5);
      const b = Float32Array.from({ length: m }, () => r() - 0.5);
      const qx = featureParamsFromRange(-1, 5, bits);
      const qw = quantizeWeights(wt, [m, c, 3, 3], bits, 'MAX_ABS');
      const node: OnnxNode = { name: 'c', nameSynthesized: false, opType: 'Conv', domain: '', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] }, index: 0 };
      const ctx: OpContext = { node, opset: 13 };
      const attrs = conv.attrs(ctx);
      const xq = quantizeTensor(x, qx);
      const xf = dequantizeTensor(xq, qx);
      const yf = conv.float([makeTensor('float32', [n, c, h, w], xf), makeTensor('float32', [m, c, 3, 3], dequantizeWeights(qw, [m, c, 3, 3])), makeTensor('float32', [m], b)], attrs, ctx)[0]!;
      let lo = 0, hi = 0;
      for (const v of yf.data as Float32Array) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      const qy = featureParamsFromRange(lo, hi, bits);
      const ictx: IntContext = { ...ctx, inputQuant: [qx, null, null], outputQuant: [qy], weightQuant: [null, qw, null] };
      const yi = conv.int!([makeTensor(bits <= 8 ? 'uint8' : 'uint16', [n, c, h, w], xq), makeTensor('float32', [m, c, 3, 3], wt), makeTensor('float32', [m], b)], attrs, ictx)[0]!;
      const want = quantizeTensor(yf.data as Float32Array, qy);
      let maxd = 0;
      for (let i = 0; i < want.length; i++) maxd = Math.max(maxd, Math.abs(want[i]! - (yi.data as Uint16Array)[i]!));
      expect(maxd).toBeLessThanOrEqual(1);
    });
  }
});
