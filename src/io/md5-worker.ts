/**
 * md5 of large buffers on worker threads, so hashing overlaps the main thread's transposing
 * and writing (the float runner hashes ~120 MB for YOLOX-nano 416).
 *
 * The caller fills one of `slots` buffers, regions of one shared WebAssembly memory (no copy),
 * hands it to {@link Md5Worker.hash} (the hash starts at once on the least busy thread), may write
 * the same bytes to disk meanwhile, and the slot comes back free when its hash is done. With more
 * slots than threads the main thread fills one while the threads hash others.
 *
 * With `staging`, each slot has a second region of the same size: the caller copies a float32
 * NCHW tensor there and {@link Md5Worker.transposeAndHash} has a thread transpose it into the
 * slot as NHWC (4x4 tiles in WebAssembly SIMD, tensor/transpose-wasm.ts, edges and fallback
 * layout.ts's loops; bit-exact 32-bit moves), report it ready (the caller writes the
 * file then and calls {@link Md5Worker.written}), and hash it: the main thread only copies and writes.
 *
 * Each thread hashes four slots side by side with the SIMD module (md5x4.ts: ~2-3x OpenSSL's
 * single-stream md5 on one core when four are queued); where WebAssembly SIMD is unavailable it
 * uses crypto's md5 per slot. Without worker threads (or when starting one fails) everything
 * happens inline.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { MD5X4_LAYOUT, MD5X4_MAX_PAGES } from './md5x4-wasm.js';
import { Md5Lanes, md5x4Module } from './md5x4.js';
import { transposeChannels, transposeEdges } from '../tensor/layout.js';

/** Slots start here; below are the threads' control blocks (MD5X4_LAYOUT.size each). */
const SLOT_BASE = 65536;
const PAGE = 65536;
/**
 * md5 blocks per lane between two looks at the message queue (32 KiB per lane, ~0.2 ms for eight
 * lanes): a transpose request waits at most one step, and the main thread waits for it to write
 * the file. (4096 made the writes wait visibly on a loaded 2-core machine.)
 */
const STEP_BLOCKS = 512;

// CommonJS source evaluated in the worker (works the same from src/ under vitest and from dist/).
const workerSource = (): string => `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { module, ctl, layout, stepBlocks } = workerData;
const Md5Lanes = (${Md5Lanes.toString()});
const transposeChannels = (${transposeChannels.toString()});
const transposeEdges = (${transposeEdges.toString()});
let memory = null;
let lanes = null;
let transpose = null;
const attach = (m) => {
  memory = m;
  const exp = module ? new WebAssembly.Instance(module, { env: { mem: memory } }).exports : null;
  lanes = exp ? new Md5Lanes(memory, exp.run, ctl, layout) : null;
  transpose = exp ? exp.transpose : null;
};
attach(workerData.memory);
let scheduled = false;
const pump = () => {
  scheduled = false;
  const done = lanes.step(stepBlocks);
  if (done.length > 0) parentPort.postMessage(done);
  if (lanes.busy) { scheduled = true; setImmediate(pump); }
};
parentPort.on('message', (m) => {
  if (m.memory) return attach(m.memory);
  if (m.dims) {
    const [n, c, hw] = m.dims;
    const count = m.length >> 2;
    if (transpose && c >= 4 && hw >= 4) {
      // 4x4 tiles in WebAssembly SIMD, the edges in JS
      const per = c * hw;
      for (let b = 0; b < n; b++) {
        const s = m.stage + 4 * b * per;
        const d = m.offset + 4 * b * per;
        transpose(s, d, c, hw, c & ~3, hw & ~3);
        transposeEdges(new Int32Array(memory.buffer, s, per), new Int32Array(memory.buffer, d, per), c, hw, c & ~3, hw & ~3);
      }
    } else {
      transposeChannels(new Int32Array(memory.buffer, m.stage, count), new Int32Array(memory.buffer, m.offset, count), n, c, hw);
    }
    parentPort.postMessage({ ready: m.id });
  }
  if (!lanes) {
    const md5 = createHash('md5').update(new Uint8Array(memory.buffer, m.offset, m.length)).digest('hex');
    parentPort.postMessage([{ id: m.id, md5 }]);
    return;
  }
  lanes.add(m);
  if (!scheduled) { scheduled = true; setImmediate(pump); }
});
`;

interface Slot {
  /** Byte offsets in the memory of the slot and of its staging region (= offset without staging). */
  offset: number;
  stage: number;
  busy: boolean;
  /** Releases still due: the md5, and with transposeAndHash the caller's written(). */
  refs: number;
}

