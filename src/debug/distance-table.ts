/**
 * Prints the distance table the way the transform tool does (FORMATS.md §3): a banner
 * `<<<... ptq model compute distance ...>>>`, the header
 * `feature name  cosine_avg  cosine_min  cosine_max  euc_distan  stand_devi  max_absolu  max_abs_0~1`
 * and one row per node, keyed by the UNsanitized node name, numbers with 5 decimals (the vendor's
 * sample row: `functional_1/conv2d/Relu 0.99996 0.99975 0.99998 0.00445 0.00121 0.02141 0.16431`).
 * Non-finite values print as C's printf does (`nan`, `inf`, `-inf`).
 *
 * Our addition — the worst image of each layer — comes after the table, separated by a blank line
 * (the vendor-table reader in src/diagnose/vendor-table.ts ends the table there), so the text reads
 * back with `parseVendorTable` to the printed numbers.
 */
import { VENDOR_COLUMNS } from '../diagnose/vendor-table.js';
import { toJsonNumber, type JsonNumber } from '../metrics/json.js';
import type { DistanceRow, ImageLayerStats } from './distance.js';

export const DISTANCE_BANNER = '<<<================ ptq model compute distance ================>>>';
/** Decimals printed per number (as the vendor's log). */
export const DISTANCE_DECIMALS = 5;

/** The images of a debug run: a short label (file name) and the absolute path. */
export interface DebugImage {
  label: string;
  file: string;
}

export interface DistanceTable {
  images: DebugImage[];
  rows: DistanceRow[];
}

/** One number as the vendor prints it. */
export function fmtVendor(v: number): string {
  if (v !== v) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  const s = v.toFixed(DISTANCE_DECIMALS);
  return s === `-${(0).toFixed(DISTANCE_DECIMALS)}` ? s.slice(1) : s;
}

const rowValues = (r: DistanceRow): number[] => [r.cosineAvg, r.cosineMin, r.cosineMax, r.eucDistance, r.stdDev, r.maxAbs, r.maxAbs01];

/** The table as text (ends with a newline). */
export function formatDistanceTable(t: DistanceTable): string {
  const nameW = Math.max('feature name'.length, ...t.rows.map((r) => r.name.length));
  const cells = t.rows.map((r) => rowValues(r).map(fmtVendor));
  const colW = VENDOR_COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (name: string, vals: readonly string[]) => `${name.padEnd(nameW)}  ${vals.map((v, i) => v.padStart(colW[i]!)).join('  ')}`.trimEnd();
  const out = [DISTANCE_BANNER, line('feature name', VENDOR_COLUMNS), ...t.rows.map((r, i) => line(r.name, cells[i]!))];
  if (t.images.length > 1) {
    out.push('', `worst image per layer (lowest cosine over ${t.images.length} images):`);
    for (const r of t.rows) out.push(`  ${r.name.padEnd(nameW)}  ${r.worstImage}`);
  }
  return `${out.join('\n')}\n`;
}

type StatsJson = { [K in keyof ImageLayerStats]: JsonNumber };

const statsJson = (s: ImageLayerStats): StatsJson => ({
  cosine: toJsonNumber(s.cosine),
  euclidean: toJsonNumber(s.euclidean),
  stdDev: toJsonNumber(s.stdDev),
  maxAbs: toJsonNumber(s.maxAbs),
  maxAbs01: toJsonNumber(s.maxAbs01),
});

/** JSON form (`--json`): full-precision numbers (non-finite as strings), per-image values included. */
export function distanceTableJson(t: DistanceTable): Record<string, unknown> {
  return {
    columns: ['feature name', ...VENDOR_COLUMNS],
    images: t.images,
    rows: t.rows.map((r) => ({
      name: r.name,
      tensor: r.tensor,
      ...(r.opType ? { opType: r.opType } : {}),
      order: r.order,
      images: r.images,
      cosine_avg: toJsonNumber(r.cosineAvg),
      cosine_min: toJsonNumber(r.cosineMin),
      cosine_max: toJsonNumber(r.cosineMax),
      euc_distan: toJsonNumber(r.eucDistance),
      stand_devi: toJsonNumber(r.stdDev),
      max_absolu: toJsonNumber(r.maxAbs),
      'max_abs_0~1': toJsonNumber(r.maxAbs01),
      worst_image: r.worstImage,
      per_image: r.perImage.map((s, i) => (s ? { image: t.images[i]!.label, ...statsJson(s) } : { image: t.images[i]!.label, missing: true })),
    })),
  };
}
