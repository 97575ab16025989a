/**
 * A float model ready to dump: the model with every node output exposed, one onnxruntime session
 * (optimizations disabled, so every tensor keeps its name and value) and the hash thread, created
 * once and reused by every {@link FloatSession.dump} (one image each). `runFloat` is one session
 * with one dump; a caller dumping several images, or the benchmark, keeps the session.
 *
 * Output buffers: the first run lets onnxruntime allocate every output; later runs with the same
 * input shape hand it the previous run's buffers as pre-allocated outputs, so it writes straight
 * into memory that is already mapped (YOLOX-nano 416: 369 outputs, 120 MB; run ~130 -> ~65 ms).
 */
import ort from 'onnxruntime-node';
import { Md5Worker } from '../io/md5-worker.js';
import { exposeTensors } from '../onnx/expose.js';
import { createSession, floatTensor, runSession, type OrtSession, type OrtTensor } from '../onnx/ort-session.js';
import type { OnnxModel } from '../onnx/types.js';
import type { FloatInput } from './float-input.js';

export interface FloatSessionOptions {
  /** onnxruntime intra-op threads (default: one per core). */
  threads?: number;
  /**
   * Threads transposing and hashing while the main thread copies and writes (default 1: one
   * thread keeps up with the writes of a YOLOX dump (wasm SIMD transposes + 8-stream md5), and
   * fills its md5 lanes better than two threads sharing the same 8 slots; measured on 2 cores).
   */
  hashThreads?: number;
  /** md5 blocks per lane between two looks at the thread's queue (tuning; see io/md5-worker.ts). */
  stepBlocks?: number;
  /** Tensors in flight (each slot: twice the largest tensor; default 8). */
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
  /** Hashes tensor files on worker threads (slots grown to the largest tensor by the runner). */
  readonly hasher: Md5Worker;
  /** Wall time of {@link FloatSession.create} (exposing the model, session creation), ms. */
  readonly createMs: number;
  /** Whether the last {@link FloatSession.run} had onnxruntime write into the kept output buffers. */
  lastRunReusedBuffers = false;
  private readonly session: OrtSession;
  /** Pre-allocated outputs of the last run, for the next run with the same input shape. */
  private outputs: { inputKey: string; fetches: Record<string, OrtTensor | null> } | null = null;

  private constructor(model: OnnxModel, session: OrtSession, hasher: Md5Worker, createMs: number) {
    this.model = model;
    this.session = session;
    this.hasher = hasher;
    this.createMs = createMs;
  }

  /** Exposes every node output of `model` (Constant nodes excepted) and creates the session. */
  static async create(model: OnnxModel, opts: FloatSessionOptions = {}): Promise<FloatSession> {
    const t0 = performance.now();
    // The thread starts now, while onnxruntime builds the session.
    const hasher = new Md5Worker(1 << 20, opts.slots ?? 8, opts.hashThreads ?? 1, { staging: true, stepBlocks: opts.stepBlocks });
    try {
      const exposed = exposeTensors(model, { include: (n) => !(n.opType === 'Constant' && n.domain === '') });
      const session = await createSession(exposed.bytes, model.file, { threads: opts.threads, exposedAll: true, spinning: opts.spinning ?? false });
      return new FloatSession(model, session, hasher, performance.now() - t0);
    } catch (e) {
      await hasher.close();
      throw e;
    }
  }

  /**
   * Runs the model on one preprocessed input and returns every exposed output by tensor name.
   * The returned tensors stay valid until the next run() (their buffers are reused then).
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
        // onnxruntime filled the given buffers; the copies it returns besides are dropped. The
        // caller gets its own wrappers (it may dispose them) over the kept buffers.
        const out: Record<string, OrtTensor | undefined> = {};
        for (const [name, t] of Object.entries(copies)) {
          const p = pre[name];
          out[name] = p ? new ort.Tensor(p.type as 'float32', p.data as Float32Array, p.dims) : t;
        }
        this.outputs = { inputKey, fetches: pre };
        this.lastRunReusedBuffers = true;
        return out;
      }
    }
    const results = await runSession(this.session, feeds, this.model.file);
    this.outputs = { inputKey, fetches: preallocated(results) };
    return results;
  }

  /** Releases the session and stops the hash thread. */
  async close(): Promise<void> {
    this.outputs = null;
    try {
      await this.session.release();
    } finally {
      await this.hasher.close();
    }
  }
}

/**
 * The outputs of a plain run as fetches for the next one: their buffers, pre-allocated (numeric
 * types), or null (onnxruntime allocates; strings). Every output is listed, so every one is computed.
 */
function preallocated(results: Record<string, OrtTensor>): Record<string, OrtTensor | null> {
  const fetches: Record<string, OrtTensor | null> = {};
  for (const [name, t] of Object.entries(results)) {
    const Ctor = TYPED[t.type];
    fetches[name] = Ctor && t.data instanceof Ctor ? new ort.Tensor(t.type as 'float32', t.data as Float32Array, t.dims) : null;
  }
  return fetches;
}
