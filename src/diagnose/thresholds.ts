/**
 * Thresholds of the triage rules as data (TRIAGE.md: "Thresholds are defaults, all overridable").
 * Two built-in profiles and a JSON profile file with partial overrides:
 *
 *     { "extends": "detection", "cosineOk": 0.985, "lastBad": 0.9 }
 *
 * Every value used for a verdict is printed next to it (finding evidence, report.diagnosis.profile).
 */
import { readFileSync } from 'node:fs';
import { UserError, fsError } from '../errors.js';

/** Every threshold the rules read. Cosines are plain cosine similarities (not percent). */
export interface ThresholdProfile {
  name: string;
  /** A layer is healthy at cosine >= this (guide §8: 99.0%); also the first-layer check of A. */
  cosineOk: number;
  /** Middle layers may dip to this while first and last stay >= cosineOk (guide §8 "healthy" B: 98.0%). */
  cosineMiddle: number;
  /** Phenomenon B: the last layer's cosine is below this (guide §8.1 B: 95.0%). */
  lastBad: number;
  /** Output layers (graph outputs, or the last layer without a model) are healthy at cosine >= this. */
  headCosineOk: number;
  /**
   * Phenomenon A: first layer's maxAbs / RMS of its reference values at or above this ("max absolu
   * is very large"). Calibration (KL, percentile) clips outliers on purpose, so single-element
   * errors of a few RMS are normal on a healthy first layer; 8x the RMS means the values differ.
   */
  firstMaxAbsRel: number;
  /** Phenomenon A, absolute form in float units (vendor tables carry no reference RMS); null = off. */
  firstMaxAbs: number | null;
  /** A culprit's cosine is at least this much below its worst graph input's cosine. */
  cliffDrop: number;
  /** A culprit's error gain (METRICS.md, e = 1 - cosine) is at least this. */
  gainCulprit: number;
  /** Phenomenon C: "the last few layers" = this fraction of the edge's layers at the end of graph order. */
  tailFraction: number;
  /** Integer edges: the smallest set of channels / rows holding at least this share of mismatches... */
  clusterShare: number;
  /** ...counts as a cluster when it is at most this fraction of all channels / rows. */
  clusterMaxFraction: number;
  /** Culprits listed per edge at most. */
  maxCulprits: number;
}

/**
 * Image classification: the guide's numbers as written (§8: 99% everywhere, 98% tolerated in the
 * middle, B when the last layer < 95%).
 */
export const CLASSIFICATION: ThresholdProfile = {
  name: 'classification',
  cosineOk: 0.99,
  cosineMiddle: 0.98,
  lastBad: 0.95,
  headCosineOk: 0.99,
  firstMaxAbsRel: 8,
  firstMaxAbs: null,
  cliffDrop: 0.005,
  gainCulprit: 2,
  tailFraction: 0.2,
  clusterShare: 0.8,
  clusterMaxFraction: 0.25,
  maxCulprits: 5,
};

/**
 * Detection: the same backbone numbers, but the raw head outputs (box regression, objectness and
 * class logits; a model has several, one per stride) are healthy from 0.98. Reasons: (1) these
 * tensors mix quantities of very different range in one per-tensor scale (box offsets in pixels
 * next to logits), so the low-range channels lose relative precision and cosine drops although
 * (2) decisions are taken after sigmoid + score threshold + NMS, which ignore most of that error
 * (saturated logits, sub-pixel box offsets); (3) a detector has several output heads, so "the
 * last layer" is the worst of them and one small head would otherwise flag the whole model.
 * B stays at the guide's 95% (a head below it loses detections), and the larger tail fraction
 * reflects that the heads are a bigger share of a detector's layers.
 */
export const DETECTION: ThresholdProfile = {
  ...CLASSIFICATION,
  name: 'detection',
  headCosineOk: 0.98,
  tailFraction: 0.25,
};

export const BUILTIN_PROFILES: Readonly<Record<string, ThresholdProfile>> = { classification: CLASSIFICATION, detection: DETECTION };

/** Allowed range of each numeric key: [min, max, integer?]; `null` allowed where noted. */
const RANGES: Record<Exclude<keyof ThresholdProfile, 'name'>, { min: number; max: number; int?: boolean; nullable?: boolean; minOpen?: boolean }> = {
  cosineOk: { min: -1, max: 1, minOpen: true },
  cosineMiddle: { min: -1, max: 1, minOpen: true },
  lastBad: { min: -1, max: 1, minOpen: true },
  headCosineOk: { min: -1, max: 1, minOpen: true },
  firstMaxAbsRel: { min: 0, max: 1e12, minOpen: true },
  firstMaxAbs: { min: 0, max: 1e30, minOpen: true, nullable: true },
  cliffDrop: { min: 0, max: 2 },
  gainCulprit: { min: 1, max: 1e12 },
  tailFraction: { min: 0, max: 1, minOpen: true },
  clusterShare: { min: 0, max: 1, minOpen: true },
  clusterMaxFraction: { min: 0, max: 1, minOpen: true },
  maxCulprits: { min: 1, max: 1000, int: true },
};