interface Thread {
  worker: Worker;
  /** Jobs posted and not yet answered. */
  load: number;
}

export class Md5Worker {
  private readonly threads: Thread[] = [];
  private memory: WebAssembly.Memory;
  private readonly slots: Slot[];
  private bytesPerSlot: number;
  private readonly waiters: { resolve: (s: Slot) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (md5: string) => void; reject: (e: Error) => void; slot: Slot; thread: Thread | null }>();
  private readonly readies = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private readonly staged: boolean;
  private nextId = 0;
  private failure: Error | null = null;
  /** Whether the threads hash with the SIMD module (else crypto md5). */
  readonly simd: boolean;

  /**
   * `slotBytes`: the largest buffer that will be hashed (see {@link Md5Worker.ensureSlotBytes});
   * `slots`: how many may be filled or in flight at once; `threads`: worker threads hashing;
   * `staging`: give each slot a staging region (for {@link Md5Worker.transposeAndHash}).
   */
  constructor(slotBytes: number, slots = 2, threads = 1, options: { staging?: boolean; stepBlocks?: number } = {}) {
    this.staged = Boolean(options.staging);
    this.bytesPerSlot = roundUp(Math.max(64, slotBytes), 64);
    this.memory = new WebAssembly.Memory({ initial: pagesFor(this.regionBytes(), slots), maximum: MD5X4_MAX_PAGES, shared: true });
    this.slots = Array.from({ length: slots }, () => ({ offset: 0, stage: 0, busy: false, refs: 0 }));
    this.place();
    const module = threads > 0 ? md5x4Module() : null;
    this.simd = module !== null;
    for (let i = 0; i < threads; i++) {
      try {
        const w = new Worker(workerSource(), { eval: true, workerData: { memory: this.memory, module, ctl: i * MD5X4_LAYOUT.size, layout: MD5X4_LAYOUT, stepBlocks: options.stepBlocks ?? STEP_BLOCKS } });
        w.unref();
        w.on('message', (m: { id: number; md5: string }[] | { ready: number }) => {
          if (Array.isArray(m)) for (const d of m) this.settle(d.id, d.md5);
          else this.readied(m.ready);
        });
        w.on('error', (e) => this.fail(e));
        this.threads.push({ worker: w, load: 0 });
      } catch {
        break; // no worker threads here: hash inline (or on the threads started so far)
      }
    }
  }

  /** Number of slots. */
  get slotCount(): number {
    return this.slots.length;
  }

  /** Bytes per slot. */
  get slotBytes(): number {
    return this.bytesPerSlot;
  }

  /**
   * Makes every slot at least `bytes` long. Call only while no slot is acquired (between
   * dumps). A larger memory replaces the old one in every thread (a message, handled before
   * any later job) rather than growing the shared one, so no thread's instance depends on
   * seeing a grow() made on another thread.
   */
  ensureSlotBytes(bytes: number): void {
    if (bytes <= this.bytesPerSlot) return;
    if (this.slots.some((s) => s.busy)) throw new Error('Md5Worker.ensureSlotBytes: a slot is in use');
    this.bytesPerSlot = roundUp(bytes, 64);
    this.memory = new WebAssembly.Memory({ initial: pagesFor(this.regionBytes(), this.slots.length), maximum: MD5X4_MAX_PAGES, shared: true });
    for (const t of this.threads) t.worker.postMessage({ memory: this.memory });
    this.place();
  }

  /** The staging region of an acquired slot (same size as the slot); needs `staging`. */
  staging(view: Uint8Array): Uint8Array {
    const slot = this.slotOf(view);
    if (!this.staged) throw new Error('Md5Worker.staging: created without staging');
    return new Uint8Array(this.memory.buffer, slot.stage, this.bytesPerSlot);
  }

