/**
 * Where does a model's integer error come from? Ablations on the integer reference (8-bit features
 * unless `bits` says otherwise; MAX_ABS 8-bit weights), calibrated on the first 4 images of
 * images/calib/, evaluated on the model's photo, final-output cosine vs the float executor:
 *
 * - `curve`: the per-layer cosine along the graph (each tensor of the integer run, dequantized, vs
 *   the float run: accumulated error) with each tensor's range and observed range, then the final
 *   outputs' cosine and float range per channel (last axis of rank-3 outputs, axis 1 of rank-4).
 * - `ops`: per op type, its outputs at 16 bits (everything else 8), and only its outputs at 8 bits
 *   (everything else 16).
 * - `prefix`: the first k feature tensors (execution order) at 16 bits, and from k on.
 * - `tensors NAME...`: each named tensor alone at 16 bits, then all of them together.
 * - `kl-trt`: TensorRT's own entropy calibration (symmetric |x| histogram, 128 levels) instead of
 *   the reference's asymmetric KL, for comparison.
 * - `sequential`: ranges re-calibrated (same method) on the integer run's dequantized activations
 *   over the calibration images instead of the float run's, twice (each pass uses the previous
 *   pass's parameters upstream).
 *
 * "At 16 bits" = 16-bit parameters over the tensor's observed calibration range (what KL gives at
 * ≥ 12 bits and what `node_quantize_bits` does); tensors sharing its parameters (data movement)
 * follow. Run: `npm run build && node dist/scripts/quant-ablation.js MODE [model=yolox] [method=KL] [bits=8] [names...]`
 * (`bits` may also name one of the model's variants in report-models.ts, e.g. `stem16`).
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadModel } from '../src/onnx/load.js';
import type { OnnxModel } from '../src/onnx/types.js';
import { runGraph } from '../reference/executor.js';
import { calibrate } from '../reference/quantize/calibrate.js';
import { pixelsToInput, prepareImageLoader } from '../reference/quantize/image-source.js';
import { prepareQuant } from '../reference/quantize/prepare.js';
import type { QuantParams } from '../reference/quantize/params.js';
import { resultAsFloat, runQuantized } from '../reference/quantize/run-quantized.js';
import { featureParamsFromRange } from '../reference/quant/feature-params.js';
import { TensorHistogram } from '../reference/quant/histogram.js';
import { calibrateFeature, type FeatureRangeMethod } from '../reference/quant/feature-range.js';
import { listCalibrationImages } from '../reference/config/index.js';
import type { Tensor } from '../reference/tensor.js';
import { cosine as metricsCosine } from '../src/metrics/pairwise.js';
import { DATA, REPORT_MODELS, reportConfig, type ReportModel } from './report-models.js';

const cos = (a: ArrayLike<number>, b: ArrayLike<number>): number => metricsCosine(a, b).value;
const fmt = (v: number): string => v.toFixed(5);

interface Bench {
  m: ReportModel;
  model: OnnxModel;
  params: QuantParams;
  inputName: string;
  x: Tensor;
  /** The float run of the BatchNorm-folded model, every tensor. */
  float: Map<string, Tensor>;
}

/** Final-output cosine (mean over the graph outputs) of an integer run with `params`. */
async function finalCos(b: Bench, params: QuantParams): Promise<number> {
  const prep = prepareQuant(b.model, params);
  const q = await runQuantized(prep, b.inputName, b.x);
  const outs = prep.model.graph.outputs;
  let s = 0;
  for (const o of outs) s += cos(resultAsFloat(prep, o.name, q.outputs.get(o.name)!), b.float.get(o.name)!.data as Float32Array);
  return s / outs.length;
}

/** `params` with the named tensors, and the tensors sharing their parameters, at 16 bits over the observed range. */
export function widen(params: QuantParams, names: ReadonlySet<string>): QuantParams {
  const features = { ...params.features };
  for (const [n, e] of Object.entries(features)) {
    const src = e.sharedWith ?? n;
    if (!names.has(n) && !names.has(src)) continue;
    const base = params.features[src]!;
    features[n] = { ...e, ...featureParamsFromRange(base.observedMin, base.observedMax, 16), dtype: 'uint16' };
  }
  return { ...params, features };
}

