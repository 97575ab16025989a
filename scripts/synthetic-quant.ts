/**
 * The set-up shared by the integer-reference profiling scripts: a model calibrated (MAX_ABS,
 * 8-bit) on one synthetic image and that image as the float NCHW input tensor. Speed only, not
 * accuracy.
 */
import * as path from 'node:path';
import * as os from 'node:os';
import { promises as fsp } from 'node:fs';
import { loadModel } from '../src/onnx/load.js';
import type { OnnxModel, ValueInfo } from '../src/onnx/types.js';
import { calibrate } from '../reference/quantize/calibrate.js';
import { prepareQuant, type PreparedQuant } from '../reference/quantize/prepare.js';
import { parsePtqConfig } from '../reference/config/index.js';
import { floatTensor, type Tensor } from '../reference/tensor.js';
import { syntheticImage } from './synthetic-input.js';

export interface SyntheticQuant {
  model: OnnxModel;
  /** The model's first graph input. */
  input: ValueInfo;
  prep: PreparedQuant;
  /** The synthetic image (seed 7) as float32 NCHW, mean 0 / var 1. */
  xT: Tensor;
}

/** Loads `modelFile`, calibrates it on a synthetic image and prepares it for integer runs. */
export async function syntheticQuant(modelFile: string): Promise<SyntheticQuant> {
  const model = await loadModel(modelFile);
  const input = model.graph.inputs[0]!;
  const [n, c, h, w] = input.shape as number[];
  const u8 = syntheticImage(n!, h!, w!, c!, 7);
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-synth-'));
  let prep: PreparedQuant;
  try {
    const img = path.join(tmp, 'x.bin');
    await fsp.writeFile(img, u8);
    const cfg = parsePtqConfig(JSON.stringify({ format: 'BGR', width: w, height: h, path: tmp, used_image_num: 1, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS', feature_quantize_bits: 8, weight_quantize_bits: 8, mean: '0,0,0', var: '1,1,1' }), 'profile');
    const cal = await calibrate(model, { config: cfg, images: [img], loadImage: async () => u8 });
    prep = prepareQuant(model, cal.params);
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
  const nchw = new Float32Array(n! * c! * h! * w!);
  for (let y = 0; y < h!; y++) for (let x = 0; x < w!; x++) for (let k = 0; k < c!; k++) nchw[(k * h! + y) * w! + x] = u8[(y * w! + x) * c! + k]!;
  return { model, input, prep, xT: floatTensor([n!, c!, h!, w!], nchw) };
}
