/**
 * Integer kernels on real tensors: every node of the shared models whose op has an `int` form
 * here (all but Conv / ConvTranspose / Gemm / MatMul, whose integer kernels live apart) is run in
 * integer mode on its real float inputs (a float run of the model on a seeded image), quantized
 * with parameters from each tensor's own [min, max] (MAX_ABS-style); outputs get input 0's
 * parameters when the kernel `preservesScale`, else their own range. Each result is compared with
 * the oracle (the float kernel on the dequantized inputs, quantized): data movement, lookup
 * tables, small-constant tables and float-in-the-middle ops must be exact, the fixed-point ones
 * (Add/Sub/Mul/Max/Min of two features, Concat of different scales, pools, BatchNorm, Softmax) within 1 LSB
 * on ≥ 99.9% of elements. Exact shares per op type are printed.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/onnx/load.js';
import { planGraph, runGraph } from '../executor.js';
import { featureParamsFromRange, featureStorageDType, type FeatureQParams } from '../quant/feature-params.js';
import { dequantizeTensor, quantizeTensor } from '../quant/quantize-tensor.js';
import { floatTensor, fromOnnxTensor, makeTensor, type Tensor } from '../tensor.js';
import { seededImageNCHW } from '../testing/compare.js';
import { diffCodes } from '../testing/run-int-op.js';
import { constTableFits } from './int-lut.js';
import { preservesScale, type IntContext } from './op.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DATA = path.resolve(repoRoot, '../shared/data');

const ELSEWHERE = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
const UNARY_LUT = new Set(['Relu', 'Sigmoid', 'HardSigmoid', 'HardSwish', 'Exp', 'Tanh', 'LeakyRelu', 'Clip', 'Abs', 'Neg', 'Sqrt']);

function rangeParams(t: Tensor, bits: number): FeatureQParams {
  const d = t.data as Float32Array;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < d.length; i++) {
    if (d[i]! < lo) lo = d[i]!;
    if (d[i]! > hi) hi = d[i]!;
  }
  return featureParamsFromRange(lo, hi, bits);
}

const CASES = [
  { file: 'yolox_nano_3cls.onnx', mean: 0, scale: 1, bits: 8 },
  { file: 'yolox_nano_3cls.onnx', mean: 0, scale: 1, bits: 16 },
  { file: 'fastestdet.onnx', mean: 0, scale: 255, bits: 8 },
  { file: 'ultraface_rfb_320.onnx', mean: 127, scale: 128, bits: 8 },
  { file: 'yunet_n_320_320.onnx', mean: 0, scale: 1, bits: 12 },
];

describe('integer kernels on the real tensors of the shared models', () => {
  for (const c of CASES) {
    const file = path.join(DATA, 'models', c.file);
    it.skipIf(!existsSync(file))(`${c.file}, ${c.bits}-bit features`, async () => {
      const model = await loadModel(file);
      const plan = planGraph(model);
      const input = model.graph.inputs[0]!;
      const dims = input.shape!.map((d) => (typeof d === 'number' ? d : 1));
      const u8 = seededImageNCHW(dims[1]!, dims[2]!, dims[3]!, 77);
      const x = floatTensor(dims, Float32Array.from(u8, (v) => (v - c.mean) / c.scale));
      const values = await runGraph(model, new Map([[input.name, x]]), { keep: 'all' });
      const isFeature = (name: string): boolean => name !== '' && values.get(name)?.dtype === 'float32' && !plan.valueIndependent.has(name);
      const stats = new Map<string, { n: number; exact: number; within1: number; nodes: number }>();
      const failures: string[] = [];
      for (const step of plan.steps) {
        const { node, kernel } = step;
        if (ELSEWHERE.has(node.opType) || !kernel.int || !isFeature(node.inputs[0] ?? '')) continue;
        const inP = node.inputs.map((n) => (isFeature(n) ? rangeParams(values.get(n)!, c.bits) : null));
        const preserves = preservesScale(kernel, step.attrs);
        const outP = node.outputs.map((n) => (preserves ? inP[0]! : rangeParams(values.get(n)!, c.bits)));
        const raw = node.inputs.map((n) => (n === '' ? null : values.get(n) ?? fromOnnxTensor(model.graph.initializers.get(n)!)));
        const qIn = raw.map((t, i) => (t && inP[i] ? makeTensor(featureStorageDType(c.bits), t.dims, quantizeTensor(t.data as Float32Array, inP[i]!)) : t));
        const dqIn = qIn.map((t, i) => (t && inP[i] ? floatTensor(t.dims, dequantizeTensor(t.data as Uint8Array, inP[i]!)) : t));
        const ctx: IntContext = { ...step.ctx, inputQuant: inP, outputQuant: outP };
        const ours = kernel.int(qIn, step.attrs, ctx);
        const oracle = kernel.float(dqIn, step.attrs, step.ctx).map((y, k) => makeTensor(featureStorageDType(c.bits), y.dims, quantizeTensor(y.data as Float32Array, outP[k]!)));
        const nFeatures = inP.filter((p) => p).length;
        const exactExpected =
          preserves || UNARY_LUT.has(node.opType) || (nFeatures === 1 && node.inputs.length === 2 && constTableFits(raw[inP[0] ? 1 : 0]!, c.bits)) ||
          (node.opType === 'Concat' && inP.every((p) => p && p.scale === outP[0]!.scale && p.zeroPoint === outP[0]!.zeroPoint));
        node.outputs.forEach((_o, k) => {
          const d = diffCodes(ours[k]!, oracle[k]!);
          const s = stats.get(node.opType) ?? { n: 0, exact: 0, within1: 0, nodes: 0 };
          s.n += d.n;
          s.exact += d.exact;
          s.within1 += d.within1;
          s.nodes++;
          stats.set(node.opType, s);
          if (exactExpected ? d.exact !== d.n : d.within1Share < 0.999 || d.maxDiff > 2) failures.push(`${node.opType} "${node.name}": exact ${d.exact}/${d.n}, max diff ${d.maxDiff}`);
        });
      }
      console.log(`${c.file} ${c.bits}-bit:\n` + [...stats].map(([op, s]) => `  ${op} (${s.nodes} outputs, ${s.n} elements): exact ${((100 * s.exact) / s.n).toFixed(3)}%, within 1 LSB ${((100 * s.within1) / s.n).toFixed(3)}%`).join('\n'));
      expect(failures).toEqual([]);
      expect(stats.size).toBeGreaterThan(3);
    });
  }
});
