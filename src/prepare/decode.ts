/**
 * Image decoding as OpenCV's `cv::imread(path)` (IMREAD_COLOR) does it: 8-bit, 3 channels, EXIF
 * orientation applied, alpha dropped (not blended), grey replicated to three channels.
 * Decoding uses sharp (libvips + libjpeg-turbo/mozjpeg, libpng; BMP by our own reader); for baseline and progressive
 * JPEGs its pixels equal imread's byte for byte (same IJG integer IDCT and fancy upsampling).
 * Embedded ICC profiles are ignored, as imread ignores them. Known differences from imread: CMYK
 * JPEGs are converted to sRGB by libvips' generic profile; 16-bit PNGs are reduced to 8 bits by
 * libvips' rule; JPEG/PNG decoding is sharp's, BMP our own reader (bmp.ts); other formats that
 * sharp reads (WebP, TIFF, ...) are accepted too.
 */
import { promises as fsp } from 'node:fs';
import sharp from 'sharp';
import { UserError, fsError } from '../errors.js';
import type { ImageU8 } from './opencv-resize.js';
import { decodeBmp, isBmp } from './bmp.js';

/** Channel orders a prepared input can be written in (the vendor config's `format`). */
export type ChannelOrder = 'RGB' | 'BGR';

/** Parses a `--format` value (case-insensitive). */
export function parseChannelOrder(text: string): ChannelOrder {
  const t = String(text).trim().toUpperCase();
  if (t === 'RGB' || t === 'BGR') return t;
  throw new UserError(
    'USAGE',
    `--format "${text}": unknown channel order`,
    'use RGB or BGR: the channel order the model expects (the vendor config\'s "format")',
  );
}

/**
 * Decodes an image file to 8-bit RGB, interleaved, EXIF orientation applied.
 * @returns `{data, width, height, channels: 3}` in RGB order.
 */
export async function decodeImageRgb(file: string): Promise<ImageU8> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(file);
  } catch (e) {
    throw fsError(e, file, 'read the image');
  }
  if (bytes.length === 0) {
    throw new UserError('IMAGE_FORMAT', `${file}: empty file, not an image`, 'give a JPEG or PNG photo');
  }
  // BMP: no loader in sharp; no EXIF either, so the decoded pixels are final.
  if (isBmp(bytes)) return decodeBmp(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), file);
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error', ignoreIcc: true }) // imread ignores ICC profiles
      .rotate() // EXIF orientation, as imread applies it by default
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3 || data.length !== info.width * info.height * 3) {
      throw new UserError('IMAGE_FORMAT', `${file}: decoded to ${info.channels} channels, expected 3`, 'convert the image to an 8-bit RGB JPEG or PNG');
    }
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    if (e instanceof UserError) throw e;
    const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new UserError('IMAGE_FORMAT', `${file}: cannot decode as an image (${msg})`, 'give a JPEG or PNG photo');
  }
}

/** Returns the image with its three channels in `order` (input is RGB). Copies. */
export function toChannelOrder(rgb: ImageU8, order: ChannelOrder): ImageU8 {
  const data = rgb.data.slice();
  if (order === 'BGR') {
    for (let i = 0; i < data.length; i += 3) {
      const r = data[i]!;
      data[i] = data[i + 2]!;
      data[i + 2] = r;
    }
  }
  return { ...rgb, data };
}
