/**
 * Our integer kernels against onnxruntime's own integer contrib ops (com.microsoft QLinearAdd,
 * QLinearMul, QLinearSigmoid, QLinearLeakyRelu, QLinearAveragePool, QLinearGlobalAveragePool,
 * QLinearConcat, QLinearSoftmax; uint8), one-node models built with onnx-proto and fed the same
 * codes and parameters. Gate: within 1 LSB on ≥ 99.9% of elements; exact-match shares printed.
 * onnxruntime computes these in float (MLAS), we in fixed point, so ties and near-ties differ.
 */
import { afterAll, describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import type { AttrValue } from '../../src/onnx/types.js';
import { featureParamsFromRange, type FeatureQParams } from '../quant/feature-params.js';
import { floatTensor, makeTensor, type Tensor } from '../tensor.js';
import { graphModel } from '../testing/proto-model.js';
import { allCodes, diffCodes, randomFeature, runInt, type IntIn } from '../testing/run-int-op.js';

type QIn = { q: Tensor; p: FeatureQParams };
const lines: string[] = [];

/** Runs com.microsoft `opType` on feature inputs laid out by `layout` ('x0' = codes of input 0, 's0'/'z0' its scale/zp, 'so'/'zo' the output's). */
async function runOrt(opType: string, xs: QIn[], po: FeatureQParams, layout: string[], attrs: Record<string, number | number[]> = {}): Promise<Tensor> {
  const inits: { name: string; tensor: Tensor; initializer: true }[] = [];
  const scale = (name: string, p: FeatureQParams) => inits.push({ name, tensor: floatTensor([], [p.scale]), initializer: true });
  const zp = (name: string, p: FeatureQParams) => inits.push({ name, tensor: makeTensor('uint8', [], Uint8Array.of(p.zeroPoint)), initializer: true });
  xs.forEach((x, i) => {
    scale(`s${i}`, x.p);
    zp(`z${i}`, x.p);
  });
  scale('so', po);
  zp('zo', po);
  const feeds = xs.map((x, i) => ({ name: `x${i}`, tensor: x.q }));
  const bytes = graphModel({
    nodes: [{ name: 'n0', opType, domain: 'com.microsoft', inputs: layout, outputs: ['y'], attrs }],
    inputs: [...feeds, ...inits],
    outputs: ['y'],
    outputDtype: 'uint8',
    extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
  });
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const out = await session.run(Object.fromEntries(feeds.map((f) => [f.name, new ort.Tensor('uint8', f.tensor.data as Uint8Array, f.tensor.dims)])));
  await session.release();
  const y = out.y!;
  return makeTensor('uint8', y.dims as number[], y.data as Uint8Array);
}

async function compare(label: string, ours: Tensor, theirs: Tensor, minExact = 0.9): Promise<void> {
  const d = diffCodes(ours, theirs);
  lines.push(`${label}: exact ${(100 * d.exactShare).toFixed(3)}%, within 1 LSB ${(100 * d.within1Share).toFixed(3)}%, max |diff| ${d.maxDiff}, n = ${d.n}`);
  expect(d.within1Share).toBeGreaterThanOrEqual(0.999);
  expect(d.exactShare).toBeGreaterThanOrEqual(minExact);
}

const fp = featureParamsFromRange;
const PA = fp(-3, 5, 8);
const PB = { scale: Math.fround(0.0137), zeroPoint: 255, bits: 8 };
const PC = { scale: Math.fround(0.021), zeroPoint: 0, bits: 8 };

afterAll(() => console.log(lines.join('\n')));

describe('integer kernels vs onnxruntime com.microsoft QLinear* ops (uint8)', () => {
  const binLayout = ['x0', 's0', 'z0', 'x1', 's1', 'z1', 'so', 'zo'];
  for (const [op, ortOp] of [['Add', 'QLinearAdd'], ['Mul', 'QLinearMul']] as const) {
    for (const [sname, da, db, pa, pb, po] of [
      ['same shape', [1, 16, 31, 29], [1, 16, 31, 29], PA, PB, fp(-4, 7, 8)],
      ['per-channel broadcast', [2, 16, 13, 11], [1, 16, 1, 1], PA, PC, fp(-2, 9, 8)],
      ['zp 0 / zp 255, saturating', [3, 40, 50], [3, 40, 50], PC, PB, fp(-1, 1, 8)],
    ] as const) {
      it(`${op} = ${ortOp}, ${sname}`, async () => {
        const a = randomFeature([...da], pa, 1);
        const b = randomFeature([...db], pb, 2);
        const ours = runInt(op, [a, b], [po]).int[0]!;
        await compare(`${ortOp} ${sname}`, ours, await runOrt(ortOp, [a, b], po, binLayout));
      });
    }
  }

  for (const [pin, pout, pname] of [[PA, fp(0, 1, 8), 'zp 128'], [PB, fp(0, 0.5, 8), 'zp 255 (saturating output)'], [PC, fp(0, 1, 8), 'zp 0']] as const) {
    it(`Sigmoid = QLinearSigmoid (all 256 codes, ${pname})`, async () => {
      const x = allCodes(pin);
      await compare(`QLinearSigmoid ${pname}`, runInt('Sigmoid', [x], [pout]).int[0]!, await runOrt('QLinearSigmoid', [x], pout, ['x0', 's0', 'z0', 'so', 'zo']), 0.99);
    });
    it(`LeakyRelu = QLinearLeakyRelu (all 256 codes, ${pname})`, async () => {
      const x = allCodes(pin);
      const po = fp(-0.5, 4, 8);
      await compare(`QLinearLeakyRelu ${pname}`, runInt('LeakyRelu', [x], [po], { alpha: 0.1 }).int[0]!, await runOrt('QLinearLeakyRelu', [x], po, ['x0', 's0', 'z0', 'so', 'zo'], { alpha: 0.1 }), 0.99);
    });
  }

  const pools: [string, number[], Record<string, number | number[]>][] = [
    ['3x3 s1 p1', [1, 8, 23, 19], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] }],
    ['3x3 s1 p1 count_include_pad', [1, 8, 23, 19], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], count_include_pad: 1 }],
    ['2x2 s2', [2, 6, 16, 16], { kernel_shape: [2, 2], strides: [2, 2] }],
    ['3x3 s2 ceil', [1, 5, 15, 12], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }],
  ];
  for (const [name, dims, attrs] of pools) {
    it(`AveragePool = QLinearAveragePool, ${name}`, async () => {
      const x = randomFeature(dims, PA, 3);
      const po = fp(-1, 4, 8);
      await compare(`QLinearAveragePool ${name}`, runInt('AveragePool', [x], [po], attrs as Record<string, AttrValue>).int[0]!, await runOrt('QLinearAveragePool', [x], po, ['x0', 's0', 'z0', 'so', 'zo'], attrs));
    });
  }

  it('GlobalAveragePool = QLinearGlobalAveragePool (NCHW)', async () => {
    const x = randomFeature([2, 64, 13, 11], PA, 4);
    const po = fp(0, 2, 8);
    await compare('QLinearGlobalAveragePool', runInt('GlobalAveragePool', [x], [po]).int[0]!, await runOrt('QLinearGlobalAveragePool', [x], po, ['x0', 's0', 'z0', 'so', 'zo'], { channels_last: 0 }));
  });

  it('Concat = QLinearConcat (different input scales, and equal ones)', async () => {
    const po = fp(-3, 6, 8);
    const xs = [randomFeature([1, 5, 9, 7], PA, 5), randomFeature([1, 3, 9, 7], PB, 6), randomFeature([1, 4, 9, 7], PC, 7)];
    const ours = runInt('Concat', xs as IntIn[], [po], { axis: 1 }).int[0]!;
    await compare('QLinearConcat, 3 scales', ours, await runOrt('QLinearConcat', xs, po, ['so', 'zo', 'x0', 's0', 'z0', 'x1', 's1', 'z1', 'x2', 's2', 'z2'], { axis: 1 }));
    const same = [randomFeature([2, 3, 5], po, 8), randomFeature([2, 4, 5], po, 9)];
    const d = diffCodes(runInt('Concat', same as IntIn[], [po], { axis: 1 }).int[0]!, await runOrt('QLinearConcat', same, po, ['so', 'zo', 'x0', 's0', 'z0', 'x1', 's1', 'z1'], { axis: 1 }));
    expect(d.exactShare).toBe(1);
  });

  it('Softmax vs QLinearSoftmax (onnxruntime: float exp table and float sum)', async () => {
    const x = randomFeature([4, 85, 9], fp(-6, 6, 8), 10);
    const po = fp(0, 1, 8);
    // onnxruntime: opset-13 semantics along axis 1 of [4, 85, 9]
    await compare('QLinearSoftmax axis 1', runInt('Softmax', [x], [po], { axis: 1 }).int[0]!, await runOrt('QLinearSoftmax', [x], po, ['x0', 's0', 'z0', 'so', 'zo'], { axis: 1, opset: 13 }), 0.9);
  });
});
