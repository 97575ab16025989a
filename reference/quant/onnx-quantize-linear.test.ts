/**
 * Our feature quantizer against onnxruntime's QuantizeLinear / DequantizeLinear, run on a tiny
 * ModelProto built here with onnx-proto. Exact equality is required (same rounding rule, same
 * float32 arithmetic).
 */
import { describe, expect, it } from 'vitest';
import onnxProto from 'onnx-proto';
import * as ort from 'onnxruntime-node';
import { featureParamsFromRange, type FeatureQParams } from './feature-params.js';
import { dequantizeTensor, quantizeTensor } from './quantize-tensor.js';
import { gaussian, rng } from './test-random.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;

/** y = QuantizeLinear(x, scale, zp); z = DequantizeLinear(y, scale, zp). */
function buildModel(n: number, p: FeatureQParams, opset: number): Uint8Array {
  const qType = p.bits <= 8 ? T.UINT8 : T.UINT16;
  const vi = (name: string, elemType: number, dims: number[]) =>
    onnx.ValueInfoProto.create({
      name,
      type: onnx.TypeProto.create({
        tensorType: onnx.TypeProto.Tensor.create({ elemType, shape: onnx.TensorShapeProto.create({ dim: dims.map((d) => onnx.TensorShapeProto.Dimension.create({ dimValue: d })) }) }),
      }),
    });
  const zpTensor =
    qType === T.UINT8
      ? onnx.TensorProto.create({ name: 'zp', dataType: qType, dims: [], rawData: Uint8Array.of(p.zeroPoint) })
      : onnx.TensorProto.create({ name: 'zp', dataType: qType, dims: [], rawData: new Uint8Array(Uint16Array.of(p.zeroPoint).buffer) });
  const graph = onnx.GraphProto.create({
    name: 'q',
    node: [
      onnx.NodeProto.create({ opType: 'QuantizeLinear', input: ['x', 'scale', 'zp'], output: ['y'], name: 'quant' }),
      onnx.NodeProto.create({ opType: 'DequantizeLinear', input: ['y', 'scale', 'zp'], output: ['z'], name: 'dequant' }),
    ],
    initializer: [onnx.TensorProto.create({ name: 'scale', dataType: T.FLOAT, dims: [], floatData: [p.scale] }), zpTensor],
    input: [vi('x', T.FLOAT, [n])],
    output: [vi('y', qType, [n]), vi('z', T.FLOAT, [n])],
  });
  const model = onnx.ModelProto.create({ irVersion: 10, opsetImport: [{ domain: '', version: opset }], graph, producerName: 'magik-parity-test' });
  return onnx.ModelProto.encode(model).finish();
}

async function runOrt(x: Float32Array, p: FeatureQParams, opset: number): Promise<{ y: ArrayLike<number>; z: Float32Array }> {
  const session = await ort.InferenceSession.create(buildModel(x.length, p, opset));
  const out = await session.run({ x: new ort.Tensor('float32', x, [x.length]) });
  return { y: out.y!.data as ArrayLike<number>, z: out.z!.data as Float32Array };
}

/** Values that stress rounding: exact half-steps, ±tiny, beyond the range, a Gaussian bulk. */
function stressInput(p: FeatureQParams, seed: number): Float32Array {
  const r = rng(seed);
  const qmax = 2 ** p.bits - 1;
  const values: number[] = [];
  for (let k = -3; k <= qmax + 3; k += Math.max(1, Math.floor(qmax / 300))) {
    values.push((k - p.zeroPoint + 0.5) * p.scale, (k - p.zeroPoint - 0.5) * p.scale, (k - p.zeroPoint) * p.scale);
  }
  for (let i = 0; i < 2000; i++) values.push((r() * 1.4 - 0.2) * qmax * p.scale - p.zeroPoint * p.scale);
  values.push(0, -0, 1e-30, -1e-30, 1e30, -1e30);
  const g = gaussian(4000, (qmax * p.scale) / 6, seed + 1);
  return Float32Array.from([...values, ...g]);
}

describe('quantizeTensor / dequantizeTensor equal onnxruntime QuantizeLinear / DequantizeLinear', () => {
  const cases: { name: string; p: FeatureQParams; opset: number }[] = [
    { name: 'uint8, asymmetric range', p: featureParamsFromRange(-0.2785, 6.113, 8), opset: 13 },
    { name: 'uint8, one-sided (ReLU) range', p: featureParamsFromRange(0, 1, 8), opset: 13 },
    { name: 'uint8, scale 0.5: exact ties x/scale = k + 0.5 (round half to even)', p: { scale: 0.5, zeroPoint: 11, bits: 8 }, opset: 13 },
    { name: 'uint8, scale 1/3', p: { scale: Math.fround(1 / 3), zeroPoint: 128, bits: 8 }, opset: 13 },
    { name: 'uint8 values with 6-bit range', p: featureParamsFromRange(-3.3, 1.7, 6), opset: 13 },
    { name: 'uint16 (12-bit range)', p: featureParamsFromRange(-4.75, 11.5, 12), opset: 21 },
    { name: 'uint16 (16-bit range)', p: featureParamsFromRange(-17.25, 40.5, 16), opset: 21 },
  ];
  for (const { name, p, opset } of cases) {
    it(name, async () => {
      const x = stressInput(p, 7);
      const { y, z } = await runOrt(x, p, opset);
      const ours = quantizeTensor(x, p);
      // ORT saturates to the full uint8/uint16 range; with fewer bits our clamp at qmax is tighter,
      // so ORT's value is compared after the same clamp (a QDQ model would add a Clip there).
      const qmax = 2 ** p.bits - 1;
      let diffQ = 0;
      let clipped = 0;
      for (let i = 0; i < x.length; i++) {
        if (y[i]! > qmax) clipped++;
        if (ours[i] !== Math.min(y[i]!, qmax)) diffQ++;
      }
      expect(diffQ).toBe(0);
      if (p.scale === 0.5) {
        const ties = [...x].filter((v) => Math.abs((v / p.scale) % 1) === 0.5).length;
        expect(ties).toBeGreaterThan(500);
      }
      if (p.bits === 8 || p.bits === 16) expect(clipped).toBe(0);
      else expect(clipped).toBeGreaterThan(0); // the stress input does go past qmax
      const deq = dequantizeTensor(Uint16Array.from(y as ArrayLike<number>), p);
      expect(Buffer.from(deq.buffer).equals(Buffer.from(z.buffer, z.byteOffset, z.byteLength))).toBe(true);
    });
  }
});
