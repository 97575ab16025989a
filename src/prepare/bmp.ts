/**
 * Uncompressed Windows BMP decoding (sharp/libvips has no BMP loader; OpenCV's imread reads BMP,
 * and calibration folders may hold BMP files). Written from the BMP file format (BITMAPFILEHEADER
 * + BITMAPCOREHEADER / BITMAPINFOHEADER / V4 / V5): 1/4/8-bit palette, 16-bit (5-5-5, or 5-6-5 via
 * BI_BITFIELDS), 24-bit, 32-bit (BI_RGB or BI_BITFIELDS, the 4th byte ignored as imread's
 * IMREAD_COLOR does); bottom-up and top-down rows. 16-bit values are expanded like OpenCV's
 * converters (`value << 3` for 5 bits, `<< 2` for 6 bits, low bits zero). RLE-compressed files are
 * refused with a clear message.
 */
import { UserError } from '../errors.js';
import type { ImageU8 } from './opencv-resize.js';

const BI_RGB = 0;
const BI_BITFIELDS = 3;

/** True when the bytes start with the BMP signature `BM`. */
export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/** Decodes a BMP file to 8-bit RGB (3 channels, interleaved, top row first). */
export function decodeBmp(bytes: Uint8Array, file: string): ImageU8 {
  const bad = (why: string): UserError => new UserError('IMAGE_FORMAT', `${file}: cannot decode as BMP (${why})`, 'save it as an uncompressed BMP, PNG or JPEG');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 26 || !isBmp(bytes)) throw bad('too short or no BM signature');
  const dataOffset = dv.getUint32(10, true);
  const hdrSize = dv.getUint32(14, true);
  let width: number;
  let height: number;
  let bpp: number;
  let compression = BI_RGB;
  let paletteEntries = 0;
  let paletteEntrySize = 4;
  if (hdrSize === 12) {
    width = dv.getUint16(18, true);
    height = dv.getInt16(20, true);
    bpp = dv.getUint16(24, true);
    paletteEntrySize = 3;
  } else if (hdrSize >= 40 && 14 + hdrSize <= bytes.length) {
    width = dv.getInt32(18, true);
    height = dv.getInt32(22, true);
    bpp = dv.getUint16(28, true);
    compression = dv.getUint32(30, true);
    paletteEntries = dv.getUint32(46, true);
  } else {
    throw bad(`unknown header size ${hdrSize}`);
  }
  const topDown = height < 0;
  height = Math.abs(height);
  if (width <= 0 || height <= 0) throw bad(`size ${width}x${height}`);
  if (compression !== BI_RGB && compression !== BI_BITFIELDS) throw bad(`compression ${compression} (RLE/JPEG/PNG inside BMP) is not supported`);

  // Channel masks for 16/32-bit.
  let masks: [number, number, number] | null = null;
  if (bpp === 16 || bpp === 32) {
    if (compression === BI_BITFIELDS) {
      const at = 14 + 40; // right after BITMAPINFOHEADER; V4/V5 headers hold them at the same place
      if (at + 12 > bytes.length) throw bad('truncated bit-field masks');
      masks = [dv.getUint32(at, true), dv.getUint32(at + 4, true), dv.getUint32(at + 8, true)];
    } else {
      masks = bpp === 16 ? [0x7c00, 0x03e0, 0x001f] : [0xff0000, 0x00ff00, 0x0000ff];
    }
  }
  let palette: Uint8Array | null = null;
  if (bpp <= 8) {
    if (![1, 4, 8].includes(bpp)) throw bad(`${bpp} bits per pixel`);
    const n = paletteEntries || 1 << bpp;
    const at = 14 + hdrSize;
    if (at + n * paletteEntrySize > bytes.length) throw bad('truncated palette');
    palette = new Uint8Array(256 * 3);
    for (let i = 0; i < n && i < 256; i++) {
      const p = at + i * paletteEntrySize;
      palette.set([bytes[p + 2]!, bytes[p + 1]!, bytes[p]!], i * 3); // stored B, G, R
    }
  } else if (bpp !== 16 && bpp !== 24 && bpp !== 32) {
    throw bad(`${bpp} bits per pixel`);
  }

  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (dataOffset + stride * height > bytes.length) throw bad(`pixel data truncated: needs ${stride * height} bytes at offset ${dataOffset}`);
  const out = new Uint8Array(width * height * 3);
  /** Extracts one channel: wide fields keep their top 8 bits, narrow ones are shifted up with zeros (OpenCV's way). */
  const fieldReader = (mask: number): ((v: number) => number) => {
    if (mask === 0) return () => 0;
    let shift = 0;
    while (((mask >>> shift) & 1) === 0) shift++;
    const bits = (mask >>> shift).toString(2).length;
    return bits >= 8 ? (v) => (((v & mask) >>> shift) >>> (bits - 8)) & 0xff : (v) => (((v & mask) >>> shift) << (8 - bits)) & 0xff;
  };
  const [rf, gf, bf] = masks ? masks.map(fieldReader) : [null, null, null];
  for (let y = 0; y < height; y++) {
    const row = dataOffset + (topDown ? y : height - 1 - y) * stride;
    let o = y * width * 3;
    for (let x = 0; x < width; x++, o += 3) {
      if (palette) {
        const bitPos = x * bpp;
        const byte = bytes[row + (bitPos >> 3)]!;
        const idx = bpp === 8 ? byte : (byte >> (8 - bpp - (bitPos & 7))) & ((1 << bpp) - 1);
        out[o] = palette[idx * 3]!;
        out[o + 1] = palette[idx * 3 + 1]!;
        out[o + 2] = palette[idx * 3 + 2]!;
      } else if (bpp === 24) {
        const p = row + x * 3;
        out[o] = bytes[p + 2]!;
        out[o + 1] = bytes[p + 1]!;
        out[o + 2] = bytes[p]!;
      } else {
        const v = bpp === 16 ? dv.getUint16(row + x * 2, true) : dv.getUint32(row + x * 4, true);
        out[o] = rf!(v);
        out[o + 1] = gf!(v);
        out[o + 2] = bf!(v);
      }
    }
  }
  return { data: out, width, height, channels: 3 };
}
