/**
 * Validation of a parsed `ptq_config.json` against the guide's keys (§3.1, §3.2, §8) and our
 * `node_quantize_bits` extension. Strict on purpose: what passes here is what the vendor tool
 * accepts (plus MAX_ABS for features, `mean`/`var`, `node_quantize_bits`), and every rejection
 * names the key, the value and what is allowed.
 */
import * as path from 'node:path';
import type { JsonEntry, JsonNode } from './json-source.js';
import { ConfigDiagnostics, jsonType, nearest, normaliseToken } from './config-diagnostics.js';
import {
  DEFAULT_BITS,
  FEATURE_METHODS,
  IMAGE_FORMATS,
  MAX_BITS,
  MIN_BITS,
  WEIGHT_METHODS,
  type FeatureMethod,
  type ImageFormat,
  type NodeBits,
  type WeightMethod,
} from './ptq-config-types.js';

/** Keys of each object in the file, in the guide's order. */
export const TOP_KEYS = [
  'format',
  'width',
  'height',
  'path',
  'used_image_num',
  'feature_quantize_method',
  'weight_quantize_method',
  'feature_quantize_bits',
  'weight_quantize_bits',
  'debug',
  'bias_corr',
  'weight_fake_quant',
  'feature_fake_quant',
  'skip_node_quant',
  'skip_op_quant',
  'mean',
  'var',
  'node_quantize_bits',
] as const;
export const DEBUG_KEYS = ['open', 'debug_input_path', 'debug_output_dir'] as const;
export const BIAS_CORR_KEYS = ['weight_corr', 'feature_corr', 'vali_dir', 'corr_dir'] as const;
export const NODE_BITS_KEYS = ['feature', 'weight'] as const;
/** The guide's "basic information" (§3.1): required. */
export const REQUIRED_KEYS = ['format', 'width', 'height', 'path', 'used_image_num'] as const;

const SCOPES: Record<string, readonly string[]> = { '': TOP_KEYS, debug: DEBUG_KEYS, bias_corr: BIAS_CORR_KEYS };

/** The raw validated values (snake_case keys as in the file), before defaults and CLI overrides. */
export interface ValidatedFile {
  format: ImageFormat;
  width: number;
  height: number;
  path: string;
  usedImageNum: number;
  featureQuantizeMethod?: FeatureMethod;
  weightQuantizeMethod?: WeightMethod;
  featureQuantizeBits?: number;
  weightQuantizeBits?: number;
  debug: { open?: boolean; debugInputPath?: string; debugOutputDir?: string };
  biasCorr: { weightCorr?: boolean; featureCorr?: boolean; valiDir?: string; corrDir?: string };
  weightFakeQuant?: boolean;
  featureFakeQuant?: boolean;
  skipNodeQuant?: string[];
  skipOpQuant?: string[];
  mean?: { node: JsonNode; values: number[] };
  var?: { node: JsonNode; values: number[] };
  nodeQuantizeBits: Record<string, NodeBits>;
}

/** Parses "0,0,0" / "0 0 0" / [0,0,0] into numbers; null when not a list of finite numbers. */
export function parseNumberList(v: string | readonly unknown[]): number[] | null {
  const parts = typeof v === 'string' ? v.split(/[\s,]+/).filter((s) => s.length > 0) : v;
  if (parts.length === 0) return null;
  const out: number[] = [];
  for (const p of parts) {
    const n = typeof p === 'number' ? p : typeof p === 'string' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(p) ? Number(p) : NaN;
    if (!Number.isFinite(n)) return null;
    out.push(n);
  }
  return out;
}

export class PtqConfigValidator {
  private readonly d: ConfigDiagnostics;
  constructor(
    file: string,
    private readonly baseDir: string,
  ) {
    this.d = new ConfigDiagnostics(file);
  }

