/**
 * Worker threads that turn float32 tensors into dump files: each thread takes a tensor (its
 * buffer transferred, not copied, when the caller gives it up), moves it into its own
 * WebAssembly memory (NCHW -> NHWC with the 4x4 SIMD tiles of tensor/transpose-wasm.ts, edges and
 * fallback in layout.ts's loops; 32-bit moves, bit-exact), writes the temporary file named by the
 * caller (io/atomic.ts DelegatedFile; the caller renames it), then hashes it with the 8-lane
 * SIMD md5 (io/md5x4.ts; node:crypto where WebAssembly SIMD is missing).
 *
 * Why threads write: after onnxruntime's run, the float dump is write + transpose + md5 of
 * ~120 MB (YOLOX-nano); the file writes (page-cache copies, inode allocation) are as costly as the
 * rest, and on the main thread they serialised behind its copies. Here each thread does all three
 * for its share of the tensors, the main thread only dispatches and renames, and each thread keeps
 * `slots` files in its md5 lanes so all eight lanes stay busy.
 *
 * Interrupts: a thread reads io/atomic.ts `stopFlag` before creating each file and skips the
 * file once it is set (the job settles rejected; DelegatedFile removes what exists).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { stopFlag } from './atomic.js';
import { MD5X4_LAYOUT, MD5X4_MAX_PAGES } from './md5x4-wasm.js';
import { Md5Lanes, md5x4Module } from './md5x4.js';
import { transposeChannels, transposeEdges } from '../tensor/layout.js';

/** md5 blocks per lane per step while the thread has no queued tensor (it then looks for new jobs). */
const STEP_BLOCKS = 512;
/** WebAssembly memory a thread gives its slots at most (beyond: one slot); bytes. */
const SLOT_BUDGET = 256 * 2 ** 20;

