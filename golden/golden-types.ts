/**
 * The golden index: a plain JSON-able description of every generated case and the answers a
 * correct reader must give. Paths are relative to the output folder.
 */
import type { DType } from '../src/tensor/dtype.js';
import type { EntryProblem } from '../src/dumps/types.js';

/** What one entry of a DumpSet must look like. */
export interface ExpectedEntry {
  name: string;
  /** Path relative to the golden output folder. */
  file: string;
  role: 'input' | 'layer';
  dtype: DType | null;
  shape: number[] | null;
  shapeSource?: string;
  size: number;
  problem?: { code: EntryProblem['code']; expectedBytes?: number; actualBytes?: number };
  /** md5 of the file bytes (absent for missing files). */
  md5?: string;
  originalName?: string;
  nodeName?: string;
  opType?: string;
}

export interface ExpectedIgnored {
  file: string;
  /** A substring of the reason. */
  reasonContains: string;
}

export interface PcCase {
  dir: string;
  dumpDir: string;
  log: string;
  entries: ExpectedEntry[];
  /** The packed 4-bit layer and its first values in element order (high nibble first). */
  uint4: { name: string; firstValues: number[]; firstBytes: number[] };
}

export interface PcBadCase {
  dir: string;
  dumpDir: string;
  log: string;
  entries: ExpectedEntry[];
  /** 1-based log lines that contain `Data dumping to` but cannot be parsed. */
  malformedLines: number[];
  duplicate: { file: string; lines: [number, number]; keptShape: number[] };
  /** Substrings each of which must appear in some warning. */
  warningsContain: string[];
}

export interface BoardCase {
  dir: string;
  log: string;
  /** Entries when opened with the board log (log order). */
  entries: ExpectedEntry[];
  /** Entry names in order when opened without a log (inputs first, natural order). */
  namesWithoutLog: string[];
  ignored: ExpectedIgnored[];
  /** PC layer names that have no board file. */
  missingOnBoard: string[];
  /** The one corrupted layer (board vs PC). */
  corrupted: {
    pcName: string;
    boardName: string;
    dtype: DType;
    shape: number[];
    changedPositions: number[];
    mismatchCount: number;
    firstMismatch: { index: number; nhwc: [number, number, number, number]; pc: number; board: number };
  };
  /** Board input: 4 channels, channel 3 all zero, channels 0-2 equal to the PC input. */
  input: { name: string; shape: number[]; pcName: string };
  /** Layers whose board file is byte-identical to the PC file. */
  identical: string[];
}

export interface DebugNode {
  node: string;
  opType: string;
  /** Sanitized file name (same in all three sub-folders). */
  file: string;
  shape: number[];
  ptqDtype: 'uint8' | 'uint16';
  scale: number;
  zeroPoint: number;
  /** max |float - dequantize| over the layer (<= scale/2: no value is clamped). */
  maxAbsDequantError: number;
}

export interface DebugCase {
  dir: string;
  nodes: DebugNode[];
  input: { u8: string; float: string; shape: number[]; mean: number; std: number };
  allTypes: string[];
  /** A `--shapes` file (outside the debug folder) mapping every node name to its NHWC shape. */
  shapesFile: string;
}

export interface NpyCaseFile {
  file: string;
  version: 1 | 2 | 3;
  descr: string;
  dtype: DType | null;
  shape: number[];
  dataOffset: number;
  size: number;
  /** First values in row-major order (good files only). */
  values?: number[];
  problem?: { code: EntryProblem['code']; reasonContains: string; expectedBytes?: number; actualBytes?: number };
}

export interface NpyCase {
  dir: string;
  /** In natural file-name order (= entry order). */
  files: NpyCaseFile[];
}

export interface ManifestCase {
  dir: string;
  tensors: { tensorName: string; file: string; dtype: DType; shape: number[]; md5: string; size: number; role: 'input' | 'layer'; scale?: number; zeroPoint?: number }[];
  renamed: { tensorName: string; file: string }[];
}

export interface GoldenIndex {
  format: 'magik-parity-golden';
  version: 1;
  seed: number;
  pc: PcCase;
  pcBad: PcBadCase;
  board: BoardCase;
  debug: DebugCase;
  npy: NpyCase;
  manifest: ManifestCase;
}