  validate(root: JsonNode): ValidatedFile {
    if (root.kind !== 'object') {
      throw this.d.at(root.pos, `the file holds ${jsonType(root)}; expected a JSON object like {"format": "RGB", "width": 640, ...}`);
    }
    const byKey = this.checkKeys(root.entries, '');
    for (const k of REQUIRED_KEYS) {
      if (!byKey.has(k)) {
        throw this.d.at(root.pos, `missing required key "${k}" (the guide's basic information: ${REQUIRED_KEYS.join(', ')})`, `add "${k}": ${exampleOf(k)}`);
      }
    }
    const get = (k: string): JsonNode | undefined => byKey.get(k)?.value;
    const opt = <T>(k: string, f: (key: string, n: JsonNode) => T): T | undefined => {
      const n = get(k);
      return n === undefined ? undefined : f(k, n);
    };
    const debugNode = get('debug');
    const biasNode = get('bias_corr');
    const debug = debugNode ? this.object('debug', debugNode) : new Map<string, JsonEntry>();
    const bias = biasNode ? this.object('bias_corr', biasNode) : new Map<string, JsonEntry>();
    const sub = <T>(m: Map<string, JsonEntry>, scope: string, k: string, f: (key: string, n: JsonNode) => T): T | undefined => {
      const e = m.get(k);
      return e === undefined ? undefined : f(`${scope}.${k}`, e.value);
    };
    const meanNode = get('mean');
    const varNode = get('var');
    return {
      format: this.enumValue('format', get('format')!, IMAGE_FORMATS),
      width: this.integer('width', get('width')!, 1, 65535, 'the network input width in pixels'),
      height: this.integer('height', get('height')!, 1, 65535, 'the network input height in pixels'),
      path: this.path('path', get('path')!),
      usedImageNum: this.integer('used_image_num', get('used_image_num')!, 1, Number.MAX_SAFE_INTEGER, 'how many calibration images to use; the guide suggests 10-100'),
      featureQuantizeMethod: opt('feature_quantize_method', (k, n) => this.enumValue(k, n, FEATURE_METHODS)),
      weightQuantizeMethod: opt('weight_quantize_method', (k, n) => this.enumValue(k, n, WEIGHT_METHODS, { MAX: 'MAX_ABS' })),
      featureQuantizeBits: opt('feature_quantize_bits', (k, n) => this.bits(k, n)),
      weightQuantizeBits: opt('weight_quantize_bits', (k, n) => this.bits(k, n)),
      debug: {
        open: sub(debug, 'debug', 'open', (k, n) => this.bool(k, n)),
        debugInputPath: sub(debug, 'debug', 'debug_input_path', (k, n) => this.path(k, n)),
        debugOutputDir: sub(debug, 'debug', 'debug_output_dir', (k, n) => this.path(k, n)),
      },
      biasCorr: {
        weightCorr: sub(bias, 'bias_corr', 'weight_corr', (k, n) => this.bool(k, n)),
        featureCorr: sub(bias, 'bias_corr', 'feature_corr', (k, n) => this.bool(k, n)),
        valiDir: sub(bias, 'bias_corr', 'vali_dir', (k, n) => this.path(k, n)),
        corrDir: sub(bias, 'bias_corr', 'corr_dir', (k, n) => this.path(k, n)),
      },
      weightFakeQuant: opt('weight_fake_quant', (k, n) => this.bool(k, n)),
      featureFakeQuant: opt('feature_fake_quant', (k, n) => this.bool(k, n)),
      skipNodeQuant: opt('skip_node_quant', (k, n) => this.stringList(k, n, '["node_name_0"]')),
      skipOpQuant: opt('skip_op_quant', (k, n) => this.stringList(k, n, '["Sigmoid"]')),
      mean: meanNode ? { node: meanNode, values: this.numberList('mean', meanNode, false) } : undefined,
      var: varNode ? { node: varNode, values: this.numberList('var', varNode, true) } : undefined,
      nodeQuantizeBits: opt('node_quantize_bits', (k, n) => this.nodeBits(k, n)) ?? {},
    };
  }

  /** Rejects unknown keys with the nearest valid one; returns the entries by key. */
  private checkKeys(entries: JsonEntry[], scope: string): Map<string, JsonEntry> {
    const valid = SCOPES[scope]!;
    const out = new Map<string, JsonEntry>();
    for (const e of entries) {
      if (valid.includes(e.key)) {
        out.set(e.key, e);
        continue;
      }
      const where = scope ? ` in "${scope}"` : '';
      // A key that belongs to another object?
      for (const [other, keys] of Object.entries(SCOPES)) {
        if (other === scope) continue;
        const hit = keys.find((k) => normaliseToken(k) === normaliseToken(e.key));
        if (hit) {
          const place = other ? `inside "${other}": {...}` : 'at the top level';
          throw this.d.at(e.keyPos, `unknown key "${e.key}"${where}; "${hit}" belongs ${place}`, `move it ${place}`);
        }
      }
      const near = nearest(e.key, valid);
      const guess = near ? `; did you mean "${near}"?` : '';
      throw this.d.at(e.keyPos, `unknown key "${e.key}"${where}${guess}`, `valid keys${where}: ${valid.join(', ')}`);
    }
    return out;
  }

  private object(key: string, node: JsonNode): Map<string, JsonEntry> {
    if (node.kind !== 'object') throw this.d.value(key, node, `is ${jsonType(node)}; expected an object {...}`);
    return this.checkKeys(node.entries, key);
  }

  private enumValue<T extends string>(key: string, node: JsonNode, allowed: readonly T[], aliases: Record<string, T> = {}): T {
    const list = allowed.join(', ');
    if (node.kind !== 'string') throw this.d.value(key, node, `is ${jsonType(node)}; expected one of ${list} (in double quotes)`);
    if ((allowed as readonly string[]).includes(node.value)) return node.value as T;
    const alias = aliases[node.value];
    if (alias !== undefined) return alias;
    const near = nearest(node.value, [...allowed, ...Object.keys(aliases)]);
    const guess = near ? `; did you mean "${near}"?` : '';
    throw this.d.value(key, node, `not allowed${guess}`, `allowed values: ${list}`);
  }

