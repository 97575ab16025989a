/**
 * Name rules shared by every reader and writer (FORMATS.md §1, §4).
 */

/** The vendor's rule: keep `[A-Za-z0-9._-]`, every other byte (UTF-8) becomes `_`. */
export function sanitizeName(name: string): string {
  const bytes = Buffer.from(name, 'utf8');
  let out = '';
  for (const b of bytes) {
    const ok =
      (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2e || b === 0x5f || b === 0x2d;
    out += ok ? String.fromCharCode(b) : '_';
  }
  return out;
}

/** Input-dump names carry their NHWC shape: `input_data_shape_1_384_640_3.bin`, `magik_input_nhwc_1_384_640_3.bin`. */
export const INPUT_NAME_RE = /^(?:input_data_shape|magik_input_nhwc)_(\d+)_(\d+)_(\d+)_(\d+)(?:\.bin)?$/;

/** NHWC shape from an input dump's file name, or null when the name carries none. */
export function shapeFromInputName(fileName: string): [number, number, number, number] | null {
  const base = fileName.replace(/^.*[\\/]/, '');
  const m = INPUT_NAME_RE.exec(base);
  if (!m) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])];
}

/**
 * The vendor PC program's file stem for an input dump of NHWC `shape`
 * (`input_data_shape_1_384_640_3`, FORMATS.md §1); {@link shapeFromInputName} reads it back.
 */
export function vendorInputStem(shape: readonly number[]): string {
  if (shape.length !== 4 || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new Error(`vendorInputStem: shape [${shape.join(',')}] is not a 4-D NHWC shape of non-negative integers`);
  }
  return `input_data_shape_${shape.join('_')}`;
}

/** Strips ANSI colour codes (`\x1b[...m`). */
export function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;]*m/g, '');
}