/** Feature tensors by producing op type (the graph input under "input"). */
function byOpType(b: Bench): Map<string, string[]> {
  const groups = new Map<string, string[]>([['input', [b.inputName]]]);
  const g = foldedNodes(b);
  for (const n of g) for (const o of n.outputs) if (b.params.features[o] && b.params.features[o]!.method !== 'shared') groups.set(n.opType, [...(groups.get(n.opType) ?? []), o]);
  return groups;
}

function foldedNodes(b: Bench): OnnxModel['graph']['nodes'] {
  return prepareQuant(b.model, b.params).model.graph.nodes;
}

async function curve(b: Bench): Promise<void> {
  const prep = prepareQuant(b.model, b.params);
  const q = await runQuantized(prep, b.inputName, b.x, { keep: 'all' });
  let i = 0;
  for (const node of prep.model.graph.nodes) {
    for (const o of node.outputs) {
      const ft = b.float.get(o);
      const qt = q.outputs.get(o);
      const p = b.params.features[o];
      if (!ft || !qt || !p || ft.dtype !== 'float32') continue;
      const lo = -p.zeroPoint * p.scale;
      const hi = (2 ** p.bits - 1 - p.zeroPoint) * p.scale;
      console.log(`${i++}\t${node.opType}\t${node.name}\t${o}\t${fmt(cos(resultAsFloat(prep, o, qt), ft.data as Float32Array))}\t[${lo.toFixed(3)}, ${hi.toFixed(3)}] of [${p.observedMin.toFixed(3)}, ${p.observedMax.toFixed(3)}] ${p.bits}-bit ${p.method}`);
    }
  }
  for (const out of prep.model.graph.outputs) {
    const fl = b.float.get(out.name)!;
    const fd = fl.data as Float32Array;
    const qd = resultAsFloat(prep, out.name, q.outputs.get(out.name)!);
    const axis = fl.dims.length === 4 ? 1 : fl.dims.length - 1;
    const C = fl.dims[axis]!;
    const inner = fl.dims.slice(axis + 1).reduce((a, v) => a * v, 1);
    const p = b.params.features[out.name]!;
    console.log(`output ${out.name} [${fl.dims.join(',')}]: cosine ${fmt(cos(qd, fd))}, one step ${p.scale.toPrecision(4)}; per channel (axis ${axis}):`);
    for (let c = 0; c < C; c++) {
      const a: number[] = [];
      const r: number[] = [];
      for (let k = 0; k < fd.length; k++) {
        if (Math.floor(k / inner) % C !== c) continue;
        a.push(qd[k]!);
        r.push(fd[k]!);
      }
      console.log(`  ${c}: float [${Math.min(...r).toFixed(3)}, ${Math.max(...r).toFixed(3)}], cosine ${fmt(cos(a, r))}`);
    }
  }
}

async function ops(b: Bench): Promise<void> {
  const all = new Set(Object.keys(b.params.features));
  console.log(`uniform ${fmt(await finalCos(b, b.params))}, every feature at 16 bits ${fmt(await finalCos(b, widen(b.params, all)))}`);
  for (const [op, outs] of byOpType(b)) {
    const own = new Set(outs);
    const rest = new Set([...all].filter((n) => !own.has(n) && !own.has(b.params.features[n]!.sharedWith ?? '')));
    console.log(`${op} (${outs.length}): these at 16 bits ${fmt(await finalCos(b, widen(b.params, own)))}, only these at 8 bits ${fmt(await finalCos(b, widen(b.params, rest)))}`);
  }
}

