/**
 * The float runner: runs the ONNX model in onnxruntime-node (optimizations disabled, every node
 * output exposed) on the preprocessed input and writes the vendor's float_model layout:
 *
 * - `<sanitized tensor name>.bin`: one file per node output, float32; 4-D tensors transposed
 *   NCHW -> NHWC, other ranks row-major as ORT returns them;
 * - `input.bin` (float32 NHWC after mean/var), `input_uint8.bin` (the input file's bytes);
 * - `model_node_info.json` (vendor form) and `manifest.json` (order = topological).
 *
 * Not written, listed in `manifest.skipped` with the reason: outputs of `Constant` nodes (model
 * constants, not activations) and, unless `nonFloat: 'write'`, tensors that are not floating
 * point (int64 shape arithmetic such as Shape -> Gather -> Unsqueeze, bool masks): the vendor's
 * float_model holds float32 activations only. With `nonFloat: 'write'` they are written in their
 * own type (int64, int32, ...; bool as uint8) and recorded with that dtype.
 * float16/float64 outputs are written as float32.
 *
 * Memory: ORT returns all tensors of the single run at once (YOLOX-nano 416: 122 MB); each is
 * transposed into one of two reused shared buffers (the size of the largest tensor), written
 * from it, hashed from it on a worker thread, and ORT's copy released, so no tensor is held twice.
 */
import * as path from 'node:path';
import { createHash } from 'node:crypto';
import { prepareOutDir } from '../io/atomic.js';
import { Md5Worker } from '../io/md5-worker.js';
import { loadModel } from '../onnx/load.js';
import { exposeTensors } from '../onnx/expose.js';
import { graphOrder } from '../onnx/order.js';
import { createSession, floatTensor, runSession, type OrtTensor } from '../onnx/ort-session.js';
import { halfToFloat } from '../onnx/tensor-proto.js';
import type { OnnxModel } from '../onnx/types.js';
import type { DType } from '../tensor/dtype.js';
import type { Manifest } from '../dumps/manifest-types.js';
import { DumpFolderWriter } from '../dumps/dump-folder-writer.js';
import { prepareFloatInput, type FloatInput, type FloatInputOptions } from './float-input.js';
import { dumpShape, nchwToNhwc } from '../tensor/layout.js';
import { modelNodeInfo } from './node-info.js';

export interface FloatOptions extends FloatInputOptions {
  /** The model file, or a model already loaded with loadModel. */
  model: string | OnnxModel;
  /** Output folder (created; must be empty unless `force`). */
  out: string;
  /** Replace the files of a non-empty output folder. */
  force?: boolean;
  /** onnxruntime intra-op threads (default: one per core). */
  threads?: number;
  /** Non-float tensors: 'skip' (default, listed in manifest.skipped) or 'write' in their own type. */
  nonFloat?: 'skip' | 'write';
  /** File names: sanitized tensor names (default) or node names (the transform tool's debug layout). */
  fileNames?: 'tensor' | 'node';
  /** Called after each tensor file is written. */
  onProgress?: (done: number, total: number) => void;
}

export interface FloatTimings {
  /** Model load + input preparation, ms. */
  prepareMs: number;
  /** Session creation (exposed model), ms. */
  sessionMs: number;
  /** The ORT run, ms. */
  runMs: number;
  /** Transposing and writing every file, ms. */
  writeMs: number;
  totalMs: number;
}

export interface FloatResult {
  /** Absolute output folder. */
  out: string;
  manifest: Manifest;
  /** Tensor files written (input.bin included). */
  written: number;
  warnings: string[];
  timings: FloatTimings;
}

const FLOAT_TYPES = new Set(['float32', 'float16', 'float64']);
const OWN_DTYPE: Record<string, DType> = { int8: 'int8', uint8: 'uint8', bool: 'uint8', int16: 'int16', uint16: 'uint16', int32: 'int32', int64: 'int64' };

