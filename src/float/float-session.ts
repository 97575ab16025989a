/**
 * A float model ready to dump: the model with every node output exposed, one onnxruntime session
 * (optimizations disabled, so every tensor keeps its name and value) and the file threads,
 * created once and reused by every dump (dumpWithSession in run-float.ts, one image each). `runFloat` is one
 * session with one dump; a caller dumping several images, or the benchmark, keeps the session.
 *
 * Output buffers: the first run lets onnxruntime allocate every output; later runs with the same
 * input shape hand it kept buffers as pre-allocated outputs, so it writes into memory that is
 * already mapped (YOLOX-nano 416: 369 outputs, 120 MB; ORT's own allocations page-fault every run).
 * onnxruntime-node copies every output into a new ArrayBuffer after the run, pre-allocated or not
 * (js/node/src/tensor_helper.cc, OrtValueToNapiValue); those copies are what run() returns, so the
 * caller owns them (the dump moves them to the file threads without another copy).
 *
 * Optimization level, measured on the five shared models with every tensor exposed: basic and
 * extended return byte-identical tensors and run no faster (nothing can be fused when every
 * intermediate is an output); all (NCHWc layouts) changes most tensors (YOLOX: 360 of 369, up to
 * 2.3e-5) and is slower on YOLOX. So: disabled, as the issue asks.
 */
import ort from 'onnxruntime-node';
import { TensorFileThreads } from '../io/tensor-file-threads.js';
import { exposeTensors } from '../onnx/expose.js';
import { createSession, floatTensor, runSession, type OrtSession, type OrtTensor } from '../onnx/ort-session.js';
import type { OnnxModel } from '../onnx/types.js';
import type { FloatInput } from './float-input.js';

export interface FloatSessionOptions {
  /** onnxruntime intra-op threads (default: one per core). */
  threads?: number;
  /**
   * Threads transposing, writing and hashing the tensor files (default 2: on 2 cores the main
   * thread only dispatches and renames meanwhile; io/tensor-file-threads.ts).
   */
  fileThreads?: number;
  /** Files per thread in its md5 lanes (tuning; default 10, see io/tensor-file-threads.ts). */
  slots?: number;
  /** onnxruntime's idle threads spin-wait (default false here: see SessionOptions.spinning). */
  spinning?: boolean;
}

/** Typed-array constructors of the numeric ORT types an output buffer can be pre-allocated for. */
const TYPED: Record<string, new (n: number) => ArrayBufferView & { length: number }> = {
  float32: Float32Array, float64: Float64Array, float16: Uint16Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array, bool: Uint8Array,
};

export class FloatSession {
  readonly model: OnnxModel;
  /** Transposes, writes and hashes the tensor files on worker threads. */
  readonly files: TensorFileThreads;
  /** Wall time of {@link FloatSession.create} (exposing the model, session creation), ms. */
  readonly createMs: number;
  /** Whether the last {@link FloatSession.run} had onnxruntime write into the kept output buffers. */
  lastRunReusedBuffers = false;
  private readonly session: OrtSession;
  /** Pre-allocated outputs of the last run, for the next run with the same input shape. */
  private outputs: { inputKey: string; fetches: Record<string, OrtTensor | null> } | null = null;

  private constructor(model: OnnxModel, session: OrtSession, files: TensorFileThreads, createMs: number) {
    this.model = model;
    this.session = session;
    this.files = files;
    this.createMs = createMs;
  }

  /** Exposes every node output of `model` (Constant nodes excepted) and creates the session. */
  static async create(model: OnnxModel, opts: FloatSessionOptions = {}): Promise<FloatSession> {
    const t0 = performance.now();
    // The threads start now, while onnxruntime builds the session.
    const files = new TensorFileThreads(opts.fileThreads ?? 2, { slots: opts.slots });
    try {
      const exposed = exposeTensors(model, { include: (n) => !(n.opType === 'Constant' && n.domain === '') });
      const session = await createSession(exposed.bytes, model.file, { threads: opts.threads, exposedAll: true, spinning: opts.spinning ?? false });
      return new FloatSession(model, session, files, performance.now() - t0);
    } catch (e) {
      await files.close();
      throw e;
    }
  }

  /**
   * Runs the model on one preprocessed input and returns every exposed output by tensor name.
   * The returned tensors are the caller's (onnxruntime-node's copies; the kept buffers stay here).
   */
  async run(input: FloatInput): Promise<Record<string, OrtTensor | undefined>> {
    const [n, h, w, c] = input.nhwcShape;
    const feeds = { [input.info.name]: floatTensor(input.nchw, [n, c, h, w]) };
    const inputKey = input.nhwcShape.join(',');
    const pre = this.outputs?.inputKey === inputKey ? this.outputs.fetches : null;
    this.outputs = null;
    this.lastRunReusedBuffers = false;
    if (pre) {
      let copies: Record<string, OrtTensor> | null = null;
      try {
        copies = await runSession(this.session, feeds, this.model.file, pre);
      } catch {
        // an output whose shape depends on the data, not only on the input shape: run plainly
      }
      if (copies) {
        this.outputs = { inputKey, fetches: pre };
        this.lastRunReusedBuffers = true;
        return copies;
      }
    }
    const results = await runSession(this.session, feeds, this.model.file);
    this.outputs = { inputKey, fetches: preallocated(results) };
    return results;
  }

  /** Releases the session and stops the file threads. */
  async close(): Promise<void> {
    this.outputs = null;
    try {
      await this.session.release();
    } finally {
      await this.files.close();
    }
  }
}

/**
 * Buffers for the next run, shaped like a plain run's outputs: new ones (the results themselves
 * go to the caller), pre-allocated for numeric types, null (onnxruntime allocates) for strings.
 * Every output is listed, so every one is computed.
 */
function preallocated(results: Record<string, OrtTensor>): Record<string, OrtTensor | null> {
  const fetches: Record<string, OrtTensor | null> = {};
  for (const [name, t] of Object.entries(results)) {
    const Ctor = TYPED[t.type];
    fetches[name] = Ctor && t.data instanceof Ctor ? new ort.Tensor(t.type as 'float32', new Ctor(t.data.length) as Float32Array, t.dims) : null;
  }
  return fetches;
}