async function prefix(b: Bench): Promise<void> {
  const order = Object.keys(b.params.features).filter((n) => b.params.features[n]!.method !== 'shared');
  const ks = [...new Set([0, 1, 2, 4, 6, 8, 12, 16, 24, 32, 64, 128, 256, order.length].filter((k) => k <= order.length))];
  for (const k of ks) {
    const head = new Set(order.slice(0, k));
    const tail = new Set(order.slice(k));
    console.log(`first ${k} at 16 bits (last: ${order[k - 1] ?? '—'}) ${fmt(await finalCos(b, widen(b.params, head)))} | from ${k} on ${fmt(await finalCos(b, widen(b.params, tail)))}`);
  }
}

async function tensors(b: Bench, names: string[]): Promise<void> {
  console.log(`uniform ${fmt(await finalCos(b, b.params))}`);
  for (const n of names) {
    if (!b.params.features[n]) throw new Error(`no feature tensor "${n}"`);
    console.log(`${n} at 16 bits ${fmt(await finalCos(b, widen(b.params, new Set([n]))))}`);
  }
  console.log(`all ${names.length} at 16 bits ${fmt(await finalCos(b, widen(b.params, new Set(names))))}`);
}

/**
 * TensorRT's entropy calibration (Migacz, "8-bit Inference with TensorRT", GTC 2017): one histogram
 * of |x|, thresholds i = levels..bins, P = the first i bins with the rest added to bin i − 1, Q =
 * the first i bins merged into `levels` chunks spread over P's non-empty bins; threshold
 * (i + 0.5)·w at the smallest KL(P‖Q); a non-zero P bin over an empty Q bin makes the divergence
 * infinite (scipy's `entropy`, as NVIDIA's pytorch-quantization `_compute_amax_entropy` uses it).
 */
function trtThreshold(h: TensorHistogram, levels: number): number {
  const n = h.bins;
  const a = new Float64Array(n);
  for (let k = 0; k < n; k++) a[k] = h.pos[k]! + h.neg[k]!;
  const suffix = new Float64Array(n + 1);
  for (let k = n - 1; k >= 0; k--) suffix[k] = suffix[k + 1]! + a[k]!;
  let best = Infinity;
  let bestI = n;
  const q = new Float64Array(n);
  for (let i = levels; i <= n; i++) {
    for (let g = 0; g < levels; g++) {
      const s = Math.floor((g * i) / levels);
      const e = Math.floor(((g + 1) * i) / levels);
      let mass = 0;
      let nz = 0;
      for (let k = s; k < e; k++) if (a[k] !== 0) (mass += a[k]!), nz++;
      for (let k = s; k < e; k++) q[k] = a[k] !== 0 ? mass / nz : 0;
    }
    const sp = suffix[0]!;
    const sq = sp - suffix[i]!;
    let kl = 0;
    for (let k = 0; k < i && kl < Infinity; k++) {
      const pk = (a[k]! + (k === i - 1 ? suffix[i]! : 0)) / sp;
      if (pk > 0) kl = q[k]! > 0 ? kl + pk * Math.log(pk / (q[k]! / sq)) : Infinity;
    }
    if (kl < best) [best, bestI] = [kl, i];
  }
  return (bestI + 0.5) * h.binWidth;
}

async function klTrt(b: Bench): Promise<void> {
  const { images } = await listCalibrationImages(path.join(DATA, 'images/calib'), 4);
  const hs = new Map<string, TensorHistogram>();
  const folded = prepareQuant(b.model, b.params).model;
  for (const img of images) {
    const xi = pixelsToInput(await prepareImageLoader(img, b.m.width, b.m.height, b.m.format), b.m.height, b.m.width, b.m.mean, b.m.var);
    hs.set(b.inputName, hs.get(b.inputName) ?? new TensorHistogram());
    hs.get(b.inputName)!.add(xi.data as Float32Array);
    await runGraph(folded, new Map([[b.inputName, xi]]), {
      onTensor: (n, t) => {
        if (!b.params.features[n] || b.params.features[n]!.method === 'shared') return;
        if (!hs.has(n)) hs.set(n, new TensorHistogram());
        hs.get(n)!.add(t.data as Float32Array);
      },
    });
  }
  console.log(`reference KL ${fmt(await finalCos(b, b.params))}`);
  for (const levels of [128, 256]) {
    const features = { ...b.params.features };
    for (const [n, h] of hs) {
      const t = trtThreshold(h, levels);
      features[n] = { ...features[n]!, ...featureParamsFromRange(Math.max(Math.min(h.min, 0), -t), Math.min(Math.max(h.max, 0), t), features[n]!.bits) };
    }
    for (const [n, e] of Object.entries(features)) if (e.method === 'shared') features[n] = { ...e, ...pick(features[e.sharedWith!]!) };
    const r = (n: string): string => (features[n] ? `${n} ≤ ${((2 ** features[n]!.bits - 1 - features[n]!.zeroPoint) * features[n]!.scale).toFixed(2)}` : '');
    console.log(`TensorRT KL, ${levels} levels on |x| ${fmt(await finalCos(b, { ...b.params, features }))} ${r('input.7')}`);
  }
}

