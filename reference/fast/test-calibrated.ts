/**
 * Test helper: a shared model calibrated (MAX_ABS 8-bit, one synthetic image) and prepared for
 * integer runs, and its float NCHW input tensor.
 */
import * as path from 'node:path';
import * as os from 'node:os';
import { promises as fsp } from 'node:fs';
import { loadModel } from '../../src/onnx/load.js';
import { calibrate } from '../quantize/calibrate.js';
import { prepareQuant, type PreparedQuant } from '../quantize/prepare.js';
import { parsePtqConfig } from '../config/index.js';
import { floatTensor, type Tensor } from '../tensor.js';
import type { OnnxModel } from '../../src/onnx/types.js';
import type { QuantParams } from '../quantize/params.js';

/** A model calibrated (MAX_ABS 8-bit, one synthetic image), its float NCHW input, the loaded model and the parameters (to prepare variants of them). */
export async function calibrated(file: string, h: number, w: number): Promise<{ prep: PreparedQuant; x: Tensor; model: OnnxModel; params: QuantParams }> {
  const model = await loadModel(file);
  const u8 = new Uint8Array(h * w * 3);
  for (let i = 0; i < u8.length; i++) u8[i] = ((i * 2654435761) >>> 24) & 255;
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-fusion-'));
  let p: PreparedQuant;
  let params: QuantParams;
  try {
    const cfg = parsePtqConfig(JSON.stringify({ format: 'BGR', width: w, height: h, path: tmp, used_image_num: 1, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS', feature_quantize_bits: 8, weight_quantize_bits: 8, mean: '0,0,0', var: '1,1,1' }), 'fusion test');
    const img = path.join(tmp, 'x.bin');
    await fsp.writeFile(img, u8);
    const cal = await calibrate(model, { config: cfg, images: [img], loadImage: async () => u8 });
    params = cal.params;
    p = prepareQuant(model, params);
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
  const nchw = new Float32Array(3 * h * w);
  for (let i = 0; i < h * w; i++) for (let c = 0; c < 3; c++) nchw[c * h * w + i] = u8[i * 3 + c]!;
  return { prep: p, x: floatTensor([1, 3, h, w], nchw), model, params };
}

