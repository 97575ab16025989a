/**
 * The board's input as a C header (FORMATS.md §2; the vendor's `generate_img_input.py ... bin`):
 * `unsigned char image[<h*w*4>] = {v ,v ,... ,};` — decimal values of the 4-channel NHWC input,
 * channels 0-2 the image, channel 3 zero, each value followed by ` ,`.
 * Rendering, a tolerant parser, and the check of a header against a uint8 input.
 */
import { UserError } from '../errors.js';

/** NHWC. */
export type Shape4 = [number, number, number, number];

/**
 * Renders the board header from a uint8 NHWC input with 3 or 4 channels (channel 3, when
 * present, is written as 0 as the vendor's script does).
 * @returns the header text, ending in a newline.
 */
export function renderBoardHeader(data: Uint8Array, shape: Shape4): string {
  const [n, h, w, c] = shape;
  if (c !== 3 && c !== 4) throw new UserError('SHAPE_MISMATCH', `input has ${c} channels; the board header needs a 3- or 4-channel image`);
  const px = n * h * w;
  if (data.length !== px * c) throw new UserError('SHAPE_MISMATCH', `input holds ${data.length} bytes, shape [${shape.join(',')}] needs ${px * c}`);
  const parts: string[] = new Array(px * 4);
  let k = 0;
  for (let i = 0; i < px; i++) {
    const b = i * c;
    parts[k++] = `${data[b]} ,`;
    parts[k++] = `${data[b + 1]} ,`;
    parts[k++] = `${data[b + 2]} ,`;
    parts[k++] = '0 ,';
  }
  return `unsigned char image[${px * 4}] = {${parts.join('')}};\n`;
}

export interface ParsedHeader {
  /** The array's name (`image` in the vendor's file). */
  name: string;
  /** The length between the brackets, when it is a number or a product of numbers. */
  declaredLength: number | null;
  /** The initializer's values, in order. */
  values: Uint8Array;
}

function stripComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
}

function parseIntLiteral(tok: string): number | null {
  const t = tok.replace(/[uUlL]+$/, '');
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0[0-7]+$/.test(t)) return parseInt(t.slice(1), 8);
  if (/^(0|[1-9][0-9]*)$/.test(t)) return Number(t);
  return null;
}

/**
 * Parses a C array header: the first `<type> <name>[<len>] = { ... }` initializer. Accepts any
 * spacing and line breaks, comments, a trailing comma, hex/octal literals, `u` suffixes, a length
 * written as a product (`384*640*4`) or left empty. Values must be 0..255.
 */
export function parseBoardHeader(text: string, file: string): ParsedHeader {
  const src = stripComments(text);
  const decl = /([A-Za-z_][A-Za-z0-9_]*)\s*\[\s*([^\]]*)\]\s*=\s*\{/.exec(src);
  if (!decl) {
    throw new UserError('HEADER_FORMAT', `${file}: no array initializer like "unsigned char image[N] = {...};" found`, 'give the img_input.h written by generate_img_input.py or magik-parity header');
  }
  const name = decl[1]!;
  let declaredLength: number | null = null;
  const lenText = decl[2]!.trim();
  if (lenText.length > 0) {
    const factors = lenText.split('*').map((f) => parseIntLiteral(f.trim().replace(/^\((.*)\)$/, '$1').trim()));
    if (factors.every((f): f is number => f !== null)) declaredLength = factors.reduce((a, b) => a * b, 1);
  }
  const open = decl.index + decl[0].length;
  const close = src.indexOf('}', open);
  if (close < 0) throw new UserError('HEADER_FORMAT', `${file}: the initializer of "${name}" has no closing "}"`, 'the file looks truncated');
  const body = src.slice(open, close);
  const tokens = body.split(',');
  // A trailing comma leaves one empty token at the end; empty tokens elsewhere are errors.
  if (tokens.length > 0 && tokens[tokens.length - 1]!.trim() === '') tokens.pop();
  const values = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!.trim();
    const v = parseIntLiteral(tok);
    if (v === null || v > 255) {
      throw new UserError('HEADER_FORMAT', `${file}: value #${i} of "${name}" is "${tok.slice(0, 20)}", expected a whole number 0..255`, 'the header must hold unsigned 8-bit values');
    }
    values[i] = v;
  }
  if (declaredLength !== null && declaredLength !== values.length) {
    throw new UserError('HEADER_FORMAT', `${file}: "${name}" is declared with ${declaredLength} values but its initializer holds ${values.length}`, 'the file looks truncated or edited; regenerate it');
  }
  return { name, declaredLength, values };
}