  private integer(key: string, node: JsonNode, min: number, max: number, hint?: string): number {
    const range = max >= Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in ${min}..${max}`;
    if (node.kind === 'string' && /^\s*-?\d+\s*$/.test(node.value)) {
      throw this.d.value(key, node, `is a string; expected ${range}`, `write ${node.value.trim()} without quotes`);
    }
    if (node.kind !== 'number') throw this.d.value(key, node, `is ${jsonType(node)}; expected ${range}`, hint);
    if (!Number.isInteger(node.value)) throw this.d.value(key, node, `is not an integer; expected ${range}`, hint);
    if (node.value < min || node.value > max) throw this.d.value(key, node, `out of range; expected ${range}`, hint);
    return node.value;
  }

  private bits(key: string, node: JsonNode): number {
    try {
      return this.integer(key, node, MIN_BITS, MAX_BITS);
    } catch (e) {
      if (node.kind === 'number') {
        throw this.d.value(key, node, `bit width must be an integer in ${MIN_BITS}..${MAX_BITS} (default ${DEFAULT_BITS})`, 'the guide suggests 8, 10, 12, 14 or 16');
      }
      throw e;
    }
  }

  private bool(key: string, node: JsonNode): boolean {
    if (node.kind === 'boolean') return node.value;
    if (node.kind === 'string' && /^(true|false)$/i.test(node.value.trim())) {
      throw this.d.value(key, node, 'is a string; expected true or false', `write ${node.value.trim().toLowerCase()} without quotes`);
    }
    throw this.d.value(key, node, `is ${jsonType(node)}; expected true or false`);
  }

  private path(key: string, node: JsonNode): string {
    if (node.kind !== 'string') throw this.d.value(key, node, `is ${jsonType(node)}; expected a path in double quotes`);
    if (node.value.trim() === '') throw this.d.value(key, node, 'is empty; expected a path', 'relative paths are resolved against the config file\'s folder');
    return path.resolve(this.baseDir, node.value);
  }

  private stringList(key: string, node: JsonNode, example: string): string[] {
    if (node.kind === 'string') throw this.d.value(key, node, `is a single string; expected a list of strings like ${example}`, `write [${JSON.stringify(node.value)}]`);
    if (node.kind !== 'array') throw this.d.value(key, node, `is ${jsonType(node)}; expected a list of strings like ${example}`);
    const out: string[] = [];
    node.items.forEach((item, i) => {
      if (item.kind !== 'string' || item.value.trim() === '') {
        throw this.d.value(`${key}[${i}]`, item, `expected a non-empty name in double quotes`);
      }
      out.push(item.value);
    });
    return out;
  }

  private numberList(key: string, node: JsonNode, nonZero: boolean): number[] {
    const expected = 'expected numbers like [0, 0, 0] or "0,0,0"';
    let values: number[] | null = null;
    if (node.kind === 'string') values = parseNumberList(node.value);
    else if (node.kind === 'number') values = [node.value];
    else if (node.kind === 'array') values = parseNumberList(node.items.map((n) => (n.kind === 'number' ? n.value : NaN)));
    if (values === null) throw this.d.value(key, node, `is not a list of numbers; ${expected}`);
    if (nonZero && values.some((v) => v === 0)) throw this.d.value(key, node, 'contains 0; var divides the input and must be non-zero', 'use 1 to leave a channel unscaled');
    return values;
  }

  private nodeBits(key: string, node: JsonNode): Record<string, NodeBits> {
    if (node.kind !== 'object') throw this.d.value(key, node, `is ${jsonType(node)}; expected {"<node name>": {"feature": 12, "weight": 8}}`);
    const out: Record<string, NodeBits> = {};
    for (const e of node.entries) {
      const k = `${key}.${e.key}`;
      if (e.value.kind !== 'object') throw this.d.value(k, e.value, `is ${jsonType(e.value)}; expected {"feature": <bits>, "weight": <bits>}`);
      const nb: NodeBits = {};
      for (const f of e.value.entries) {
        if (f.key === 'feature') nb.feature = this.bits(`${k}.feature`, f.value);
        else if (f.key === 'weight') nb.weight = this.bits(`${k}.weight`, f.value);
        else {
          const near = nearest(f.key, NODE_BITS_KEYS);
          throw this.d.at(f.keyPos, `unknown key "${f.key}" in "${k}"${near ? `; did you mean "${near}"?` : ''}`, 'valid keys: feature, weight');
        }
      }
      if (nb.feature === undefined && nb.weight === undefined) throw this.d.value(k, e.value, 'sets nothing; give "feature" and/or "weight" bits');
      out[e.key] = nb;
    }
    return out;
  }
}

function exampleOf(k: string): string {
  switch (k) {
    case 'format':
      return '"RGB"';
    case 'width':
    case 'height':
      return '640';
    case 'path':
      return '"./calib_images"';
    case 'used_image_num':
      return '12';
    default:
      return '...';
  }
}
