/**
 * JSON form of metric numbers. JSON has no Infinity or NaN (JSON.stringify writes them as null,
 * losing the meaning), so report.json stores a non-finite metric as one of the strings
 * "Infinity", "-Infinity", "NaN"; finite numbers stay numbers. `layerMetricsToJson` /
 * `layerMetricsFromJson` apply this to every float field of a LayerMetrics block and round-trip it
 * exactly (JSON numbers from JSON.stringify round-trip float64 bit-exactly; -0 becomes 0).
 */
import type { FitInfo, LayerMetrics } from './types.js';

/** A number as stored in report.json. */
export type JsonNumber = number | 'Infinity' | '-Infinity' | 'NaN';

/** Infinity -> "Infinity", -Infinity -> "-Infinity", NaN -> "NaN", finite numbers unchanged. */
export function toJsonNumber(x: number): JsonNumber {
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x !== x) return 'NaN';
  return x;
}

/** Inverse of {@link toJsonNumber}; throws RangeError on anything else (a corrupt report). */
export function fromJsonNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  throw new RangeError(`not a JSON metric number: ${JSON.stringify(v)}`);
}

/** Float fields of LayerMetrics that may be non-finite (all others are counts, indices or flags). */
const FLOAT_KEYS = [
  'cosine',
  'euclidean',
  'relEuclidean',
  'sqnrDb',
  'eucSimilarity',
  'maxAbs',
  'meanAbs',
  'rmse',
  'rmseInSteps',
] as const;
type FloatKey = (typeof FLOAT_KEYS)[number];

/** LayerMetrics as stored in report.json: float fields as {@link JsonNumber}. */
export type LayerMetricsJson = Omit<LayerMetrics, FloatKey | 'fit'> & {
  [K in FloatKey]: undefined extends LayerMetrics[K] ? JsonNumber | undefined : JsonNumber;
} & { fit?: Omit<FitInfo, 'scale' | 'zeroPoint' | 'r2'> & { scale: JsonNumber; zeroPoint: JsonNumber; r2: JsonNumber } };

/** LayerMetrics -> its report.json form (a fresh, JSON.stringify-safe object). */
export function layerMetricsToJson(m: LayerMetrics): LayerMetricsJson {
  const out = structuredClone(m) as unknown as Record<string, unknown>;
  for (const k of FLOAT_KEYS) if (m[k] !== undefined) out[k] = toJsonNumber(m[k]!);
  if (m.fit) out['fit'] = { ...m.fit, scale: toJsonNumber(m.fit.scale), zeroPoint: toJsonNumber(m.fit.zeroPoint), r2: toJsonNumber(m.fit.r2) };
  return out as unknown as LayerMetricsJson;
}

/** report.json form -> LayerMetrics (inverse of {@link layerMetricsToJson}). */
export function layerMetricsFromJson(j: LayerMetricsJson): LayerMetrics {
  const out = structuredClone(j) as unknown as Record<string, unknown>;
  for (const k of FLOAT_KEYS) if (j[k] !== undefined) out[k] = fromJsonNumber(j[k]);
  if (j.fit) out['fit'] = { ...j.fit, scale: fromJsonNumber(j.fit.scale), zeroPoint: fromJsonNumber(j.fit.zeroPoint), r2: fromJsonNumber(j.fit.r2) };
  return out as unknown as LayerMetrics;
}