const KEYS = Object.keys(RANGES) as (keyof typeof RANGES)[];

function rangeText(r: (typeof RANGES)[keyof typeof RANGES]): string {
  return `${r.int ? 'an integer' : 'a number'} in ${r.minOpen ? '(' : '['}${r.min}, ${r.max}]${r.nullable ? ' or null' : ''}`;
}

/** A built-in profile by name; UserError naming the allowed names otherwise. */
export function builtinProfile(name: string, where = '--profile'): ThresholdProfile {
  const p = BUILTIN_PROFILES[name];
  if (!p) throw new UserError('USAGE', `${where} "${name}": unknown profile`, `allowed: ${Object.keys(BUILTIN_PROFILES).join(', ')}`);
  return { ...p };
}

/**
 * Applies partial overrides (a parsed profile file) onto `base`, validating every key and value.
 * `source` names the file in errors. An `extends` key picks the base profile by name first.
 */
export function applyOverrides(base: ThresholdProfile, overrides: unknown, source: string): ThresholdProfile {
  if (typeof overrides !== 'object' || overrides === null || Array.isArray(overrides)) {
    throw new UserError('CONFIG_FORMAT', `${source}: a thresholds profile must be a JSON object`, `e.g. {"extends": "detection", "cosineOk": 0.985}`);
  }
  const o = overrides as Record<string, unknown>;
  let out: ThresholdProfile = { ...base };
  if ('extends' in o) {
    if (typeof o.extends !== 'string') throw new UserError('CONFIG_FORMAT', `${source}: "extends" is ${JSON.stringify(o.extends)}`, `allowed: ${Object.keys(BUILTIN_PROFILES).join(', ')}`);
    out = builtinProfile(o.extends, `${source}: "extends"`);
  }
  for (const [k, v] of Object.entries(o)) {
    if (k === 'extends') continue;
    if (k === 'name') {
      if (typeof v !== 'string' || !v) throw new UserError('CONFIG_FORMAT', `${source}: "name" is ${JSON.stringify(v)}`, 'allowed: a non-empty string');
      out.name = v;
      continue;
    }
    if (!(k in RANGES)) throw new UserError('CONFIG_FORMAT', `${source}: unknown key "${k}"`, `allowed keys: extends, name, ${KEYS.join(', ')}`);
    const key = k as keyof typeof RANGES;
    const r = RANGES[key];
    const ok =
      (v === null && r.nullable) ||
      (typeof v === 'number' && Number.isFinite(v) && (r.minOpen ? v > r.min : v >= r.min) && v <= r.max && (!r.int || Number.isInteger(v)));
    if (!ok) throw new UserError('CONFIG_FORMAT', `${source}: "${k}" is ${JSON.stringify(v)}`, `allowed: ${rangeText(r)}`);
    (out as unknown as Record<string, unknown>)[key] = v;
  }
  if (!('name' in o)) out.name = `${out.name}+${source.replace(/^.*[\\/]/, '')}`;
  checkConsistent(out, source);
  return out;
}

/** Cross-key sanity: the middle tolerance cannot be stricter than the healthy threshold, etc. */
function checkConsistent(p: ThresholdProfile, source: string): void {
  if (p.cosineMiddle > p.cosineOk) throw new UserError('CONFIG_FORMAT', `${source}: "cosineMiddle" ${p.cosineMiddle} is above "cosineOk" ${p.cosineOk}`, 'allowed: cosineMiddle <= cosineOk');
  if (p.lastBad > p.headCosineOk) throw new UserError('CONFIG_FORMAT', `${source}: "lastBad" ${p.lastBad} is above "headCosineOk" ${p.headCosineOk}`, 'allowed: lastBad <= headCosineOk');
}

/** Reads a `--thresholds` JSON file onto `base` (default: the classification profile). */
export function loadThresholdsFile(file: string, base: ThresholdProfile = CLASSIFICATION): ThresholdProfile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read the thresholds file');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError('CONFIG_FORMAT', `${file}: not valid JSON (${(e as Error).message})`, 'a thresholds file is a JSON object of overrides, e.g. {"cosineOk": 0.985}');
  }
  return applyOverrides(base, json, file);
}

/** The profile a command asks for: `--profile` (default classification), then `--thresholds` overrides. */
export function resolveProfile(o: { profile?: string; thresholdsFile?: string; cosineOk?: number }): ThresholdProfile {
  let p = builtinProfile(o.profile ?? 'classification');
  if (o.thresholdsFile) p = loadThresholdsFile(o.thresholdsFile, p);
  if (o.cosineOk !== undefined) p = applyOverrides(p, { name: p.name, cosineOk: o.cosineOk, cosineMiddle: Math.min(p.cosineMiddle, o.cosineOk), headCosineOk: Math.min(p.headCosineOk, o.cosineOk), lastBad: Math.min(p.lastBad, o.cosineOk) }, '--cosine-threshold');
  return p;
}