/** A differing value, located in the NHWC input. */
export interface HeaderDiff {
  /** Row, column, channel (batch index folded into the row for n > 1). */
  h: number;
  w: number;
  c: number;
  header: number;
  input: number;
}

export interface HeaderCheck {
  equal: boolean;
  /** Pixels compared. */
  pixels: number;
  /** Differing values in channels 0-2. */
  diffCount: number;
  firstDiff: HeaderDiff | null;
  /** Channel-3 values that are not zero. */
  channel3NonZero: number;
  firstChannel3: { h: number; w: number; value: number } | null;
}

/**
 * Compares header values (4-channel NHWC) with a uint8 input (3- or 4-channel NHWC; only
 * channels 0-2 are compared) and checks that channel 3 of the header is all zero.
 */
export function checkBoardHeader(header: Uint8Array, input: Uint8Array, shape: Shape4): HeaderCheck {
  const [n, h, w, c] = shape;
  const px = n * h * w;
  if (c !== 3 && c !== 4) throw new UserError('SHAPE_MISMATCH', `input has ${c} channels; the board header holds 4 (3 image channels + 0)`);
  if (input.length !== px * c) throw new UserError('SHAPE_MISMATCH', `input holds ${input.length} bytes, shape [${shape.join(',')}] needs ${px * c}`);
  if (header.length !== px * 4) {
    throw new UserError(
      'SHAPE_MISMATCH',
      `header holds ${header.length} values but the input [${shape.join(',')}] needs ${px * 4} (${h}x${w}x4)`,
      'check that the header was made from this input (and --input-shape)',
    );
  }
  let diffCount = 0;
  let firstDiff: HeaderDiff | null = null;
  let channel3NonZero = 0;
  let firstChannel3: HeaderCheck['firstChannel3'] = null;
  for (let i = 0; i < px; i++) {
    const hb = i * 4;
    const ib = i * c;
    for (let k = 0; k < 3; k++) {
      const a = header[hb + k]!;
      const b = input[ib + k]!;
      if (a !== b) {
        diffCount++;
        if (!firstDiff) firstDiff = { h: Math.floor(i / w), w: i % w, c: k, header: a, input: b };
      }
    }
    const z = header[hb + 3]!;
    if (z !== 0) {
      channel3NonZero++;
      if (!firstChannel3) firstChannel3 = { h: Math.floor(i / w), w: i % w, value: z };
    }
  }
  return { equal: diffCount === 0 && channel3NonZero === 0, pixels: px, diffCount, firstDiff, channel3NonZero, firstChannel3 };
}

/** One-paragraph summary of a check for the terminal. */
export function describeHeaderCheck(r: HeaderCheck, headerFile: string, inputFile: string): string {
  if (r.equal) return `${headerFile} equals ${inputFile}: ${r.pixels} pixels, channels 0-2 identical, channel 3 all zero`;
  const lines: string[] = [];
  if (r.diffCount > 0 && r.firstDiff) {
    const d = r.firstDiff;
    lines.push(
      `${headerFile} differs from ${inputFile}: ${r.diffCount} of ${r.pixels * 3} values in channels 0-2; first at (h=${d.h}, w=${d.w}, c=${d.c}): header ${d.header}, input ${d.input}`,
    );
  }
  if (r.channel3NonZero > 0 && r.firstChannel3) {
    const z = r.firstChannel3;
    lines.push(`${headerFile}: channel 3 is not zero at ${r.channel3NonZero} pixels; first at (h=${z.h}, w=${z.w}): ${z.value}`);
  }
  return lines.join('\n');
}
