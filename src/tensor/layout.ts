/**
 * ONNX NCHW -> dump NHWC (FORMATS.md §4). Tensors of other ranks keep their row-major order.
 */

type Dst = Float32Array | Uint8Array | Uint16Array;

/**
 * Writes the NHWC transpose of a 4-D NCHW tensor into `dst` (which may be larger; the first
 * n*h*w*c elements are written). Returns the NHWC shape. Used by every dump writer (float, reference).
 *
 * Per image this is the transpose of a C x HW matrix. When C = 1 or H*W = 1 the two layouts
 * hold the same order and the data is copied as is. Otherwise four channels are moved per pass
 * over the pixels, so each pass reads four sequential streams and writes four adjacent elements
 * of every destination pixel (~1.4x the one-channel-per-pass loop on YOLOX-nano's tensors, and
 * the destination lines are filled in fewer passes: a simple form of cache blocking).
 */
export function nchwToNhwc(src: ArrayLike<number>, dims: readonly number[], dst: Dst): [number, number, number, number] {
  if (dims.length !== 4) throw new Error(`nchwToNhwc: rank ${dims.length}, expected 4`);
  const [n, c, h, w] = dims as [number, number, number, number];
  const hw = h * w;
  const count = n * c * hw;
  if (src.length !== count || dst.length < count) throw new Error(`nchwToNhwc: ${src.length} source / ${dst.length} target elements for [${dims.join(',')}]`);
  if (c === 1 || hw === 1) {
    copyInto(src, dst, count);
    return [n, h, w, c];
  }
  transposeChannels(src, dst, n, c, hw);
  return [n, h, w, c];
}

/**
 * The transpose loop of {@link nchwToNhwc}: per image, C x HW -> HW x C, four channels per pass.
 * Uses nothing from its module: the float runner's file threads (io/tensor-file-threads.ts) evaluate its source
 * (`transposeChannels.toString()`) to transpose there.
 */
export function transposeChannels(src: ArrayLike<number>, dst: { [i: number]: number }, n: number, c: number, hw: number): void {
  for (let b = 0; b < n; b++) {
    const base = b * c * hw;
    let ch = 0;
    for (; ch + 4 <= c; ch += 4) {
      const s0 = base + ch * hw;
      const s1 = s0 + hw;
      const s2 = s1 + hw;
      const s3 = s2 + hw;
      let d = base + ch;
      for (let p = 0; p < hw; p++, d += c) {
        dst[d] = src[s0 + p]!;
        dst[d + 1] = src[s1 + p]!;
        dst[d + 2] = src[s2 + p]!;
        dst[d + 3] = src[s3 + p]!;
      }
    }
    for (; ch < c; ch++) {
      const s = base + ch * hw;
      let d = base + ch;
      for (let p = 0; p < hw; p++, d += c) dst[d] = src[s + p]!;
    }
  }
}

/**
 * The part of one image's C x HW -> HW x C transpose outside the tiles [0, c4) x [0, hw4) that
 * transpose-wasm.ts moves: pixels hw4.. of channels below c4, every pixel of channels c4...
 * Self-contained like {@link transposeChannels} (evaluated in the file threads).
 */
export function transposeEdges(src: ArrayLike<number>, dst: { [i: number]: number }, c: number, hw: number, c4: number, hw4: number): void {
  for (let ch = 0; ch < c; ch++) {
    const s = ch * hw;
    for (let p = ch < c4 ? hw4 : 0; p < hw; p++) dst[p * c + ch] = src[s + p]!;
  }
}

/** The first `count` elements of `src` into `dst` (a bulk copy when both are typed arrays). */
function copyInto(src: ArrayLike<number>, dst: Dst, count: number): void {
  if (ArrayBuffer.isView(src)) dst.set(src as unknown as ArrayLike<number>);
  else for (let i = 0; i < count; i++) dst[i] = src[i]!;
}

/** The NHWC shape of a 4-D NCHW shape; other ranks unchanged. */
export function dumpShape(dims: readonly number[]): number[] {
  if (dims.length !== 4) return [...dims];
  const [n, c, h, w] = dims as [number, number, number, number];
  return [n, h, w, c];
}

/** A new array of `data`'s type holding its NHWC transpose (4-D NCHW); other ranks returned as is. */
export function toNhwc<T extends Dst>(data: T, dims: readonly number[]): T {
  if (dims.length !== 4) return data;
  const out = new (data.constructor as { new (len: number): T })(data.length);
  nchwToNhwc(data, dims, out);
  return out;
}