/** Runs the float model and writes the dump folder. */
export async function runFloat(opts: FloatOptions): Promise<FloatResult> {
  const t0 = performance.now();
  const model = typeof opts.model === 'string' ? await loadModel(opts.model) : opts.model;
  const input = await prepareFloatInput(model, opts);
  const warnings = [...model.warnings, ...input.warnings];
  const out = path.resolve(opts.out);
  await prepareOutDir(out, Boolean(opts.force));
  const t1 = performance.now();

  const exposed = exposeTensors(model, { include: (n) => !(n.opType === 'Constant' && n.domain === '') });
  const session = await createSession(exposed.bytes, model.file, { threads: opts.threads, exposedAll: true });
  const t2 = performance.now();
  let results: Record<string, OrtTensor | undefined>;
  try {
    const [n, h, w, c] = input.nhwcShape;
    results = await runSession(session, { [input.info.name]: floatTensor(input.nchw, [n, c, h, w]) }, model.file);
  } finally {
    await session.release();
  }
  const t3 = performance.now();

  const manifest = await writeFolder({ model, input, results, out, opts, warnings });
  const t4 = performance.now();
  return {
    out,
    manifest,
    written: manifest.tensors.length,
    warnings,
    timings: { prepareMs: t1 - t0, sessionMs: t2 - t1, runMs: t3 - t2, writeMs: t4 - t3, totalMs: t4 - t0 },
  };
}

interface WriteContext {
  model: OnnxModel;
  input: FloatInput;
  results: Record<string, OrtTensor | undefined>;
  out: string;
  opts: FloatOptions;
  warnings: string[];
}

/**
 * Writes every tensor in graph order. Each float tensor is transposed into one of two shared
 * slots, written from it, and hashed from it by a worker while the next one is transposed;
 * ORT's copy is released right after.
 */
async function writeFolder({ model, input, results, out, opts, warnings }: WriteContext): Promise<Manifest> {
  const writer = new DumpFolderWriter(out, {
    producer: 'float',
    model: { file: path.basename(model.file), md5: model.md5 },
    inputMd5: createHash('md5').update(input.fileBytes).digest('hex'),
    fileNames: opts.fileNames,
  });
  const order = graphOrder(model);
  let maxCount = 0;
  for (const t of Object.values(results)) if (t && FLOAT_TYPES.has(t.type)) maxCount = Math.max(maxCount, t.size);
  const hasher = new Md5Worker(maxCount * 4, 2);
  const total = order.length;
  let done = 0;
  try {
    for (const e of order) {
      if (e.kind === 'input') {
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
        const slot = await hasher.acquire();
        const f32 = new Float32Array(slot.buffer, 0, src.length);
        if (dims.length === 4) nchwToNhwc(src, dims, f32);
        else f32.set(src);
        const layout = dims.length === 4 ? 'NHWC' : 'row-major';
        // Written from the slot now; the worker hashes the same bytes while the next tensor is transposed.
        writer.add({ ...base, dtype: 'float32', shape: dumpShape(dims), layout, role: 'layer' }, f32, { md5: hasher.hash(slot, src.length * 4) });
      } else if (opts.nonFloat === 'write' && OWN_DTYPE[t.type]) {
        writer.add({ ...base, dtype: OWN_DTYPE[t.type]!, shape: dims, layout: 'row-major', role: 'layer' }, t.data as ArrayBufferView);
      } else {
        writer.skip({ ...base, dtype: t.type, shape: dims, reason: `not floating point (${t.type}); float_model holds float activations only` });
      }
      t.dispose();
      opts.onProgress?.(++done, total);
    }
    await writer.writeExtra('input_uint8.bin', input.fileBytes);
    await writer.writeExtra('model_node_info.json', `${JSON.stringify(modelNodeInfo(model), null, 1)}\n`);
    for (const r of writer.renamed) warnings.push(`tensor "${r.tensorName}" written as ${r.file} (its sanitized name ${r.wanted} was taken)`);
    return await writer.finish();
  } finally {
    await hasher.close();
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
