/**
 * Work items of the measure stage: one streaming pass over a pair of dump files computing
 * both files' md5 and every metric of METRICS.md. Plain values, so they cross worker threads.
 */
import type { DType } from '../tensor/dtype.js';

export interface MeasureSide {
  file: string;
  /** Byte offset of the first element (.npy header); the md5 still covers the whole file. */
  dataOffset: number;
  /**
   * false: do not hash this file here (another job of the run does; the engine copies its md5,
   * see shareHashes). Default: hash it.
   */
  hash?: boolean;
  dtype: DType;
  /** Dequantization x = (q - zeroPoint) * scale, when known. */
  scale?: number;
  zeroPoint?: number;
}

export interface MeasureJob {
  id: number;
  a: MeasureSide;
  b: MeasureSide;
  /** Logical shape (NHWC for 4-D); null for an md5-only job. */
  shape: number[] | null;
  /** Elements to compare (product of shape); 0 for an md5-only job. */
  count: number;
  /** 'integer': raw integer values compared exactly (plus float metrics on raw values). */
  mode: 'integer' | 'float' | 'md5-only';
  /** Which side is an integer dump to fit against the float side (no known scale/zero point). */
  fitSide: 'a' | 'b' | null;
}

export interface MeasureResult {
  id: number;
  /** md5 (lowercase hex) of side a's whole file; '' when the job failed before it was known. */
  md5A: string;
  md5B: string;
  /** JSON-safe metric block (see src/metrics), absent for md5-only jobs. */
  metrics?: Record<string, unknown>;
  error?: string;
}
