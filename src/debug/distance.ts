/**
 * The transform tool's per-layer distance table (FORMATS.md §3, guide §8), computed from our own
 * float and reference dumps, one image at a time, then aggregated over the images.
 *
 * Per image and layer (r = float_model, t = ptq_model dequantized; finite pairs only, like every
 * metric in src/metrics):
 * - cosine, euclidean (absolute L2 sqrt(Σ(r−t)²)) and max |r−t|: src/metrics/pairwise.ts;
 * - stdDev: population standard deviation of d = r − t, sqrt(Σ(d − mean d)² / n) (0 for n = 0);
 * - maxAbs01: max |r−t| after mapping BOTH sides to [0, 1] by the reference's range,
 *   x' = (x − min r) / (max r − min r), i.e. maxAbs / (max r − min r); 0 when the range is 0 and
 *   the sides agree, +Infinity when the range is 0 and they do not.
 *
 * Aggregated over images (the vendor's column names):
 * - cosine_avg / cosine_min / cosine_max: mean / min / max of the per-image cosines
 *   (mean, min and the worst image via src/metrics aggregateImages);
 * - euc_distan: mean of the per-image euclidean; stand_devi: mean of the per-image stdDev;
 * - max_absolu: max of the per-image maxAbs; max_abs_0~1: max of the per-image maxAbs01.
 *
 * The vendor's exact definitions of euc_distan, stand_devi and max_abs_0~1 are not published. Its
 * sample row (`... 0.00445 0.00121 0.02141 0.16431`) has euc_distan < max_absolu, which an absolute
 * L2 distance never has, so its euc_distan is normalised somehow (per element?): compare our
 * euc_distan with the vendor's by trend along the layers, not by magnitude.
 */
import { promises as fsp } from 'node:fs';
import { cosine, euclidean, maxAbs, aggregateImages } from '../metrics/index.js';
import { DTYPES, decodeInto, isDType } from '../tensor/dtype.js';
import { fsError } from '../errors.js';
import type { ReportLayer } from '../report/schema.js';

/** One layer on one image. All values in float units of the layer except cosine and maxAbs01. */
export interface ImageLayerStats {
  cosine: number;
  euclidean: number;
  stdDev: number;
  maxAbs: number;
  maxAbs01: number;
}

/** Computes {@link ImageLayerStats} of reference `r` against target `t` (same length, same order). */
export function layerStats(r: ArrayLike<number>, t: ArrayLike<number>): ImageLayerStats {
  let n = 0;
  let sum = 0;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    const y = t[i]!;
    if (x - x === 0 && y - y === 0) {
      n++;
      sum += x - y;
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  const mean = n > 0 ? sum / n : 0;
  let ss = 0;
  for (let i = 0; i < r.length; i++) {
    const x = r[i]!;
    const y = t[i]!;
    if (x - x === 0 && y - y === 0) {
      const d = x - y - mean;
      ss += d * d;
    }
  }
  const ma = maxAbs(r, t).value;
  const range = n > 0 ? hi - lo : 0;
  return {
    cosine: cosine(r, t).value,
    euclidean: euclidean(r, t),
    stdDev: n > 0 ? Math.sqrt(ss / n) : 0,
    maxAbs: ma,
    maxAbs01: range > 0 ? ma / range : ma === 0 ? 0 : Infinity,
  };
}

/** One row of the aggregated table. */
export interface DistanceRow {
  /** The vendor's "feature name": the UNsanitized name of the node producing the tensor. */
  name: string;
  /** The tensor's own name (as in the dump's manifest / the model). */
  tensor: string;
  opType?: string;
  /** Position in graph order. */
  order: number;
  /** Images that had this layer compared. */
  images: number;
  cosineAvg: number;
  cosineMin: number;
  cosineMax: number;
  /** Mean euclidean over images. */
  eucDistance: number;
  /** Mean stdDev over images. */
  stdDev: number;
  /** Max of maxAbs over images. */
  maxAbs: number;
  /** Max of maxAbs01 over images. */
  maxAbs01: number;
  /** Label of the image with the lowest cosine (first on ties). */
  worstImage: string;
  /** Per image, in image order (null where the layer could not be compared on that image). */
  perImage: (ImageLayerStats | null)[];
}

/** Aggregates one layer's per-image stats (at least one non-null). `labels` names the images. */
export function aggregateLayer(perImage: (ImageLayerStats | null)[], labels: readonly string[]): Omit<DistanceRow, 'name' | 'tensor' | 'opType' | 'order'> {
  const idx: number[] = [];
  perImage.forEach((s, i) => {
    if (s) idx.push(i);
  });
  const present = idx.map((i) => perImage[i]!);
  const agg = aggregateImages(present);
  let cMax = -Infinity;
  let euc = 0;
  let sd = 0;
  let m01 = -Infinity;
  for (const s of present) {
    cMax = Math.max(cMax, s.cosine); // NaN propagates: never hidden
    euc += s.euclidean;
    sd += s.stdDev;
    m01 = Math.max(m01, s.maxAbs01);
  }
  return {
    images: present.length,
    cosineAvg: agg.cosineMean,
    cosineMin: agg.cosineMin,
    cosineMax: cMax,
    eucDistance: euc / present.length,
    stdDev: sd / present.length,
    maxAbs: agg.maxAbsMax,
    maxAbs01: m01,
    worstImage: labels[idx[agg.cosineMinImage]!] ?? String(idx[agg.cosineMinImage]),
    perImage,
  };
}

/** Decodes one side of a compared layer to float64, dequantizing an integer side with its scale. */
async function readSide(side: ReportLayer['a']): Promise<Float64Array> {
  let bytes: Uint8Array;
  try {
    bytes = await fsp.readFile(side.file);
  } catch (e) {
    throw fsError(e, side.file, 'read a dump file');
  }
  const dtype = side.dtype && isDType(side.dtype) ? side.dtype : 'float32';
  const count = Math.floor(bytes.byteLength / DTYPES[dtype].bytes);
  const out = new Float64Array(count);
  decodeInto(dtype, bytes, out, count);
  if (dtype !== 'float32' && dtype !== 'float64' && side.scale !== undefined) {
    const zp = side.zeroPoint ?? 0;
    for (let i = 0; i < count; i++) out[i] = (out[i]! - zp) * side.scale;
  }
  return out;
}

/**
 * Stats of every comparable layer of one image's float~ptq edge, keyed by layer name (the report
 * layer's display name). Layers the compare could not measure are left out.
 */
export async function imageStats(layers: readonly ReportLayer[]): Promise<Map<string, ImageLayerStats>> {
  const out = new Map<string, ImageLayerStats>();
  for (const l of layers) {
    if (l.status === 'cannot-compare' || l.cosine === undefined) continue;
    const r = await readSide(l.a);
    const t = await readSide(l.b);
    if (r.length !== t.length) continue;
    out.set(l.name, layerStats(r, t));
  }
  return out;
}
