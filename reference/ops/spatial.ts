/**
 * Attributes and output-size rules shared by Conv, ConvTranspose and the pools: kernel_shape,
 * strides, dilations, pads (begins then ends), auto_pad (ONNX Conv/MaxPool spec).
 */
import * as A from './attrs.js';
import { badNode, type OpContext } from './op.js';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export interface SpatialAttrs {
  /** Kernel extent per spatial axis; undefined = take it from the weights. */
  kernel?: number[];
  strides?: number[];
  dilations?: number[];
  /** Explicit pads, begins then ends. */
  pads?: number[];
  autoPad: AutoPad;
}

export function readSpatial(ctx: OpContext): SpatialAttrs {
  return {
    kernel: A.ints(ctx, 'kernel_shape'),
    strides: A.ints(ctx, 'strides'),
    dilations: A.ints(ctx, 'dilations'),
    pads: A.ints(ctx, 'pads'),
    autoPad: A.oneOf<AutoPad>(ctx, 'auto_pad', 'NOTSET', ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']),
  };
}

/** Resolved geometry of one spatial op over `rank` spatial axes. */
export interface Geometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Begins then ends, resolved from auto_pad. */
  pads: number[];
  /** Output spatial dims. */
  out: number[];
}

/**
 * Resolves pads and output sizes for a forward window op over `inDims` (spatial only).
 * `ceil` = pooling's ceil_mode: the last window may start in the padding... but never
 * entirely past the input plus the begin pad (the PyTorch / onnxruntime rule).
 */
export function forwardGeometry(ctx: OpContext, a: SpatialAttrs, inDims: readonly number[], kernel: readonly number[], ceil = false): Geometry {
  const r = inDims.length;
  const strides = a.strides ?? new Array<number>(r).fill(1);
  const dilations = a.dilations ?? new Array<number>(r).fill(1);
  let pads = a.pads ?? new Array<number>(2 * r).fill(0);
  if (kernel.length !== r || strides.length !== r || dilations.length !== r || pads.length !== 2 * r) {
    throw badNode(ctx, `kernel_shape/strides/dilations/pads do not match ${r} spatial axes`);
  }
  if ([...kernel, ...strides, ...dilations].some((v) => v < 1) || pads.some((p) => p < 0)) throw badNode(ctx, 'has a non-positive kernel/stride/dilation or a negative pad');
  const out = new Array<number>(r);
  if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
    pads = new Array<number>(2 * r).fill(0);
    for (let i = 0; i < r; i++) {
      const o = Math.ceil(inDims[i]! / strides[i]!);
      const ext = (kernel[i]! - 1) * dilations[i]! + 1;
      const total = Math.max(0, (o - 1) * strides[i]! + ext - inDims[i]!);
      const small = Math.floor(total / 2);
      pads[i] = a.autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + r] = total - pads[i]!;
      out[i] = o;
    }
    return { kernel: [...kernel], strides, dilations, pads, out };
  }
  if (a.autoPad === 'VALID') pads = new Array<number>(2 * r).fill(0);
  for (let i = 0; i < r; i++) {
    const ext = (kernel[i]! - 1) * dilations[i]! + 1;
    const span = inDims[i]! + pads[i]! + pads[i + r]! - ext;
    if (span < 0) throw badNode(ctx, `kernel extent ${ext} is larger than the padded input ${inDims[i]! + pads[i]! + pads[i + r]!} on spatial axis ${i}`);
    let o = (ceil ? Math.ceil(span / strides[i]!) : Math.floor(span / strides[i]!)) + 1;
    if (ceil && (o - 1) * strides[i]! >= inDims[i]! + pads[i]!) o--;
    out[i] = o;
  }
  return { kernel: [...kernel], strides, dilations, pads, out };
}
