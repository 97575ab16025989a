/**
 * Loads the guide's `ptq_config.json`: strict JSON with positions, key/value validation, defaults,
 * relative paths resolved against the config's folder, and the values the vendor passes on the
 * command line (`--mean`, `--var`, `--img_width`, `--img_height`) merged in — the command line wins,
 * and a conflict with the file is reported as a warning.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { UserError, fsError } from '../../src/errors.js';
import { JsonSyntaxError, parseJsonWithPositions } from './json-source.js';
import { ConfigDiagnostics } from './config-diagnostics.js';
import { PtqConfigValidator, parseNumberList } from './validate-ptq-config.js';
import { DEFAULT_BITS, channelsOf, type PtqConfig, type PtqConfigOverrides, type ValueSource } from './ptq-config-types.js';

/** Parses and validates config text. `file` is used in messages and to resolve relative paths. */
export function parsePtqConfig(text: string, file: string, overrides: PtqConfigOverrides = {}): PtqConfig {
  const abs = path.resolve(file);
  const d = new ConfigDiagnostics(file);
  let root;
  try {
    root = parseJsonWithPositions(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      throw d.at(e.pos, `invalid JSON: ${e.detail}`, 'the vendor tool reports this only as "Invalid json"; fix the file at that line and column');
    }
    throw e;
  }
  const v = new PtqConfigValidator(file, path.dirname(abs)).validate(root);
  const warnings: string[] = [];
  const channels = channelsOf(v.format);

  const merge = (key: 'mean' | 'var', fallback: number): { values: number[]; source: ValueSource } => {
    const fromFile = v[key];
    const cli = overrides[key];
    let cliValues: number[] | null = null;
    if (cli !== undefined) {
      cliValues = parseNumberList(cli);
      if (cliValues === null) {
        throw new UserError('USAGE', `--${key} ${JSON.stringify(cli)}: expected numbers like 0,0,0`, `give one number per channel (${channels} for ${v.format})`);
      }
      if (key === 'var' && cliValues.some((x) => x === 0)) throw new UserError('USAGE', `--var ${JSON.stringify(cli)}: contains 0; var divides the input`, 'use 1 to leave a channel unscaled');
    }
    const pick = cliValues ?? fromFile?.values ?? null;
    const source: ValueSource = cliValues ? 'cli' : fromFile ? 'config' : 'default';
    if (cliValues && fromFile && !sameList(broadcast(cliValues, channels), broadcast(fromFile.values, channels))) {
      warnings.push(`--${key} ${cliValues.join(',')} overrides "${key}": ${fromFile.values.join(',')} in ${file}`);
    }
    if (pick === null) return { values: new Array<number>(channels).fill(fallback), source };
    if (pick.length !== 1 && pick.length !== channels) {
      const msg = `${key} has ${pick.length} values (${pick.join(',')}); format ${v.format} has ${channels} channel${channels > 1 ? 's' : ''}`;
      if (source === 'cli') throw new UserError('USAGE', `--${msg}`, `give 1 or ${channels} values`);
      throw d.value(key, fromFile!.node, `has ${pick.length} values; format ${v.format} has ${channels} channel${channels > 1 ? 's' : ''}`, `give 1 or ${channels} values`);
    }
    return { values: broadcast(pick, channels), source };
  };
  const mean = merge('mean', 0);
  const vr = merge('var', 1);

  let width = v.width;
  let height = v.height;
  for (const k of ['width', 'height'] as const) {
    const o = overrides[k];
    if (o === undefined) continue;
    if (!Number.isInteger(o) || o <= 0) throw new UserError('USAGE', `--img_${k} ${o}: expected a positive integer`);
    if (o !== v[k]) warnings.push(`--img_${k} ${o} overrides "${k}": ${v[k]} in ${file}`);
    if (k === 'width') width = o;
    else height = o;
  }

  if (v.debug.open === true && v.debug.debugInputPath === undefined) {
    warnings.push(`${file}: "debug.open" is true but "debug.debug_input_path" is not set (the image to debug with)`);
  }
  for (const k of ['weightCorr', 'featureCorr'] as const) {
    if (v.biasCorr[k] === true && v.biasCorr.corrDir === undefined) {
      warnings.push(`${file}: "bias_corr.${k === 'weightCorr' ? 'weight_corr' : 'feature_corr'}" is true but "bias_corr.corr_dir" is not set (the images to correct the bias with)`);
    }
  }
  return {
    file: abs,
    format: v.format,
    width,
    height,
    path: v.path,
    usedImageNum: v.usedImageNum,
    featureQuantizeMethod: v.featureQuantizeMethod ?? 'KL',
    weightQuantizeMethod: v.weightQuantizeMethod ?? 'MAX_ABS',
    featureQuantizeBits: v.featureQuantizeBits ?? DEFAULT_BITS,
    weightQuantizeBits: v.weightQuantizeBits ?? DEFAULT_BITS,
    debug: {
      open: v.debug.open ?? false,
      debugInputPath: v.debug.debugInputPath ?? null,
      debugOutputDir: v.debug.debugOutputDir ?? null,
    },
    biasCorr: {
      weightCorr: v.biasCorr.weightCorr ?? false,
      featureCorr: v.biasCorr.featureCorr ?? false,
      valiDir: v.biasCorr.valiDir ?? null,
      corrDir: v.biasCorr.corrDir ?? null,
    },
    weightFakeQuant: v.weightFakeQuant ?? true,
    featureFakeQuant: v.featureFakeQuant ?? true,
    skipNodeQuant: v.skipNodeQuant ?? [],
    skipOpQuant: v.skipOpQuant ?? [],
    mean: mean.values,
    var: vr.values,
    meanSource: mean.source,
    varSource: vr.source,
    nodeQuantizeBits: v.nodeQuantizeBits,
    warnings,
  };
}

/**
 * Reads and validates `file`. Throws {@link UserError} (CONFIG_FORMAT for the file's content,
 * FILE_NOT_FOUND / FILE_UNREADABLE for access, USAGE for bad overrides) with a one-line message
 * naming the file, line:column, key and value, and a hint.
 */
export async function loadPtqConfig(file: string, overrides: PtqConfigOverrides = {}): Promise<PtqConfig> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read the PTQ config');
  }
  return parsePtqConfig(text, file, overrides);
}

function broadcast(values: number[], channels: number): number[] {
  return values.length === 1 ? new Array<number>(channels).fill(values[0]!) : values.slice();
}

function sameList(a: number[], b: number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
