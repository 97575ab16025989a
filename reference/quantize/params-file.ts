/**
 * Reading and writing `params.json` (atomically). Reading checks the structure; whether the
 * parameters fit a model is checked by {@link prepareQuant}.
 */
import { promises as fsp } from 'node:fs';
import { UserError, fsError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { MAX_QUANT_BITS, MIN_QUANT_BITS } from '../quant/feature-params.js';
import { PARAMS_FORMAT, PARAMS_VERSION, type QuantParams } from './params.js';

/** Writes params.json atomically (pretty-printed; numbers round-trip exactly). */
export async function writeParamsFile(file: string, params: QuantParams): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(params, null, 1)}\n`);
}

function bad(file: string, what: string): UserError {
  return new UserError('PARAMS_FORMAT', `${file}: ${what}`, 'pass a params.json written by `magik-parity reference`, or omit --params to calibrate');
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const okBits = (b: unknown): boolean => Number.isInteger(b) && (b as number) >= MIN_QUANT_BITS && (b as number) <= MAX_QUANT_BITS;

/** Parses and structurally checks params.json text. */
export function parseParams(text: string, file: string): QuantParams {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw bad(file, `not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(v) || v.format !== PARAMS_FORMAT) throw bad(file, `not a params file (format is not "${PARAMS_FORMAT}")`);
  if (v.version !== PARAMS_VERSION) throw bad(file, `version ${String(v.version)}, this tool reads version ${PARAMS_VERSION}`);
  if (!isObj(v.model) || typeof v.model.md5 !== 'string' || !isObj(v.features) || !isObj(v.weights) || !Array.isArray(v.batchNormFolds) || !isObj(v.settings)) {
    throw bad(file, 'missing "model", "settings", "features", "weights" or "batchNormFolds"');
  }
  for (const [name, e] of Object.entries(v.features)) {
    if (!isObj(e) || !(typeof e.scale === 'number' && e.scale > 0 && Number.isFinite(e.scale)) || !okBits(e.bits)) throw bad(file, `feature "${name}": needs a positive "scale" and "bits" in ${MIN_QUANT_BITS}..${MAX_QUANT_BITS}`);
    const qmax = 2 ** (e.bits as number) - 1;
    if (!Number.isInteger(e.zeroPoint) || (e.zeroPoint as number) < 0 || (e.zeroPoint as number) > qmax) throw bad(file, `feature "${name}": zeroPoint ${String(e.zeroPoint)} outside 0..${qmax}`);
  }
  for (const [name, e] of Object.entries(v.weights)) {
    if (!isObj(e) || !okBits(e.bits) || !Array.isArray(e.scales) || !e.scales.every((s) => typeof s === 'number' && s > 0 && Number.isFinite(s)) || !Array.isArray(e.dims) || !Number.isInteger(e.axis) || !Number.isInteger(e.input)) {
      throw bad(file, `weights of node "${name}": need "bits" in ${MIN_QUANT_BITS}..${MAX_QUANT_BITS}, positive "scales", "dims", "axis", "input"`);
    }
  }
  if (v.biasCorrection !== undefined) {
    const bc = v.biasCorrection;
    if (!isObj(bc) || !isObj(bc.nodes) || !Object.values(bc.nodes).every((a) => Array.isArray(a) && a.every((x) => typeof x === 'number' && Number.isFinite(x)))) {
      throw bad(file, '"biasCorrection.nodes" must map node names to lists of numbers');
    }
  }
  return v as unknown as QuantParams;
}

/** Reads params.json. */
export async function readParamsFile(file: string): Promise<QuantParams> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read the params file');
  }
  return parseParams(text, file);
}
