/**
 * Shapes (ONNX order: NCHW for 4-D) and element types of every tensor, found by running
 * onnxruntime once on all-zero inputs with every tensor exposed. Exact for CNNs whose shapes do
 * not depend on values (data-dependent ops such as NonZero give the zero-input shape).
 */
import { UserError } from '../errors.js';
import { exposeTensors } from './expose.js';
import { createSession, dtypeOfOrt, runSession, zeroTensor, type OrtTensor } from './ort-session.js';
import type { OnnxDType, OnnxModel, ValueInfo } from './types.js';
import { formatShape } from './value-info.js';

export interface TensorShapeInfo {
  dtype: OnnxDType;
  /** ONNX order (NCHW for 4-D). */
  shape: number[];
}

export interface ShapeOptions {
  /** Shapes for graph inputs (ONNX order), by input name; needed for dynamic dimensions. */
  inputShapes?: Record<string, number[]>;
  threads?: number;
}

/**
 * The concrete shape of a graph input: the option's shape when given (it must agree with the
 * model's fixed dimensions), else the model's, which must then be fully static.
 */
export function resolveInputShape(model: OnnxModel, input: ValueInfo, given?: readonly number[]): number[] {
  const ms = input.shape;
  if (given) {
    if (ms && ms.length !== given.length) {
      throw new UserError('INPUT_MISMATCH', `input shape [${given.join(',')}] has rank ${given.length}, model input "${input.name}" ${formatShape(ms)} has rank ${ms.length}`, 'check --input-shape');
    }
    ms?.forEach((d, i) => {
      if (typeof d === 'number' && d !== given[i]) {
        throw new UserError('INPUT_MISMATCH', `input shape [${given.join(',')}] does not fit model input "${input.name}" ${formatShape(ms)} of ${model.file}`, 'check --input-shape, or that the input is for this model');
      }
    });
    return [...given];
  }
  if (!ms || ms.some((d) => typeof d !== 'number')) {
    throw new UserError('USAGE', `${model.file}: input "${input.name}" has dynamic shape ${formatShape(ms)}`, 'pass --input-shape N,H,W,C');
  }
  return ms as number[];
}

/** Largest zero input {@link zeroFeeds} allocates, in elements (2^28: 1 GiB of float32). */
export const MAX_ZERO_FEED_ELEMENTS = 2 ** 28;

/** Zero feeds for every graph input. An input too large to allocate is a UserError naming it. */
export function zeroFeeds(model: OnnxModel, inputShapes: Record<string, number[]> = {}): Record<string, OrtTensor> {
  const feeds: Record<string, OrtTensor> = {};
  for (const i of model.graph.inputs) {
    const shape = resolveInputShape(model, i, inputShapes[i.name]);
    const n = shape.reduce((a, b) => a * b, 1);
    if (!(n <= MAX_ZERO_FEED_ELEMENTS)) {
      throw new UserError(
        'ONNX_UNSUPPORTED',
        `${model.file}: input "${i.name}" ${formatShape(shape)} has ${n} elements, too many to run (at most ${MAX_ZERO_FEED_ELEMENTS})`,
        'the model file is corrupt, or pass --input-shape with the real size (or inspect --no-run)',
      );
    }
    feeds[i.name] = zeroTensor(i.dtype, shape);
  }
  return feeds;
}

/** Shape and element type of every graph input and node output. */
export async function tensorShapes(model: OnnxModel, options: ShapeOptions = {}): Promise<Map<string, TensorShapeInfo>> {
  const feeds = zeroFeeds(model, options.inputShapes);
  const exposed = exposeTensors(model);
  const session = await createSession(exposed.bytes, model.file, { threads: options.threads });
  try {
    const results = await runSession(session, feeds, model.file);
    const out = new Map<string, TensorShapeInfo>();
    for (const [name, t] of Object.entries(feeds)) out.set(name, { dtype: dtypeOfOrt(t.type) ?? 'float32', shape: [...t.dims] });
    for (const [name, t] of Object.entries(results)) {
      const dtype = dtypeOfOrt(t.type);
      if (dtype) out.set(name, { dtype, shape: [...t.dims] });
    }
    return out;
  } finally {
    await session.release();
  }
}
