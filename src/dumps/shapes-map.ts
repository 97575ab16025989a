/**
 * The `--shapes` JSON map: `{"<tensor name>": [d0, d1, ...], ...}`. Keys may be original
 * (`backbone/relu_1`) or sanitized (`backbone_relu_1`) names; 4-D shapes are NHWC.
 */
import { promises as fsp } from 'node:fs';
import { UserError, fsError } from '../errors.js';
import { sanitizeName } from '../names.js';

const HINT = 'the file must be a JSON object like {"411_Quantize": [1,192,320,12]} (NHWC for 4-D)';

/**
 * Validates a parsed shapes map; throws UserError SHAPES_FORMAT naming the key and value.
 * Dims must be positive safe integers; `[]` is a scalar.
 */
export function validateShapesMap(value: unknown, source = '--shapes'): Record<string, number[]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError('SHAPES_FORMAT', `${source}: expected a JSON object of name -> shape, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}`, HINT);
  }
  // no prototype: a key "__proto__" is a tensor name like any other
  const out: Record<string, number[]> = Object.create(null) as Record<string, number[]>;
  const bySanitized = new Map<string, string>();
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.length === 0) throw new UserError('SHAPES_FORMAT', `${source}: empty tensor name`, HINT);
    if (!Array.isArray(v) || !v.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d > 0)) {
      throw new UserError('SHAPES_FORMAT', `${source}: shape of "${k}" is ${JSON.stringify(v)}, expected an array of positive integers`, HINT);
    }
    const s = sanitizeName(k);
    const prev = bySanitized.get(s);
    if (prev !== undefined && out[prev]!.join(',') !== (v as number[]).join(',')) {
      throw new UserError(
        'SHAPES_FORMAT',
        `${source}: "${prev}" and "${k}" name the same file ${s}.bin but give different shapes [${out[prev]!.join(',')}] and [${v.join(',')}]`,
        'keep one of the two keys',
      );
    }
    bySanitized.set(s, k);
    out[k] = [...(v as number[])];
  }
  return out;
}

/** Parses shapes-map JSON text (UserError SHAPES_FORMAT on bad JSON or values). */
export function parseShapesMap(text: string, source = '--shapes'): Record<string, number[]> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new UserError('SHAPES_FORMAT', `${source}: not valid JSON (${(e as Error).message})`, HINT);
  }
  return validateShapesMap(v, source);
}

/** Reads and validates a `--shapes` file. */
export async function loadShapesMap(file: string): Promise<Record<string, number[]>> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read the --shapes file');
  }
  return parseShapesMap(text, file);
}

/** Lookup over a shapes map by entry name (sanitized) or original name; tracks used keys. */
export class ShapeLookup {
  private readonly bySanitized = new Map<string, string>();
  private readonly used = new Set<string>();
  constructor(private readonly map: Readonly<Record<string, number[]>>) {
    for (const k of Object.keys(map)) {
      this.bySanitized.set(k, k);
      const s = sanitizeName(k);
      if (!this.bySanitized.has(s)) this.bySanitized.set(s, k);
    }
  }
  /** Shape for a file stem / original name, or undefined. */
  get(name: string, originalName?: string): number[] | undefined {
    const key =
      (originalName !== undefined ? this.bySanitized.get(originalName) : undefined) ??
      this.bySanitized.get(name) ??
      this.bySanitized.get(sanitizeName(name));
    if (key === undefined) return undefined;
    this.used.add(key);
    return this.map[key];
  }
  /** Keys never returned by {@link get}. */
  unused(): string[] {
    return Object.keys(this.map).filter((k) => !this.used.has(k));
  }
}