// CommonJS source evaluated in the worker (works the same from src/ under vitest and from dist/).
const workerSource = (): string => `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const { createHash } = require('node:crypto');
const { module, layout, slotCount, stepBlocks, budget, maxPages } = workerData;
const stop = new Int32Array(workerData.stop);
const Md5Lanes = (${Md5Lanes.toString()});
const transposeChannels = (${transposeChannels.toString()});
const transposeEdges = (${transposeEdges.toString()});
const PAGE = 65536;
let memory = null, lanes = null, transpose = null, slotBytes = 0, stage = 0, free = [];
const grow = (bytes) => {
  slotBytes = Math.ceil(bytes / 64) * 64;
  const n = Math.max(1, Math.min(slotCount, Math.floor(budget / slotBytes)));
  const pages = Math.ceil((layout.size + (n + 1) * slotBytes) / PAGE);
  if (pages > maxPages) return false;
  memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
  const exp = module ? new WebAssembly.Instance(module, { env: { mem: memory } }).exports : null;
  lanes = exp ? new Md5Lanes(memory, exp.run, 0, layout) : null;
  transpose = exp ? exp.transpose : null;
  free = [];
  for (let i = 0; i < n; i++) free.push(layout.size + i * slotBytes);
  stage = layout.size + n * slotBytes;
  return true;
};
const queue = [];
const inLanes = new Map();
const post = (m) => parentPort.postMessage(m);
// creates the file (never an existing one); removes it again when writing fails
const writeFile = (path, bytes) => {
  const fd = fs.openSync(path, 'wx');
  try {
    let off = 0;
    while (off < bytes.byteLength) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off);
  } catch (e) {
    fs.closeSync(fd);
    try { fs.unlinkSync(path); } catch {}
    throw e;
  }
  fs.closeSync(fd);
};
const fail = (job, e) => post({ id: job.id, error: { message: e.message, code: e.code } });
// a tensor too large for the slots: plain JS transpose into its own buffer, crypto md5
const direct = (job) => {
  const src = new Int32Array(job.data.buffer, job.data.byteOffset, job.data.byteLength >> 2);
  let out = src;
  if (job.dims) { out = new Int32Array(src.length); transposeChannels(src, out, job.dims[0], job.dims[1], job.dims[2]); }
  const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  writeFile(job.path, bytes);
  post({ id: job.id, written: true });
  post({ id: job.id, md5: createHash('md5').update(bytes).digest('hex') });
};
const handle = (job) => {
  if (Atomics.load(stop, 0) !== 0) return post({ id: job.id, error: { message: 'stopped', code: 'STOPPED' } });
  const length = job.data.byteLength;
  try {
    if (length === 0 || (length > slotBytes && !(inLanes.size === 0 && grow(length)))) return direct(job);
    const slot = free.pop();
    const count = length >> 2;
    const src = new Int32Array(job.data.buffer, job.data.byteOffset, count);
    job.data = null;
    if (job.dims) {
      const [n, c, hw] = job.dims;
      new Int32Array(memory.buffer, stage, count).set(src);
      if (transpose && c >= 4 && hw >= 4) {
        const per = c * hw;
        for (let b = 0; b < n; b++) {
          const s = stage + 4 * b * per, d = slot + 4 * b * per;
          transpose(s, d, c, hw, c & ~3, hw & ~3);
          transposeEdges(new Int32Array(memory.buffer, s, per), new Int32Array(memory.buffer, d, per), c, hw, c & ~3, hw & ~3);
        }
      } else {
        transposeChannels(new Int32Array(memory.buffer, stage, count), new Int32Array(memory.buffer, slot, count), n, c, hw);
      }
    } else {
      new Int32Array(memory.buffer, slot, count).set(src);
    }
    const bytes = new Uint8Array(memory.buffer, slot, length);
    try {
      writeFile(job.path, bytes);
    } catch (e) {
      free.push(slot);
      return fail(job, e);
    }
    post({ id: job.id, written: true });
    if (!lanes) {
      post({ id: job.id, md5: createHash('md5').update(bytes).digest('hex') });
      free.push(slot);
      return;
    }
    inLanes.set(job.id, slot);
    lanes.add({ id: job.id, offset: slot, length });
  } catch (e) {
    fail(job, e);
  }
};
const settle = (done) => {
  for (const d of done) {
    free.push(inLanes.get(d.id));
    inLanes.delete(d.id);
    post({ id: d.id, md5: d.md5 });
  }
};
let scheduled = false;
const pump = () => {
  scheduled = false;
  for (;;) {
    while (queue.length > 0) {
      const head = queue[0];
      if (head.reserve !== undefined) {
        // slots for the coming jobs: grown between two files, with the lanes drained first
        queue.shift();
        if (head.reserve > slotBytes) {
          if (lanes && lanes.busy) settle(lanes.drain());
          grow(head.reserve);
        }
        continue;
      }
      if (free.length === 0 && inLanes.size > 0) break;
      handle(queue.shift());
    }
    if (!lanes || !lanes.busy) return;
    if (queue.length === 0) {
      // nothing queued: a short step, then look for new jobs
      settle(lanes.step(stepBlocks));
      scheduled = true;
      setImmediate(pump);
      return;
    }
    settle(lanes.step());
  }
};
parentPort.on('message', (job) => {
  queue.push(job);
  if (!scheduled) { scheduled = true; setImmediate(pump); }
});
`;

/** What the caller awaits per file: the temporary written and closed, and its md5 (lowercase hex). */
export interface TensorFileJob {
  written: Promise<void>;
  md5: Promise<string>;
}

interface Thread {
  worker: Worker;
  /** Bytes of the jobs posted and not yet hashed. */
  load: number;
}

interface Pending {
  thread: Thread | null;
  bytes: number;
  written: { resolve: () => void; reject: (e: Error) => void };
  md5: { resolve: (m: string) => void; reject: (e: Error) => void };
}