  /**
   * With `nchw` = [n, c, h*w]: a thread transposes the slot's staging region (n*c*h*w 32-bit
   * elements, NCHW) into the slot as NHWC; with null the slot already holds the bytes. Then
   * the first `length` bytes are hashed. `ready` settles when the slot holds its final bytes;
   * the slot is released once the md5 is done and {@link Md5Worker.written} was called.
   */
  transposeAndHash(view: Uint8Array, length: number, nchw: [number, number, number] | null): { ready: Promise<void>; md5: Promise<string> } {
    const slot = this.slotOf(view, length);
    const thread = this.leastBusy();
    slot.refs = 2;
    if (!thread) {
      if (nchw) {
        const count = length >> 2;
        transposeChannels(new Int32Array(this.memory.buffer, slot.stage, count), new Int32Array(this.memory.buffer, slot.offset, count), nchw[0], nchw[1], nchw[2]);
      }
      const md5 = createHash('md5').update(view.subarray(0, length)).digest('hex');
      this.unref(slot);
      return { ready: Promise.resolve(), md5: Promise.resolve(md5) };
    }
    const id = this.nextId++;
    const ready = nchw ? new Promise<void>((resolve, reject) => this.readies.set(id, { resolve, reject })) : Promise.resolve();
    ready.catch(() => undefined); // surfaced through md5 / the caller's await
    thread.load++;
    const md5 = new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot, thread });
      thread.worker.postMessage({ id, offset: slot.offset, length, ...(nchw ? { stage: slot.stage, dims: nchw } : {}) });
    });
    // A caller stopped by an error (its slots never written) may not await it: close() must
    // not turn that into an unhandled rejection. Awaiting it still rejects.
    md5.catch(() => undefined);
    return { ready, md5 };
  }

  /** The caller is done with a slot given to {@link Md5Worker.transposeAndHash} (its file is written). */
  written(view: Uint8Array): void {
    const slot = this.slots.find((s) => s.offset === view.byteOffset && s.busy && s.refs > 0);
    if (!slot) throw new Error('Md5Worker.written: not a slot being transposed and hashed');
    this.unref(slot);
  }

  /**
   * Waits for a free slot and returns a view over all of it: a region of a shared memory, so
   * views of another type must start at its `byteOffset` (`new Float32Array(v.buffer, v.byteOffset, n)`).
   */
  async acquire(): Promise<Uint8Array> {
    if (this.failure) throw this.failure;
    const free = this.slots.find((s) => !s.busy);
    const slot = free ?? (await new Promise<Slot>((resolve, reject) => this.waiters.push({ resolve, reject })));
    slot.busy = true;
    return new Uint8Array(this.memory.buffer, slot.offset, this.bytesPerSlot);
  }

  /** Hashes the first `length` bytes of an acquired slot; the slot is released when done. */
  hash(view: Uint8Array, length: number): Promise<string> {
    const slot = this.slotOf(view, length);
    const thread = this.leastBusy();
    slot.refs = 1;
    if (!thread) {
      const md5 = createHash('md5').update(view.subarray(0, length)).digest('hex');
      this.unref(slot);
      return Promise.resolve(md5);
    }
    const id = this.nextId++;
    thread.load++;
    const md5 = new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot, thread });
      thread.worker.postMessage({ id, offset: slot.offset, length });
    });
    md5.catch(() => undefined); // like transposeAndHash: a hash nobody awaits (caller stopped) is no unhandled rejection on close()
    return md5;
  }

  /** Stops the threads (pending hashes are rejected). */
  async close(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
    this.fail(new Error('Md5Worker closed'));
  }

  private settle(id: number, md5: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (p.thread) p.thread.load--;
    this.unref(p.slot);
    p.resolve(md5);
  }

  private readied(id: number): void {
    const r = this.readies.get(id);
    this.readies.delete(id);
    r?.resolve();
  }

  /** The acquired slot `view` starts, checked against `length`. */
  private slotOf(view: Uint8Array, length = 0): Slot {
    const slot = view.buffer instanceof SharedArrayBuffer && view.buffer.byteLength === this.memory.buffer.byteLength ? this.slots.find((s) => s.offset === view.byteOffset) : undefined;
    if (!slot || !slot.busy || slot.refs > 0 || length > this.bytesPerSlot) throw new Error('Md5Worker.hash: not an acquired slot');
    return slot;
  }

  private leastBusy(): Thread | null {
    return this.threads.reduce<Thread | null>((best, t) => (!best || t.load < best.load ? t : best), null);
  }

  /** Bytes per slot including its staging region. */
  private regionBytes(): number {
    return this.staged ? 2 * this.bytesPerSlot : this.bytesPerSlot;
  }

  private place(): void {
    this.slots.forEach((s, i) => {
      s.offset = SLOT_BASE + i * this.regionBytes();
      s.stage = this.staged ? s.offset + this.bytesPerSlot : s.offset;
    });
  }

  private unref(slot: Slot): void {
    if (--slot.refs > 0) return;
    this.release(slot);
  }

  private release(slot: Slot): void {
    const w = this.waiters.shift();
    if (w) w.resolve(slot);
    else slot.busy = false;
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
    for (const r of this.readies.values()) r.reject(e);
    this.readies.clear();
    for (const w of this.waiters.splice(0)) w.reject(e);
  }
}

const roundUp = (n: number, k: number): number => Math.ceil(n / k) * k;
const pagesFor = (regionBytes: number, slots: number): number => Math.ceil((SLOT_BASE + regionBytes * slots) / PAGE);
