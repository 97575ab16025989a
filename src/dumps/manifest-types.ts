/**
 * manifest.json: what every folder this project writes carries next to its dumps
 * (FORMATS.md §5). Readers must work without it; writers always write it.
 */
import type { DType } from '../tensor/dtype.js';
import type { Layout } from './types.js';

export const MANIFEST_FORMAT = 'magik-parity-manifest';
export const MANIFEST_VERSION = 1;

export interface ManifestTensor {
  /** Execution order (0-based, dense). */
  order: number;
  /** File name relative to the folder (sanitized tensor name + `.bin`). */
  file: string;
  /** Original (unsanitized) tensor name. */
  tensorName: string;
  /** ONNX node that produced it ('' for the graph input). */
  nodeName: string;
  /** ONNX op type ('Input' for the graph input). */
  opType: string;
  dtype: DType;
  /** Logical shape as written (NHWC for 4-D tensors). */
  shape: number[];
  layout: Layout;
  /** Integer tensors: x = (q - zeroPoint) * scale. */
  scale?: number;
  zeroPoint?: number;
  /** md5 of the file bytes (lowercase hex). */
  md5: string;
  role?: 'input' | 'layer';
}

/** A tensor of the model that the writer deliberately did not write (with the reason). */
export interface ManifestSkipped {
  tensorName: string;
  nodeName: string;
  opType: string;
  /** Element type as the runtime reported it (ONNX names: 'int64', 'bool', ...). */
  dtype: string;
  /** Shape in the model's order (not transposed). */
  shape: number[];
  reason: string;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  /** What wrote the folder: 'float' | 'reference' | 'reference-dequantize' | 'golden' | ... */
  producer: string;
  tool: { name: string; version: string };
  /** Model file name and md5, when a model was involved. */
  model?: { file: string; md5: string };
  /** md5 of the input_uint8.bin the folder was made from. */
  inputMd5?: string;
  tensors: ManifestTensor[];
  /** Model tensors not written (e.g. int64 shape computations in a float folder), when any. */
  skipped?: ManifestSkipped[];
}
