/**
 * Writes the float runner's dump folder from one run's outputs (layout: see run-float.ts).
 *
 * In graph order: each float tensor gets its file name and manifest entry, and its buffer (the
 * run's own copy, which the caller gives up) moves to a file thread (io/tensor-file-threads.ts)
 * that transposes it to NHWC (4-D tensors; C = 1 and H*W = 1 need no transpose), writes the
 * temporary file and hashes it; the file is renamed into place when written (DumpFolderWriter
 * delegate, io/atomic.ts DelegatedFile). The main thread writes input.bin and the non-float
 * tensors (nonFloat 'write') in their turn (small), then the extra files while the threads work,
 * and waits; manifest.json comes last. Every float tensor is held once (its buffer moves).
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { TensorFileThreads } from '../io/tensor-file-threads.js';
import { graphOrder } from '../onnx/order.js';
import type { OrtTensor } from '../onnx/ort-session.js';
import { halfToFloat } from '../onnx/tensor-proto.js';
import type { OnnxModel } from '../onnx/types.js';
import type { DType } from '../tensor/dtype.js';
import type { Manifest } from '../dumps/manifest-types.js';
import { DumpFolderWriter, type TensorMeta } from '../dumps/dump-folder-writer.js';
import { dumpShape } from '../tensor/layout.js';
import type { FloatInput } from './float-input.js';
import { modelNodeInfo } from './node-info.js';

export interface WriteFloatOptions {
  /** Non-float tensors: 'skip' (default, listed in manifest.skipped) or 'write' in their own type. */
  nonFloat?: 'skip' | 'write';
  /** File names: sanitized tensor names (default) or node names (the transform tool's debug layout). */
  fileNames?: 'tensor' | 'node';
  /** Called after each tensor file is written. */
  onProgress?: (done: number, total: number) => void;
}

export interface WriteFloatContext {
  model: OnnxModel;
  input: FloatInput;
  /** Every exposed output by tensor name; entries are cleared (set undefined) as they are taken (float buffers are moved to the file threads). */
  results: Record<string, OrtTensor | undefined>;
  /** Existing, prepared output folder (absolute). */
  out: string;
  files: TensorFileThreads;
  /** Receives a warning per renamed file. */
  warnings: string[];
}

const FLOAT_TYPES = new Set(['float32', 'float16', 'float64']);
const OWN_DTYPE: Record<string, DType> = { int8: 'int8', uint8: 'uint8', bool: 'uint8', int16: 'int16', uint16: 'uint16', int32: 'int32', int64: 'int64' };

/** Writes every tensor in graph order, then the extras and manifest.json (last). */
export async function writeFloatFolder(ctx: WriteFloatContext, opts: WriteFloatOptions = {}): Promise<Manifest> {
  const { model, input, results, out, files, warnings } = ctx;
  const writer = new DumpFolderWriter(out, {
    producer: 'float',
    model: { file: path.basename(model.file), md5: model.md5 },
    inputMd5: createHash('md5').update(input.fileBytes).digest('hex'),
    fileNames: opts.fileNames,
  });
  const order = graphOrder(model);
  let maxCount = 0;
  for (const t of Object.values(results)) if (t && FLOAT_TYPES.has(t.type)) maxCount = Math.max(maxCount, t.size);
  files.reserve(maxCount * 4);
  const total = order.length;
  let done = 0;
  const progress = (): void => opts.onProgress?.(++done, total);
  const delegated: Promise<void>[] = [];
  try {
    await writeAll();
  } catch (e) {
    // files already handed to the threads settle first: nothing is written after this returns
    await Promise.allSettled(delegated);
    throw e;
  }
  for (const r of writer.renamed) warnings.push(`tensor "${r.tensorName}" written as ${r.file} (its sanitized name ${r.wanted} was taken)`);
  return await writer.finish();

  /** Every tensor in graph order (float ones handed to the file threads), then the extra files. */
  async function writeAll(): Promise<void> {
    for (const e of order) {
      if (e.kind === 'input') {
        const meta = { tensorName: e.tensorName, nodeName: '', opType: 'Input', dtype: 'float32', shape: input.nhwcShape, layout: 'NHWC', role: 'input' } as const;
        // on a file thread too (a copy: the caller keeps its input), so the float tensors are not held up
        const placed = writer.delegate(meta, input.nhwc.byteLength, (tmp) => files.write(input.nhwc, null, tmp, false), { stem: 'input' });
        placed.then(progress, () => undefined);
        delegated.push(placed);
        continue;
      }
      const base = { tensorName: e.tensorName, nodeName: e.nodeName, opType: e.opType };
      if (e.kind === 'constant') {
        const c = model.graph.initializers.get(e.tensorName);
        writer.skip({ ...base, dtype: c?.dtype ?? 'unknown', shape: c?.dims ?? [], reason: 'Constant node output (a model constant, not an activation)' });
        continue;
      }
      const t = results[e.tensorName];
      if (!t) throw new Error(`onnxruntime returned no value for exposed tensor "${e.tensorName}"`);
      results[e.tensorName] = undefined;
      const dims = [...t.dims];
      if (FLOAT_TYPES.has(t.type)) {
        const src = t.type === 'float32' ? (t.data as Float32Array) : toFloat32(t);
        const [n, c, h, w] = dims as [number, number, number, number];
        const transpose = dims.length === 4 && c > 1 && h * w > 1;
        const meta = { ...base, dtype: 'float32', shape: dumpShape(dims), layout: dims.length === 4 ? 'NHWC' : 'row-major', role: 'layer' } as const;
        const placed = writer.delegate(meta, src.byteLength, (tmp) => files.write(src, transpose ? [n, c, h * w] : null, tmp, true));
        placed.then(progress, () => undefined);
        delegated.push(placed);
        continue;
      }
      if (opts.nonFloat === 'write' && OWN_DTYPE[t.type]) {
        const data = t.data as ArrayBufferView;
        const meta = { ...base, dtype: OWN_DTYPE[t.type]!, shape: dims, layout: 'row-major', role: 'layer' } as const;
        writer.add(meta, data);
        progress();
      } else {
        writer.skip({ ...base, dtype: t.type, shape: dims, reason: `not floating point (${t.type}); float_model holds float activations only` });
      }
    }
    await writer.writeExtra('input_uint8.bin', input.fileBytes);
    await writer.writeExtra('model_node_info.json', `${JSON.stringify(modelNodeInfo(model), null, 1)}\n`);
  }
}

/** float16 / float64 ORT data as float32 (float16 arrives as raw uint16 bits). */
function toFloat32(t: OrtTensor): Float32Array {
  const d = t.data;
  if (t.type === 'float16' && d instanceof Uint16Array) {
    const out = new Float32Array(d.length);
    for (let i = 0; i < d.length; i++) out[i] = halfToFloat(d[i]!);
    return out;
  }
  return Float32Array.from(d as ArrayLike<number>);
}
