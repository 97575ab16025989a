/**
 * The transform tool's distance table, read from a saved log (FORMATS.md §3): after a banner
 * `<<<... ptq model compute distance ...>>>`, a header
 * `feature name cosine_avg cosine_min cosine_max euc_distan stand_devi max_absolu max_abs_0~1`
 * and one row per node, keyed by the UNsanitized node name:
 * `functional_1/conv2d/Relu 0.99996 0.99975 0.99998 0.00445 0.00121 0.02141 0.16431`.
 *
 * Tolerated: ANSI colour codes, extra spaces / tabs, CRLF, rows wrapped over several lines (a long
 * name alone on a line, or the numbers split over lines; a name never spans lines), scientific notation, `nan` / `inf` / `-inf`, the
 * header repeated inside the table. The table ends at a blank line after rows, another `<<<` /
 * `>>>` banner, or the end of the file. With several tables (several runs in one log) the last is
 * used and a warning says so. A log without the table is a UserError naming the file.
 */
import { readFileSync } from 'node:fs';
import { UserError, fsError } from '../errors.js';
import { stripAnsi } from '../names.js';

/** One row of the vendor's table (numbers as printed; cosines are plain, not percent). */
export interface VendorRow {
  /** Node name as the tool prints it (not sanitized). */
  name: string;
  cosineAvg: number;
  cosineMin: number;
  cosineMax: number;
  eucDistance: number;
  stdDev: number;
  maxAbs: number;
  /** The tool's `max_abs_0~1` column (its own normalisation). */
  maxAbs01: number;
  /** 1-based line of the log where the row starts. */
  line: number;
}

export interface VendorTable {
  file: string;
  /** 1-based line of the banner of the table used. */
  bannerLine: number;
  rows: VendorRow[];
  warnings: string[];
}

export const VENDOR_COLUMNS = ['cosine_avg', 'cosine_min', 'cosine_max', 'euc_distan', 'stand_devi', 'max_absolu', 'max_abs_0~1'] as const;

const BANNER_RE = /<<<.*ptq\s+model\s+compute\s+distance.*>>>/i;
const NUM_RE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|nan|inf|infinity)$/i;

function toNumber(t: string): number {
  const s = t.toLowerCase().replace(/^\+/, '');
  if (s === 'nan' || s === '-nan') return NaN;
  if (s === 'inf' || s === 'infinity') return Infinity;
  if (s === '-inf' || s === '-infinity') return -Infinity;
  return Number(s);
}

const isHeader = (line: string) => /\bcosine_avg\b/i.test(line) || /^feature\s+name\b/i.test(line);

/** Parses the last distance table of a log's text. `file` names the log in errors. */
export function parseVendorTable(text: string, file: string): VendorTable {
  const lines = stripAnsi(text).split(/\r?\n/);
  const banners = lines.map((l, i) => (BANNER_RE.test(l) ? i : -1)).filter((i) => i >= 0);
  if (banners.length === 0) {
    throw new UserError('LOG_FORMAT', `${file}: no distance table (no "<<<... ptq model compute distance ...>>>" banner)`, 'save the whole transform-tool output with the json "debug" option on, e.g. `... 2>&1 | tee transform.log`');
  }
  const warnings: string[] = [];
  if (banners.length > 1) warnings.push(`${file}: ${banners.length} distance tables; using the last one (line ${banners[banners.length - 1]! + 1})`);
  const start = banners[banners.length - 1]!;
  const rows: VendorRow[] = [];
  let name: string[] = [];
  let nums: number[] = [];
  let rowLine = 0;
  const flushBroken = (why: string) => {
    if (name.length || nums.length) warnings.push(`${file}:${rowLine}: incomplete row "${[...name, ...nums].join(' ')}" (${why}); skipped`);
    name = [];
    nums = [];
  };
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (/<<<|>>>/.test(line)) break;
    if (line === '') {
      if (rows.length || name.length) break;
      continue;
    }
    if (isHeader(line)) {
      flushBroken('header in the middle of a row');
      continue;
    }
    const toks = line.split(/\s+/);
    // a line starting with a word while a name waits for its numbers: that name was a broken row
    if (name.length && nums.length === 0 && !NUM_RE.test(toks[0]!)) flushBroken('a name without numbers');
    for (const tok of toks) {
      if (name.length === 0) {
        name.push(tok); // the first token of a row is always the name, even when it looks numeric (ONNX ids)
        rowLine = i + 1;
        continue;
      }
      if (NUM_RE.test(tok)) {
        nums.push(toNumber(tok));
        if (nums.length === VENDOR_COLUMNS.length) {
          const [cosineAvg, cosineMin, cosineMax, eucDistance, stdDev, maxAbs, maxAbs01] = nums as [number, number, number, number, number, number, number];
          rows.push({ name: name.join(' '), cosineAvg, cosineMin, cosineMax, eucDistance, stdDev, maxAbs, maxAbs01, line: rowLine });
          name = [];
          nums = [];
        }
      } else if (nums.length === 0 && rowLine === i + 1 && name.length < 4) {
        name.push(tok); // a name with spaces (on the row's first line only)
      } else {
        flushBroken(`unexpected "${tok}"`);
        break; // the rest of this line belongs to the broken row
      }
    }
  }
  flushBroken('log ends before its 7 numbers');
  if (rows.length === 0) {
    throw new UserError('LOG_FORMAT', `${file}:${start + 1}: the distance table has no rows`, `each row is "<node name> ${VENDOR_COLUMNS.join(' ')}"`);
  }
  const seen = new Map<string, number>();
  const unique: VendorRow[] = [];
  for (const r of rows) {
    const prev = seen.get(r.name);
    if (prev !== undefined) {
      warnings.push(`${file}:${r.line}: "${r.name}" repeats the row of line ${prev}; the first is used`);
      continue;
    }
    seen.set(r.name, r.line);
    unique.push(r);
  }
  return { file, bannerLine: start + 1, rows: unique, warnings };
}

/** Reads a saved log and parses its distance table. */
export function readVendorTable(file: string): VendorTable {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw fsError(e, file, 'read the transform-tool log');
  }
  return parseVendorTable(text, file);
}