export class TensorFileThreads {
  private readonly threads: Thread[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Whether the threads hash with the SIMD module (else node:crypto). */
  readonly simd: boolean;

  /**
   * `threads` worker threads (0: everything inline on the calling thread), each keeping up to
   * `slots` files in its md5 lanes (8 lanes; default 10, so a lane is refilled while the others run).
   */
  constructor(threads = 2, options: { slots?: number; stepBlocks?: number } = {}) {
    // each thread's memory is its own (unshared): copies into it are plain memcpy
    const module = threads > 0 ? md5x4Module(false) : null;
    this.simd = module !== null;
    for (let i = 0; i < threads; i++) {
      try {
        const w = new Worker(workerSource(), {
          eval: true,
          workerData: { module, layout: MD5X4_LAYOUT, slotCount: options.slots ?? 10, stepBlocks: options.stepBlocks ?? STEP_BLOCKS, budget: SLOT_BUDGET, maxPages: MD5X4_MAX_PAGES, stop: stopFlag.buffer },
        });
        w.unref();
        const thread: Thread = { worker: w, load: 0 };
        w.on('message', (m: { id: number; written?: true; md5?: string; error?: { message: string; code?: string } }) => this.onMessage(m));
        w.on('error', (e) => this.failAll(e));
        this.threads.push(thread);
      } catch {
        break; // no worker threads here: the files are written inline
      }
    }
  }

  /**
   * Writes `data` (float32 bits; with `nchw` = [n, c, h*w] transposed to NHWC, else as is) to the
   * new file `tmpPath` (created exclusively; must not exist) on the least loaded thread, and hashes
   * the written bytes. With `transfer`, `data`'s buffer is moved to the thread (the caller's view
   * is detached; it must own the whole buffer); otherwise the thread gets a copy.
   */
  write(data: Float32Array, nchw: [number, number, number] | null, tmpPath: string, transfer: boolean): TensorFileJob {
    const thread = this.threads.reduce<Thread | null>((best, t) => (!best || t.load < best.load ? t : best), null);
    if (!thread) return writeInline(data, nchw, tmpPath);
    const id = this.nextId++;
    const bytes = data.byteLength;
    let written!: Pending['written'];
    let md5!: Pending['md5'];
    const job: TensorFileJob = {
      written: new Promise<void>((resolve, reject) => (written = { resolve, reject })),
      md5: new Promise<string>((resolve, reject) => (md5 = { resolve, reject })),
    };
    // awaited through DelegatedFile / the caller; never an unhandled rejection when the caller stopped first
    job.written.catch(() => undefined);
    job.md5.catch(() => undefined);
    this.pending.set(id, { thread, bytes, written, md5 });
    thread.load += bytes;
    const own = transfer && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(data.buffer instanceof SharedArrayBuffer);
    const payload = own ? data : data.slice();
    thread.worker.postMessage({ id, data: payload, dims: nchw, path: tmpPath }, [payload.buffer as ArrayBuffer]);
    return job;
  }

  /**
   * Sizes every thread's slots for files of up to `bytes` bytes before the jobs that follow (a
   * thread otherwise grows them only when its lanes are idle, and writes a larger tensor alone,
   * without the SIMD paths, when they are not).
   */
  reserve(bytes: number): void {
    for (const t of this.threads) t.worker.postMessage({ reserve: bytes });
  }

  /** Stops the threads (jobs not finished are rejected). */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    this.failAll(new Error('TensorFileThreads closed'));
  }

  private onMessage(m: { id: number; written?: true; md5?: string; error?: { message: string; code?: string } }): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    if (m.written) return p.written.resolve();
    this.pending.delete(m.id);
    if (p.thread) p.thread.load -= p.bytes;
    if (m.md5 !== undefined) return p.md5.resolve(m.md5);
    const e = Object.assign(new Error(m.error?.message ?? 'write failed'), { code: m.error?.code });
    p.written.reject(e);
    p.md5.reject(e);
  }

  private failAll(e: Error): void {
    for (const p of this.pending.values()) {
      p.written.reject(e);
      p.md5.reject(e);
    }
    this.pending.clear();
  }
}

/** The same work on the calling thread (no worker threads available). */
function writeInline(data: Float32Array, nchw: [number, number, number] | null, tmpPath: string): TensorFileJob {
  try {
    if (Atomics.load(stopFlag, 0) !== 0) throw Object.assign(new Error('stopped'), { code: 'STOPPED' });
    const src = new Int32Array(data.buffer, data.byteOffset, data.length);
    let out = src;
    if (nchw) {
      out = new Int32Array(src.length);
      transposeChannels(src, out, nchw[0], nchw[1], nchw[2]);
    }
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const fd = openSync(tmpPath, 'wx');
    try {
      let off = 0;
      while (off < bytes.byteLength) off += writeSync(fd, bytes, off, bytes.byteLength - off);
    } catch (e) {
      closeSync(fd);
      unlinkSync(tmpPath);
      throw e;
    }
    closeSync(fd);
    return { written: Promise.resolve(), md5: Promise.resolve(createHash('md5').update(bytes).digest('hex')) };
  } catch (e) {
    const r = Promise.reject(e as Error);
    r.catch(() => undefined);
    return { written: r, md5: r as Promise<never> };
  }
}
