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
 * Memory: ORT returns all tensors of the single run at once (YOLOX-nano 416: 122 MB, in
 * onnxruntime-node's own copies); each tensor's buffer moves (no copy) to a file thread, which
 * transposes it into one of its reused slots, writes and hashes it there and drops the buffer
 * (write-float-folder.ts, io/tensor-file-threads.ts). A kept session also keeps one set of output
 * buffers for onnxruntime to write into (float-session.ts).
 *
 * Speed: see float-session.ts (session, file threads and output buffers reused across dumps) and
 * write-float-folder.ts (transposes, writes and md5s on the file threads, main thread free);
 * `dumpWithSession` is one dump with a kept session, as the benchmark times it.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { fsError } from '../errors.js';
import { prepareOutDir } from '../io/atomic.js';
import { loadModel } from '../onnx/load.js';
import type { OnnxModel } from '../onnx/types.js';
import type { Manifest } from '../dumps/manifest-types.js';
import { prepareFloatInput, type FloatInput, type FloatInputOptions } from './float-input.js';
import { FloatSession } from './float-session.js';
import { writeFloatFolder, type WriteFloatOptions } from './write-float-folder.js';

export interface FloatOptions extends FloatInputOptions, WriteFloatOptions {
  /** The model file, or a model already loaded with loadModel. */
  model: string | OnnxModel;
  /** Output folder (created; must be empty unless `force`). */
  out: string;
  /** Replace the files of a non-empty output folder. */
  force?: boolean;
  /** onnxruntime intra-op threads (default: one per core). */
  threads?: number;
}

export interface FloatTimings {
  /** Model load + input preparation, ms. */
  prepareMs: number;
  /** Session creation (exposed model) and file thread start-up, ms. */
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

/** Runs the float model and writes the dump folder (one {@link FloatSession}, one dump). */
export async function runFloat(opts: FloatOptions): Promise<FloatResult> {
  const t0 = performance.now();
  const model = typeof opts.model === 'string' ? await loadModel(opts.model) : opts.model;
  const input = await prepareFloatInput(model, opts);
  const warnings = [...model.warnings, ...input.warnings];
  const out = path.resolve(opts.out);
  await prepareOutDir(out, Boolean(opts.force));
  // --force over an earlier dump: its manifest (written last, the mark of a finished folder) goes
  // first, so an interrupted rerun never leaves new tensors beside the old run's manifest
  if (opts.force) {
    const marker = path.join(out, 'manifest.json');
    try {
      await fsp.rm(marker, { force: true });
    } catch (e) {
      throw fsError(e, marker, "remove the earlier run's manifest (--force)");
    }
  }
  const t1 = performance.now();
  const session = await FloatSession.create(model, { threads: opts.threads });
  try {
    const t2 = performance.now();
    const r = await dumpWithSession(session, input, out, opts, warnings);
    return { out, manifest: r.manifest, written: r.manifest.tensors.length, warnings, timings: { prepareMs: t1 - t0, sessionMs: t2 - t1, runMs: r.runMs, writeMs: r.writeMs, totalMs: performance.now() - t0 } };
  } finally {
    await session.close();
  }
}

/**
 * One dump with an existing session into a prepared folder `out` (absolute): the run, then
 * every file. `warnings` receives the renamed-file warnings. Times in ms.
 */
export async function dumpWithSession(session: FloatSession, input: FloatInput, out: string, opts: WriteFloatOptions, warnings: string[]): Promise<{ manifest: Manifest; runMs: number; writeMs: number }> {
  const t0 = performance.now();
  const results = await session.run(input);
  const t1 = performance.now();
  const manifest = await writeFloatFolder({ model: session.model, input, results, out, files: session.files, warnings }, opts);
  return { manifest, runMs: t1 - t0, writeMs: performance.now() - t1 };
}
