/**
 * onnxruntime-node sessions as this project uses them: optimizations off by default (so every
 * tensor of the file survives and keeps its name), warnings silenced, errors turned into
 * one-line {@link UserError}s naming the model.
 */
import ort from 'onnxruntime-node';
import { UserError } from '../errors.js';
import type { OnnxDType } from './types.js';

export type OrtSession = ort.InferenceSession;
export type OrtTensor = ort.Tensor;

export interface SessionOptions {
  /** Intra-op threads (default: onnxruntime's choice, one per core). */
  threads?: number;
  /** Graph optimization level (default 'disabled': every tensor keeps its name and value). */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * The model exposes every tensor as an output: turn off the CPU memory arena and memory-pattern
   * planning, which cannot reuse buffers then and only cost time (YOLOX-nano: run ~215 -> ~140 ms).
   */
  exposedAll?: boolean;
  /**
   * Let idle intra-op threads spin-wait for work (onnxruntime's default, true). false
   * (`session.intra_op.allow_spinning` = 0) makes them sleep after each parallel section, so
   * they do not take CPU from work that follows a run (the float dump's transposes, md5s, writes).
   */
  spinning?: boolean;
  /**
   * Stop the intra-op threads' spinning as soon as a run returns (`session.force_spinning_stop`;
   * spinning inside a run is unchanged). Without it they keep one core busy for ~30 ms after
   * each run (measured, 2 threads, YOLOX-nano), which takes that core from whatever runs next
   * (`bench`: the reference's own 2-thread run).
   */
  stopSpinningAfterRun?: boolean;
}

function firstLine(msg: string): string {
  // ORT appends its log lines (with ANSI colours) after the message; keep the message.
  // eslint-disable-next-line no-control-regex
  return (msg.split('\n')[0] ?? msg).replace(/\x1b\[[0-9;]*m.*$/, '').trim();
}

/** Creates a session from model bytes; `file` names the model in messages. */
export async function createSession(bytes: Uint8Array, file: string, options: SessionOptions = {}): Promise<OrtSession> {
  const opts: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: options.optimization ?? 'disabled',
    logSeverityLevel: 3,
    executionMode: 'sequential',
  };
  if (options.exposedAll) {
    opts.enableCpuMemArena = false;
    opts.enableMemPattern = false;
  }
  if (options.spinning === false || options.stopSpinningAfterRun) {
    opts.extra = {
      session: {
        ...(options.spinning === false ? { intra_op: { allow_spinning: '0' } } : {}),
        ...(options.stopSpinningAfterRun ? { force_spinning_stop: '1' } : {}),
      },
    };
  }
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 0) throw new UserError('USAGE', `threads ${options.threads}: expected a non-negative integer`, 'use 0 for onnxruntime\'s default');
    opts.intraOpNumThreads = options.threads;
  }
  try {
    return await ort.InferenceSession.create(bytes, opts);
  } catch (e) {
    throw new UserError('ONNX_UNSUPPORTED', `${file}: onnxruntime cannot load the model: ${firstLine((e as Error).message)}`, 'check that the model runs in onnxruntime (python -c "import onnxruntime as o; o.InferenceSession(path)")');
  }
}

/**
 * Runs a session; errors name the model. `fetches` limits the outputs computed and returned: a
 * list of names, or names mapped to a pre-allocated tensor of the output's exact type and shape
 * (onnxruntime writes into its buffer) or to null (allocated by onnxruntime).
 */
export async function runSession(session: OrtSession, feeds: Record<string, OrtTensor>, file: string, fetches?: string[] | Record<string, OrtTensor | null>): Promise<Record<string, OrtTensor>> {
  try {
    const r = fetches ? await session.run(feeds, fetches) : await session.run(feeds);
    return r as Record<string, OrtTensor>;
  } catch (e) {
    throw new UserError('EXEC_FAILED', `${file}: onnxruntime failed to run the model: ${firstLine((e as Error).message)}`, 'check the input shape against the model input (magik-parity inspect)');
  }
}

/** A float32 tensor over `data` (not copied). */
export function floatTensor(data: Float32Array, dims: readonly number[]): OrtTensor {
  return new ort.Tensor('float32', data, dims);
}

/** An all-zero tensor of an ONNX dtype (for shape discovery). */
export function zeroTensor(dtype: OnnxDType, dims: readonly number[]): OrtTensor {
  const n = dims.reduce((a, b) => a * b, 1);
  switch (dtype) {
    case 'float32':
      return new ort.Tensor('float32', new Float32Array(n), dims);
    case 'float64':
      return new ort.Tensor('float64', new Float64Array(n), dims);
    case 'float16':
      return new ort.Tensor('float16', new Uint16Array(n), dims);
    case 'int8':
      return new ort.Tensor('int8', new Int8Array(n), dims);
    case 'uint8':
      return new ort.Tensor('uint8', new Uint8Array(n), dims);
    case 'int16':
      return new ort.Tensor('int16', new Int16Array(n), dims);
    case 'uint16':
      return new ort.Tensor('uint16', new Uint16Array(n), dims);
    case 'int32':
      return new ort.Tensor('int32', new Int32Array(n), dims);
    case 'int64':
      return new ort.Tensor('int64', new BigInt64Array(n), dims);
    case 'bool':
      return new ort.Tensor('bool', new Uint8Array(n), dims);
    case 'string':
      return new ort.Tensor('string', new Array<string>(n).fill(''), dims);
  }
}

/** ORT tensor type name -> our dtype ('float32', 'int64', 'bool', ...). */
export function dtypeOfOrt(type: string): OnnxDType | null {
  const known: Record<string, OnnxDType> = {
    float32: 'float32', float64: 'float64', float16: 'float16', int8: 'int8', uint8: 'uint8', int16: 'int16',
    uint16: 'uint16', int32: 'int32', int64: 'int64', bool: 'bool', string: 'string',
  };
  return known[type] ?? null;
}
