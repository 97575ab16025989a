/**
 * TEST-ONLY: runs one kernel's integer form and its oracle — the float kernel applied to the
 * dequantized feature inputs, its float outputs quantized with the output parameters — on the
 * same hand-built inputs, and measures how the codes differ.
 */
import type { AttrValue, OnnxNode } from '../../src/onnx/types.js';
import { featureStorageDType, type FeatureQParams } from '../quant/feature-params.js';
import { dequantizeTensor, quantizeTensor } from '../quant/quantize-tensor.js';
import { rng } from '../quant/test-random.js';
import { kernelFor } from '../ops/registry.js';
import { preservesScale, type IntContext } from '../ops/op.js';
import { makeTensor, type Tensor } from '../tensor.js';

/** An input: a feature (codes + parameters) or a plain tensor (constant, int64 shape). */
export type IntIn = { q: Tensor; p: FeatureQParams } | { t: Tensor } | null;

export interface IntRun {
  int: Tensor[];
  oracle: Tensor[];
  preserves: boolean;
  /** The node object (pass it back as `reuse` to hit the kernel's per-node caches). */
  node: OnnxNode;
}

function nodeFor(opType: string, n: number, nOutputs: number, attrs: Record<string, AttrValue>): OnnxNode {
  return {
    name: `${opType.toLowerCase()}_int_test`,
    nameSynthesized: false,
    opType,
    domain: '',
    inputs: Array.from({ length: n }, (_v, i) => `in${i}`),
    outputs: Array.from({ length: nOutputs }, (_v, i) => `out${i}`),
    attrs,
    index: 0,
  };
}

/** Runs `opType` in integer mode and its oracle. `outP` = parameters of each output. */
export function runInt(opType: string, ins: IntIn[], outP: FeatureQParams[], attrs: Record<string, AttrValue> = {}, opset = 13, reuse?: OnnxNode): IntRun {
  const node = reuse ?? nodeFor(opType, ins.length, outP.length, attrs);
  const k = kernelFor(node);
  const ctx: IntContext = {
    node,
    opset,
    inputQuant: ins.map((x) => (x && 'p' in x ? x.p : null)),
    outputQuant: outP,
  };
  const a = k.attrs(ctx);
  const intIns = ins.map((x) => (x ? ('p' in x ? x.q : x.t) : null));
  const floatIns = ins.map((x) => (x ? ('p' in x ? makeTensor('float32', x.q.dims, dequantizeTensor(x.q.data as Uint8Array, x.p)) : x.t) : null));
  if (!k.int) throw new Error(`${opType} has no int kernel`);
  const int = k.int(intIns, a, ctx);
  const oracle = k.float(floatIns, a, ctx).map((y, i) => makeTensor(featureStorageDType(outP[i]!.bits), y.dims, quantizeTensor(y.data as Float32Array, outP[i]!)));
  return { int, oracle, preserves: preservesScale(k, a), node };
}

/** A feature input of `dims` with random codes (uniform over 0..2^bits−1, plus both ends). */
export function randomFeature(dims: number[], p: FeatureQParams, seed: number): { q: Tensor; p: FeatureQParams } {
  const n = dims.reduce((s, d) => s * d, 1);
  const r = rng(seed);
  const qmax = 2 ** p.bits - 1;
  const data = p.bits <= 8 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) data[i] = i === 0 ? 0 : i === 1 ? qmax : Math.floor(r() * (qmax + 1));
  return { q: makeTensor(featureStorageDType(p.bits), dims, data), p };
}

/** Every code 0..2^bits−1 once (an exhaustive unary test), as a [1, 1, 1, 2^bits] feature. */
export function allCodes(p: FeatureQParams): { q: Tensor; p: FeatureQParams } {
  const n = 2 ** p.bits;
  const data = p.bits <= 8 ? new Uint8Array(n) : new Uint16Array(n);
  for (let i = 0; i < n; i++) data[i] = i;
  return { q: makeTensor(featureStorageDType(p.bits), [1, 1, 1, n], data), p };
}

export interface CodeDiff {
  n: number;
  exact: number;
  within1: number;
  maxDiff: number;
  /** exact / n */
  exactShare: number;
  within1Share: number;
}

export function diffCodes(a: Tensor, b: Tensor): CodeDiff {
  if (a.dtype !== b.dtype || a.dims.join() !== b.dims.join()) throw new Error(`shape/dtype mismatch: ${a.dtype}[${a.dims}] vs ${b.dtype}[${b.dims}]`);
  let exact = 0;
  let within1 = 0;
  let maxDiff = 0;
  const n = a.data.length;
  for (let i = 0; i < n; i++) {
    const d = Math.abs(Number(a.data[i]!) - Number(b.data[i]!));
    if (d === 0) exact++;
    if (d <= 1) within1++;
    if (d > maxDiff) maxDiff = d;
  }
  return { n, exact, within1, maxDiff, exactShare: n ? exact / n : 1, within1Share: n ? within1 / n : 1 };
}
