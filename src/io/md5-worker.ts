/**
 * md5 of large buffers on worker threads, so hashing overlaps the main thread's transposing
 * and writing (the float runner hashes ~120 MB for YOLOX-nano 416).
 *
 * The caller fills one of `slots` buffers, regions of one shared WebAssembly memory (no copy),
 * hands it to {@link Md5Worker.hash} (the hash starts at once on the least busy thread), may write
 * the same bytes to disk meanwhile, and the slot comes back free when its hash is done. With more
 * slots than threads the main thread fills one while the threads hash others.
 *
 * Each thread hashes four slots side by side with the SIMD module (md5x4.ts: ~2-3x OpenSSL's
 * single-stream md5 on one core when four are queued); where WebAssembly SIMD is unavailable it
 * uses crypto's md5 per slot. Without worker threads (or when starting one fails) hashing happens
 * inline.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { MD5X4_LAYOUT, MD5X4_MAX_PAGES } from './md5x4-wasm.js';
import { Md5Lanes, md5x4Module } from './md5x4.js';

/** Slots start here; below are the threads' control blocks (MD5X4_LAYOUT.size each). */
const SLOT_BASE = 65536;
const PAGE = 65536;
/** Blocks per lane between two looks at the message queue (256 KiB per lane). */
const STEP_BLOCKS = 4096;

// CommonJS source evaluated in the worker (works the same from src/ under vitest and from dist/).
const workerSource = (): string => `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const { module, ctl, layout } = workerData;
const Md5Lanes = (${Md5Lanes.toString()});
let memory = null;
let lanes = null;
const attach = (m) => {
  memory = m;
  lanes = module ? new Md5Lanes(memory, new WebAssembly.Instance(module, { env: { mem: memory } }).exports.run, ctl, layout) : null;
};
attach(workerData.memory);
let scheduled = false;
const pump = () => {
  scheduled = false;
  const done = lanes.step(${STEP_BLOCKS});
  if (done.length > 0) parentPort.postMessage(done);
  if (lanes.busy) { scheduled = true; setImmediate(pump); }
};
parentPort.on('message', (m) => {
  if (m.memory) return attach(m.memory);
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
  /** Byte offset in the memory. */
  offset: number;
  busy: boolean;
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
  private nextId = 0;
  private failure: Error | null = null;
  /** Whether the threads hash with the SIMD module (else crypto md5). */
  readonly simd: boolean;

  /**
   * `slotBytes`: the largest buffer that will be hashed (see {@link Md5Worker.ensureSlotBytes});
   * `slots`: how many may be filled or in flight at once; `threads`: worker threads hashing.
   */
  constructor(slotBytes: number, slots = 2, threads = 1) {
    this.bytesPerSlot = roundUp(Math.max(64, slotBytes), 64);
    this.memory = new WebAssembly.Memory({ initial: pagesFor(this.bytesPerSlot, slots), maximum: MD5X4_MAX_PAGES, shared: true });
    this.slots = Array.from({ length: slots }, (_, i) => ({ offset: SLOT_BASE + i * this.bytesPerSlot, busy: false }));
    const module = threads > 0 ? md5x4Module() : null;
    this.simd = module !== null;
    for (let i = 0; i < threads; i++) {
      try {
        const w = new Worker(workerSource(), { eval: true, workerData: { memory: this.memory, module, ctl: i * MD5X4_LAYOUT.size, layout: MD5X4_LAYOUT } });
        w.unref();
        w.on('message', (done: { id: number; md5: string }[]) => {
          for (const d of done) this.settle(d.id, d.md5);
        });
        w.on('error', (e) => this.fail(e));
        this.threads.push({ worker: w, load: 0 });
      } catch {
        break; // no worker threads here: hash inline (or on the threads started so far)
      }
    }
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
    this.memory = new WebAssembly.Memory({ initial: pagesFor(this.bytesPerSlot, this.slots.length), maximum: MD5X4_MAX_PAGES, shared: true });
    for (const t of this.threads) t.worker.postMessage({ memory: this.memory });
    this.slots.forEach((s, i) => (s.offset = SLOT_BASE + i * this.bytesPerSlot));
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
    const slot = view.buffer instanceof SharedArrayBuffer && view.buffer.byteLength === this.memory.buffer.byteLength ? this.slots.find((s) => s.offset === view.byteOffset) : undefined;
    if (!slot || !slot.busy || length > this.bytesPerSlot) throw new Error('Md5Worker.hash: not an acquired slot');
    const thread = this.threads.reduce<Thread | null>((best, t) => (!best || t.load < best.load ? t : best), null);
    if (!thread) {
      const md5 = createHash('md5').update(view.subarray(0, length)).digest('hex');
      this.release(slot);
      return Promise.resolve(md5);
    }
    const id = this.nextId++;
    thread.load++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot, thread });
      thread.worker.postMessage({ id, offset: slot.offset, length });
    });
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
    this.release(p.slot);
    p.resolve(md5);
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
    for (const w of this.waiters.splice(0)) w.reject(e);
  }
}

const roundUp = (n: number, k: number): number => Math.ceil(n / k) * k;
const pagesFor = (slotBytes: number, slots: number): number => Math.ceil((SLOT_BASE + slotBytes * slots) / PAGE);