async function sequential(b: Bench, method: string): Promise<void> {
  const { images } = await listCalibrationImages(path.join(DATA, 'images/calib'), 4);
  let params = b.params;
  console.log(`float-run calibration ${fmt(await finalCos(b, params))}`);
  for (let pass = 1; pass <= 2; pass++) {
    const prep = prepareQuant(b.model, params);
    const hs = new Map<string, TensorHistogram>();
    for (const img of images) {
      const xi = pixelsToInput(await prepareImageLoader(img, b.m.width, b.m.height, b.m.format), b.m.height, b.m.width, b.m.mean, b.m.var);
      await runQuantized(prep, b.inputName, xi, {
        onTensor: (n, t, _node, q) => {
          if (!q || params.features[n]?.method === 'shared') return;
          if (!hs.has(n)) hs.set(n, new TensorHistogram());
          hs.get(n)!.add(resultAsFloat(prep, n, t));
        },
      });
    }
    const features = { ...params.features };
    for (const [n, h] of hs) features[n] = { ...features[n]!, ...pick(calibrateFeature(h, method as FeatureRangeMethod, features[n]!.bits) as never) };
    for (const [n, e] of Object.entries(features)) if (e.method === 'shared') features[n] = { ...e, ...pick(features[e.sharedWith!]!) };
    params = { ...params, features };
    console.log(`sequential pass ${pass} ${fmt(await finalCos(b, params))}`);
  }
}

const pick = (e: { scale: number; zeroPoint: number; bits: number }) => ({ scale: e.scale, zeroPoint: e.zeroPoint, bits: e.bits, dtype: e.bits <= 8 ? ('uint8' as const) : ('uint16' as const) });

async function main(): Promise<void> {
  const [mode = 'curve', key = 'yolox', method = 'KL', bits = '8', ...names] = process.argv.slice(2);
  const m = REPORT_MODELS.find((r) => r.key === key);
  if (!m) throw new Error(`model key "${key}": one of ${REPORT_MODELS.map((r) => r.key).join(', ')}`);
  const model = await loadModel(path.join(DATA, m.file));
  // `bits`: a feature bit width, or the label of one of the model's variants (e.g. yolox "stem16")
  const extra = m.variants[bits] ?? { feature_quantize_bits: Number(bits) };
  const cal = await calibrate(model, { config: reportConfig(m, method, 4, extra) });
  const inputName = model.graph.inputs[0]!.name;
  const x = pixelsToInput(await prepareImageLoader(path.join(DATA, m.image), m.width, m.height, m.format), m.height, m.width, m.mean, m.var);
  const float = await runGraph(prepareQuant(model, cal.params).model, new Map([[inputName, x]]), { keep: 'all' });
  const b: Bench = { m, model, params: cal.params, inputName, x, float };
  switch (mode) {
    case 'curve': return curve(b);
    case 'ops': return ops(b);
    case 'prefix': return prefix(b);
    case 'tensors': return tensors(b, names);
    case 'kl-trt': return klTrt(b);
    case 'sequential': return sequential(b, method);
    default: throw new Error(`mode "${mode}": curve, ops, prefix, tensors, kl-trt or sequential`);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
