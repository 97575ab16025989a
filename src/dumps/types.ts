/**
 * The DumpSet contract: one ordered list of per-layer dump files, whatever folder kind they came
 * from. Only `src/dumps/` reads dump files; every later stage works on these plain values.
 */
import type { DType } from '../tensor/dtype.js';

/** Which program wrote a folder. */
export type FolderKind =
  | 'manifest' // our own folder with manifest.json
  | 'vendor-pc' // MAGIK_DATA_DUMP/ (+ the PC program's stdout log)
  | 'board' // board debug dumps: <name>_out.bin
  | 'debug' // the transform tool's debug folder (float_model/, ptq_model/, ...)
  | 'debug-sub' // one sub-folder of a debug folder (float_model/ etc.) opened alone
  | 'npy' // .npy files
  | 'plain'; // .bin files with shapes from --shapes / names / the model

/** Tensor memory order. 4-D dumps are NHWC (FORMATS.md §4); other ranks row-major. */
export type Layout = 'NHWC' | 'NCHW' | 'row-major';

/** Why an entry cannot be compared (it stays in the list, never silently dropped). */
export interface EntryProblem {
  code: 'empty-file' | 'size-mismatch' | 'no-shape' | 'unreadable' | 'missing-file' | 'shape-overflow' | 'bad-header';
  reason: string;
  expectedBytes?: number;
  actualBytes?: number;
}

export interface DumpEntry {
  /** Key used for matching: the file's base name without `.bin`/`.npy` (sanitized form). */
  name: string;
  /** Unsanitized tensor name, when a manifest / log / model says it. */
  originalName?: string;
  nodeName?: string;
  opType?: string;
  /** Absolute path of the file. */
  file: string;
  /** Element type; null when it can't be known (see `problem`). */
  dtype: DType | null;
  /**
   * While `dtype` is null: the element types the file can hold, tried in order once a shape is
   * known (e.g. uint8/uint16 for the transform tool's ptq_model). Absent: the vendor set
   * float32, uint16, uint8, uint4 (FORMATS.md §1).
   */
  dtypeCandidates?: DType[];
  /** Logical shape (NHWC for 4-D); null when unknown. */
  shape: number[] | null;
  layout: Layout;
  /** Where the shape came from, for the report. */
  shapeSource?: 'manifest' | 'log' | 'file-name' | 'npy-header' | 'shapes-map' | 'model' | 'size';
  /** File size in bytes. */
  size: number;
  /** Byte offset of the first element (.npy header length; 0 for raw dumps). */
  dataOffset: number;
  /** Position in execution order (log line order, manifest order, else file order). */
  order: number;
  /** 'input' for the network's input dump. */
  role: 'input' | 'layer';
  /** Quantization parameters of an integer tensor, when known (manifest): x = (q - zeroPoint) * scale. */
  scale?: number;
  zeroPoint?: number;
  /** md5 recorded by a manifest (verified, not trusted, by the measure stage). */
  recordedMd5?: string;
  problem?: EntryProblem;
}

export interface IgnoredFile {
  file: string;
  reason: string;
}

export interface DumpSet {
  /** Folder that was opened (absolute). */
  root: string;
  kind: FolderKind;
  /** Layer entries in execution order (input entries included, role 'input'). */
  entries: DumpEntry[];
  /** Files present but not layer outputs (`_bt`, `_weight`, `_mean`, `_variance`, logs, ...). */
  ignored: IgnoredFile[];
  /** Non-fatal problems found while reading (log lines naming missing files, ...). */
  warnings: string[];
}

/** Options shared by every folder reader. */
export interface OpenOptions {
  /** Saved stdout of the vendor PC program (`--pc-log`) or of the board program (`--board-log`). */
  log?: string;
  /** `--shapes` JSON map: name (sanitized or original) -> shape. */
  shapes?: Record<string, number[]>;
  /** Force a folder kind instead of detecting it. */
  kind?: FolderKind;
  /** For a debug folder: which sub-folder to open (default 'float_model'). */
  sub?: 'float_model' | 'ptq_model' | 'ptq_model_dequantize';
}
