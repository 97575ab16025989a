/**
 * The vendor's `ptq_config.json` (Magik PTQ user guide §3.1, §3.2, §8) as a typed value, plus
 * the one extension that is ours (`node_quantize_bits`). Keys in the file are the vendor's
 * snake_case; fields here are camelCase. Defaults are filled by the loader.
 */

export type ImageFormat = 'RGB' | 'BGR' | 'GRAY';
/** Feature (activation) range methods. The guide lists KL, ADMM, MSE; MAX_ABS is accepted too. */
export type FeatureMethod = 'KL' | 'MSE' | 'ADMM' | 'MAX_ABS';
/** Weight methods. The guide lists MAX (= MAX_ABS) and ADMM; its examples write MAX_ABS. */
export type WeightMethod = 'MAX_ABS' | 'ADMM';

export const IMAGE_FORMATS: readonly ImageFormat[] = ['RGB', 'BGR', 'GRAY'];
export const FEATURE_METHODS: readonly FeatureMethod[] = ['KL', 'MSE', 'ADMM', 'MAX_ABS'];
export const WEIGHT_METHODS: readonly WeightMethod[] = ['MAX_ABS', 'ADMM'];
/** Smallest and largest bit width for features and weights (guide §8.2 B: 10, 12, 14; default 8). */
export const MIN_BITS = 4;
export const MAX_BITS = 16;
export const DEFAULT_BITS = 8;

/** Per-node bit widths (our extension): either part may be left to the global setting. */
export interface NodeBits {
  feature?: number;
  weight?: number;
}

/** Where mean/var came from: the config file, the command line (wins), or the default. */
export type ValueSource = 'config' | 'cli' | 'default';

export interface PtqConfig {
  /** Absolute path of the config file. */
  file: string;
  /** Channel order of the network input. GRAY means 1 channel. */
  format: ImageFormat;
  /** Network input width and height in pixels. */
  width: number;
  height: number;
  /** Calibration image folder, absolute (relative paths are resolved against the config's folder). */
  path: string;
  /** How many calibration images to use (> 0); the first N in sorted file-name order. */
  usedImageNum: number;
  featureQuantizeMethod: FeatureMethod;
  weightQuantizeMethod: WeightMethod;
  /** Bit widths, 4..16 (default 8). Features ≤ 8 bits are stored as uint8, 9..16 as uint16. */
  featureQuantizeBits: number;
  weightQuantizeBits: number;
  debug: {
    open: boolean;
    /** Absolute path, or null when absent. */
    debugInputPath: string | null;
    debugOutputDir: string | null;
  };
  biasCorr: {
    weightCorr: boolean;
    featureCorr: boolean;
    /** Absolute folders, or null when absent. */
    valiDir: string | null;
    corrDir: string | null;
  };
  /** true (default) = quantize that part; false keeps it in float (guide §8.2 C). */
  weightFakeQuant: boolean;
  featureFakeQuant: boolean;
  /** Node names (or tensor names, or sanitized dump names) to keep in float. */
  skipNodeQuant: string[];
  /** ONNX op types to keep in float. */
  skipOpQuant: string[];
  /** Per-channel mean subtracted from the 0..255 input, in channel order of `format`. */
  mean: number[];
  /** Per-channel divisor applied after the mean ("var" in the vendor's CLI; e.g. 255). */
  var: number[];
  meanSource: ValueSource;
  varSource: ValueSource;
  /** Our extension: `{"<node>": {"feature": 12, "weight": 8}}`. */
  nodeQuantizeBits: Record<string, NodeBits>;
  /** Non-fatal findings (e.g. a CLI value overriding a different config value), one line each. */
  warnings: string[];
}

/** Values the vendor passes on the command line; when given they override the config file. */
export interface PtqConfigOverrides {
  /** `--mean 0,0,0` as text or numbers. */
  mean?: string | number[];
  /** `--var 255.0,255.0,255.0` as text or numbers. */
  var?: string | number[];
  /** `--img_width` / `--img_height`. */
  width?: number;
  height?: number;
}

/** Number of input channels implied by the image format. */
export function channelsOf(format: ImageFormat): number {
  return format === 'GRAY' ? 1 : 3;
}
