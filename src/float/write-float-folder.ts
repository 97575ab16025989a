/**
 * Writes the float runner's dump folder from one run's outputs (layout: see run-float.ts).
 *
 * Per float tensor, in graph order: the main thread takes a free shared slot and copies ORT's
 * NCHW output into its staging region; a hash thread transposes it into the slot as NHWC (other
 * ranks, C = 1 and H*W = 1 are copied straight into the slot instead) and hashes it; the main
 * thread writes the file from the slot once it is ready (DumpFolderWriter, atomic, graph order)
 * while the threads work on the next tensors. A slot is free again when its file is written and
 * its md5 done. So the main thread only copies (~10 GB/s) and writes; transposes and md5s run
 * on the hash threads (io/md5-worker.ts).
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import type { Md5Worker } from '../io/md5-worker.js';
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
  /** Every exposed output by tensor name; entries are cleared (set undefined) as they are written. */
  results: Record<string, OrtTensor | undefined>;
  /** Existing, prepared output folder (absolute). */
  out: string;
  hasher: Md5Worker;
  /** Receives a warning per renamed file. */
  warnings: string[];
}

const FLOAT_TYPES = new Set(['float32', 'float16', 'float64']);
const OWN_DTYPE: Record<string, DType> = { int8: 'int8', uint8: 'uint8', bool: 'uint8', int16: 'int16', uint16: 'uint16', int32: 'int32', int64: 'int64' };

/** Float tensors dispatched to the hash threads and not yet written, in graph order. */
interface Staged {
  meta: TensorMeta;
  slot: Uint8Array;
  bytes: number;
  ready: Promise<void>;
  md5: Promise<string>;
}

/** Writes every tensor in graph order, then the extras and manifest.json (last). */
export async function writeFloatFolder(ctx: WriteFloatContext, opts: WriteFloatOptions = {}): Promise<Manifest> {
  const { model, input, results, out, hasher, warnings } = ctx;
  const writer = new DumpFolderWriter(out, {
    producer: 'float',
    model: { file: path.basename(model.file), md5: model.md5 },
    inputMd5: createHash('md5').update(input.fileBytes).digest('hex'),
    fileNames: opts.fileNames,
  });
  const order = graphOrder(model);
  let maxCount = 0;
  for (const t of Object.values(results)) if (t && FLOAT_TYPES.has(t.type)) maxCount = Math.max(maxCount, t.size);
  hasher.ensureSlotBytes(maxCount * 4);
  const total = order.length;
  let done = 0;
  // At most half the slots wait to be written; the others can be hashing already written files.
  const lookahead = Math.max(1, hasher.slotCount >> 1);
  const staged: Staged[] = [];
  const writeNext = async (): Promise<void> => {
    const s = staged.shift()!;
    await s.ready;
    writer.add(s.meta, new Uint8Array(s.slot.buffer, s.slot.byteOffset, s.bytes), { md5: s.md5 });
    hasher.written(s.slot);
    opts.onProgress?.(++done, total);
  };
  const flush = async (): Promise<void> => {
    while (staged.length > 0) await writeNext();
  };
  for (const e of order) {
    if (e.kind === 'input') {
      await flush();
      const meta = { tensorName: e.tensorName, nodeName: '', opType: 'Input', dtype: 'float32', shape: input.nhwcShape, layout: 'NHWC', role: 'input' } as const;
      writer.add(meta, input.nhwc, { stem: 'input' });
      opts.onProgress?.(++done, total);
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
      while (staged.length >= lookahead) await writeNext();
      const slot = await hasher.acquire();
      const [n, c, h, w] = dims as [number, number, number, number];
      const transpose = dims.length === 4 && c > 1 && h * w > 1;
      // bit copies (Int32Array): a float copy could quiet a signalling NaN's payload
      const into = transpose ? hasher.staging(slot) : slot;
      new Int32Array(into.buffer, into.byteOffset, src.length).set(new Int32Array(src.buffer, src.byteOffset, src.length));
      const layout = dims.length === 4 ? 'NHWC' : 'row-major';
      const job = hasher.transposeAndHash(slot, src.length * 4, transpose ? [n, c, h * w] : null);
      staged.push({ meta: { ...base, dtype: 'float32', shape: dumpShape(dims), layout, role: 'layer' }, slot, bytes: src.length * 4, ...job });
      t.dispose();
      continue;
    }
    if (opts.nonFloat === 'write' && OWN_DTYPE[t.type]) {
      await flush();
      writer.add({ ...base, dtype: OWN_DTYPE[t.type]!, shape: dims, layout: 'row-major', role: 'layer' }, t.data as ArrayBufferView);
    } else {
      writer.skip({ ...base, dtype: t.type, shape: dims, reason: `not floating point (${t.type}); float_model holds float activations only` });
    }
    t.dispose();
    opts.onProgress?.(++done, total);
  }
  await flush();
  await writer.writeExtra('input_uint8.bin', input.fileBytes);
  await writer.writeExtra('model_node_info.json', `${JSON.stringify(modelNodeInfo(model), null, 1)}\n`);
  for (const r of writer.renamed) warnings.push(`tensor "${r.tensorName}" written as ${r.file} (its sanitized name ${r.wanted} was taken)`);
  return await writer.finish();
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
