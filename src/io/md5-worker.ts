/**
 * md5 of large buffers on worker threads, so hashing overlaps the main thread's transposing
 * and writing (the float runner hashes ~120 MB for YOLOX-nano 416).
 *
 * The caller fills one of `slots` shared buffers (SharedArrayBuffer, no copy), hands it to
 * {@link Md5Worker.hash} (the hash starts at once on the least busy thread), may write the same
 * bytes to disk meanwhile, and the slot comes back free when the hash is done. With more slots
 * than threads the main thread fills one while the threads hash others. Without worker threads
 * (or when starting one fails) hashing happens inline.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

// CommonJS source evaluated in the worker (works the same from src/ under vitest and from dist/).
// The slots are shared once (and again after a resize); a job carries only a slot index.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
let views = workerData.map((sab) => new Uint8Array(sab));
parentPort.on('message', (m) => {
  if (m.slots) { views = m.slots.map((sab) => new Uint8Array(sab)); return; }
  const md5 = createHash('md5').update(views[m.slot].subarray(0, m.len)).digest('hex');
  parentPort.postMessage({ id: m.id, md5 });
});
`;

interface Slot {
  sab: SharedArrayBuffer;
  busy: boolean;
}

interface Thread {
  worker: Worker;
  /** Jobs posted and not yet answered. */
  load: number;
}

export class Md5Worker {
  private readonly threads: Thread[] = [];
  private slots: Slot[];
  private readonly waiters: ((s: Slot) => void)[] = [];
  private readonly pending = new Map<number, { resolve: (md5: string) => void; reject: (e: Error) => void; slot: Slot; thread: Thread | null }>();
  private nextId = 0;
  private failure: Error | null = null;

  /**
   * `slotBytes`: the largest buffer that will be hashed (see {@link Md5Worker.ensureSlotBytes});
   * `slots`: how many may be filled or in flight at once; `threads`: worker threads hashing.
   */
  constructor(slotBytes: number, slots = 2, threads = 1) {
    this.slots = Array.from({ length: slots }, () => ({ sab: new SharedArrayBuffer(Math.max(8, slotBytes)), busy: false }));
    for (let i = 0; i < threads; i++) {
      try {
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData: this.slots.map((s) => s.sab) });
        w.unref();
        w.on('message', (m: { id: number; md5: string }) => this.settle(m.id, m.md5));
        w.on('error', (e) => this.fail(e));
        this.threads.push({ worker: w, load: 0 });
      } catch {
        break; // no worker threads here: hash inline (or on the threads started so far)
      }
    }
  }

  /** Bytes per slot. */
  get slotBytes(): number {
    return this.slots[0]!.sab.byteLength;
  }

  /**
   * Makes every slot at least `bytes` long. Call only while no slot is acquired (between
   * dumps); larger slots are allocated and shared with the threads once.
   */
  ensureSlotBytes(bytes: number): void {
    if (bytes <= this.slotBytes) return;
    if (this.slots.some((s) => s.busy)) throw new Error('Md5Worker.ensureSlotBytes: a slot is in use');
    this.slots = this.slots.map(() => ({ sab: new SharedArrayBuffer(bytes), busy: false }));
    for (const t of this.threads) t.worker.postMessage({ slots: this.slots.map((s) => s.sab) });
  }

  /** Waits for a free slot and returns a view over all of it. */
  async acquire(): Promise<Uint8Array> {
    if (this.failure) throw this.failure;
    const free = this.slots.find((s) => !s.busy);
    const slot = free ?? (await new Promise<Slot>((res) => this.waiters.push(res)));
    slot.busy = true;
    return new Uint8Array(slot.sab);
  }

  /** Hashes the first `length` bytes of an acquired slot; the slot is released when done. */
  hash(view: Uint8Array, length: number): Promise<string> {
    const slot = this.slots.find((s) => s.sab === view.buffer);
    if (!slot || !slot.busy) throw new Error('Md5Worker.hash: not an acquired slot');
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
      thread.worker.postMessage({ id, slot: this.slots.indexOf(slot), len: length });
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
    if (w) w(slot);
    else slot.busy = false;
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
