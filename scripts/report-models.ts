/**
 * The shared models as the fidelity scripts run them (quant-report, quant-ablation): preprocessing
 * from ../shared/data/README.md, one evaluation photo each, and named config variants beyond the
 * uniform bit width.
 */
import * as path from 'node:path';
import { parsePtqConfig, type PtqConfig } from '../reference/config/index.js';

/** ../shared/data resolved from dist/scripts/. */
export const DATA = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../shared/data');

/** YOLOX-nano's stem SiLU (Conv_42 output and Mul_44 output) at 16 bits, every other feature at the config's width. */
export const YOLOX_STEM_16 = { node_quantize_bits: { Conv_42: { feature: 16 }, Mul_44: { feature: 16 } } };

export interface ReportModel {
  key: string;
  file: string;
  format: 'RGB' | 'BGR';
  width: number;
  height: number;
  mean: number[];
  var: number[];
  /** Evaluation photo (not a calibration image). */
  image: string;
  /** Extra config keys to report besides the uniform configuration, by label. */
  variants: Record<string, Record<string, unknown>>;
}

export const REPORT_MODELS: readonly ReportModel[] = [
  { key: 'yolox', file: 'models/yolox_nano_3cls.onnx', format: 'BGR', width: 416, height: 416, mean: [0, 0, 0], var: [1, 1, 1], image: 'images/dog.jpg', variants: { 'stem16': YOLOX_STEM_16 } },
  { key: 'yunet', file: 'models/yunet_n_320_320.onnx', format: 'BGR', width: 320, height: 320, mean: [0, 0, 0], var: [1, 1, 1], image: 'images/faces_1.jpg', variants: {} },
  { key: 'fastestdet', file: 'models/fastestdet.onnx', format: 'RGB', width: 352, height: 352, mean: [0, 0, 0], var: [255, 255, 255], image: 'images/dog.jpg', variants: {} },
  { key: 'ultraface', file: 'models/ultraface_rfb_320.onnx', format: 'RGB', width: 320, height: 240, mean: [127, 127, 127], var: [128, 128, 128], image: 'images/faces_1.jpg', variants: {} },
];

/** The PTQ config of a report run: first `images` photos of images/calib/, MAX_ABS weights, plus `extra` keys. */
export function reportConfig(m: ReportModel, method: string, images: number, extra: Record<string, unknown> = {}): PtqConfig {
  const keys = { format: m.format, width: m.width, height: m.height, path: path.join(DATA, 'images/calib'), used_image_num: images, mean: m.mean, var: m.var, feature_quantize_method: method, weight_quantize_method: 'MAX_ABS', ...extra };
  return parsePtqConfig(JSON.stringify(keys), path.join(DATA, 'ptq_config.json'));
}
