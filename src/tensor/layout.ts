/**
 * ONNX NCHW -> dump NHWC (FORMATS.md §4). Tensors of other ranks keep their row-major order.
 */

/**
 * Writes the NHWC transpose of a 4-D NCHW tensor into `dst` (which may be larger; the first
 * n*h*w*c elements are written). Returns the NHWC shape. Used by every dump writer (float, reference).
 */
export function nchwToNhwc(src: ArrayLike<number>, dims: readonly number[], dst: Float32Array | Uint8Array | Uint16Array): [number, number, number, number] {
  if (dims.length !== 4) throw new Error(`nchwToNhwc: rank ${dims.length}, expected 4`);
  const [n, c, h, w] = dims as [number, number, number, number];
  const hw = h * w;
  const count = n * c * hw;
  if (src.length !== count || dst.length < count) throw new Error(`nchwToNhwc: ${src.length} source / ${dst.length} target elements for [${dims.join(',')}]`);
  for (let b = 0; b < n; b++) {
    const base = b * c * hw;
    for (let ch = 0; ch < c; ch++) {
      const s = base + ch * hw;
      let d = base + ch;
      for (let p = 0; p < hw; p++, d += c) dst[d] = src[s + p]!;
    }
  }
  return [n, h, w, c];
}

/** The NHWC shape of a 4-D NCHW shape; other ranks unchanged. */
export function dumpShape(dims: readonly number[]): number[] {
  if (dims.length !== 4) return [...dims];
  const [n, c, h, w] = dims as [number, number, number, number];
  return [n, h, w, c];
}

/** A new array of `data`'s type holding its NHWC transpose (4-D NCHW); other ranks returned as is. */
export function toNhwc<T extends Float32Array | Uint8Array | Uint16Array>(data: T, dims: readonly number[]): T {
  if (dims.length !== 4) return data;
  const out = new (data.constructor as { new (len: number): T })(data.length);
  nchwToNhwc(data, dims, out);
  return out;
}
