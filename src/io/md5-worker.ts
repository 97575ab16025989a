/**
 * md5 of large buffers on a worker thread, so hashing overlaps the main thread's transposing
 * and writing (the float runner hashes ~120 MB for YOLOX-nano 416).
 *
 * The caller fills one of `slots` shared buffers (SharedArrayBuffer, no copy), writes it to disk,
 * and hands it to {@link Md5Worker.hash}; the slot comes back free when the hash is done. With
 * two slots the main thread fills one while the worker hashes the other. Without worker
 * threads (or when starting one fails) hashing happens inline.
 */
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

// CommonJS source evaluated in the worker (works the same from src/ under vitest and from dist/).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const views = workerData.map((sab) => new Uint8Array(sab));
parentPort.on('message', (m) => {
  const md5 = createHash('md5').update(views[m.slot].subarray(0, m.len)).digest('hex');
  parentPort.postMessage({ id: m.id, md5 });
});
`;

interface Slot {
  sab: SharedArrayBuffer;
  busy: boolean;
}

export class Md5Worker {
  private readonly worker: Worker | null;
  private readonly slots: Slot[];
  private readonly waiters: ((s: Slot) => void)[] = [];
  private readonly pending = new Map<number, { resolve: (md5: string) => void; reject: (e: Error) => void; slot: Slot }>();
  private nextId = 0;
  private failure: Error | null = null;

  /** `slotBytes`: the largest buffer that will be hashed; `slots`: how many may be in flight. */
  constructor(slotBytes: number, slots = 2) {
    this.slots = Array.from({ length: slots }, () => ({ sab: new SharedArrayBuffer(Math.max(8, slotBytes)), busy: false }));
    let w: Worker | null = null;
    try {
      // The slots are shared once; messages then carry only a slot index (posting a
      // SharedArrayBuffer per message measured ~0.1 ms each).
      w = new Worker(WORKER_SOURCE, { eval: true, workerData: this.slots.map((s) => s.sab) });
      w.unref();
      w.on('message', (m: { id: number; md5: string }) => this.settle(m.id, m.md5));
      w.on('error', (e) => this.fail(e));
    } catch {
      w = null;
    }
    this.worker = w;
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
    if (!this.worker) {
      const md5 = createHash('md5').update(view.subarray(0, length)).digest('hex');
      this.release(slot);
      return Promise.resolve(md5);
    }
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, slot });
      this.worker!.postMessage({ id, slot: this.slots.indexOf(slot), len: length });
    });
  }

  /** Stops the worker (pending hashes are rejected). */
  async close(): Promise<void> {
    if (this.worker) await this.worker.terminate();
    this.fail(new Error('Md5Worker closed'));
  }

  private settle(id: number, md5: string): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
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
