/**
 * Turns `params.json` into what the integer step needs, checking that the parameters belong to
 * the model: same md5, every feature tensor exists, every weight site has scales of the right
 * length. A mismatch is a UserError PARAMS_FORMAT naming the first difference.
 */
import { UserError } from '../../src/errors.js';
import type { OnnxModel } from '../../src/onnx/types.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import { dequantizeWeights, type QuantizedWeights } from '../quant/weights.js';
import { makeTensor, type Tensor } from '../tensor.js';
import { foldBatchNorms } from './fold-batch-norm.js';
import type { QuantParams } from './params.js';
import { quantizeWithScales, weightSites } from './weight-sites.js';

export interface PreparedWeight {
  input: number;
  qw: QuantizedWeights;
  /** The dequantized weights q · s[c] (float32), for float fallbacks with quantized weights. */
  fake: Tensor;
}

export interface PreparedQuant {
  /** The model with BatchNorms folded (what runs). */
  model: OnnxModel;
  params: QuantParams;
  features: Map<string, FeatureQParams>;
  /** Node name -> its quantized weights. */
  weights: Map<string, PreparedWeight>;
  /** Node name -> per-channel bias correction (added to the float bias). */
  biasDelta: Map<string, Float32Array>;
}

function mismatch(file: string, what: string): UserError {
  return new UserError('PARAMS_FORMAT', `${file}: ${what}`, 'the params.json was made for another model or settings; calibrate again (omit --params)');
}

/**
 * Checks `params` against `model` (the original, unfolded model) and prepares the integer run.
 * `file` names params.json in messages.
 */
export function prepareQuant(model: OnnxModel, params: QuantParams, file = 'params.json'): PreparedQuant {
  if (params.model.md5 !== model.md5) {
    throw mismatch(file, `made for model ${params.model.file} (md5 ${params.model.md5}), not ${model.file} (md5 ${model.md5})`);
  }
  const folded = foldBatchNorms(model).model;
  const g = folded.graph;
  const features = new Map<string, FeatureQParams>();
  for (const [name, e] of Object.entries(params.features)) {
    if (!g.producer.has(name) && !g.inputs.some((i) => i.name === name)) throw mismatch(file, `feature tensor "${name}" does not exist in ${model.file}`);
    features.set(name, { scale: e.scale, zeroPoint: e.zeroPoint, bits: e.bits });
  }
  for (const i of g.inputs) if (!features.has(i.name)) throw mismatch(file, `has no parameters for the graph input "${i.name}"`);
  const weights = new Map<string, PreparedWeight>();
  const sites = weightSites(folded);
  for (const s of sites) {
    const e = params.weights[s.node.name];
    if (!e) throw mismatch(file, `has no weight scales for ${s.node.opType} node "${s.node.name}"`);
    const channels = s.tensor.dims[s.axis]!;
    if (e.scales.length !== channels || e.input !== s.input || e.axis !== s.axis || e.dims.join(',') !== s.tensor.dims.join(',')) {
      throw mismatch(file, `weights of node "${s.node.name}": ${e.scales.length} scales on axis ${e.axis} of [${e.dims.join(',')}], the model has [${s.tensor.dims.join(',')}] (${channels} channels on axis ${s.axis})`);
    }
    const qw = quantizeWithScales(s.tensor.data as Float32Array, s.tensor.dims, s.axis, e.bits, e.scales);
    weights.set(s.node.name, { input: s.input, qw, fake: makeTensor('float32', s.tensor.dims, dequantizeWeights(qw, s.tensor.dims)) });
  }
  for (const name of Object.keys(params.weights)) if (!weights.has(name)) throw mismatch(file, `has weight scales for node "${name}", which has no quantizable weight in ${model.file}`);
  const biasDelta = new Map<string, Float32Array>();
  for (const [name, d] of Object.entries(params.biasCorrection?.nodes ?? {})) {
    const w = weights.get(name);
    if (!w) throw mismatch(file, `bias correction for node "${name}", which has no quantized weights`);
    const node = g.nodes.find((n) => n.name === name)!;
    const channels = node.opType === 'ConvTranspose' ? w.qw.scales.length * (typeof node.attrs.group === 'number' ? node.attrs.group : 1) : w.qw.scales.length;
    if (d.length !== channels) throw mismatch(file, `bias correction for node "${name}" has ${d.length} values for ${channels} output channels`);
    biasDelta.set(name, Float32Array.from(d));
  }
  return { model: folded, params, features, weights, biasDelta };
}
