/**
 * Lane bookkeeping for the multi-stream MD5 module (md5x4-wasm.ts, eight lanes): a queue of byte
 * ranges of a shared WebAssembly memory, fed through the lanes. A lane whose range ends gets
 * its final block(s) (RFC 1321 §3.1-3.2 padding and bit length) from its scratch area, then its
 * digest is read and the next queued range takes the lane; an idle lane reads a dummy block.
 * Ranges of similar lengths keep all four lanes busy (a YOLOX dump has many same-sized tensors
 * in a row); a lone range runs well below OpenSSL's single-stream speed.
 *
 * {@link Md5Lanes} uses nothing from its module scope: tensor-file-threads.ts evaluates its source
 * (`Md5Lanes.toString()`) inside the file threads, where the layout comes as an argument.
 */
import { MD5X4_LAYOUT, MD5X4_MAX_PAGES, md5x4ModuleBytes } from './md5x4-wasm.js';

/** One range to hash: `length` bytes at byte `offset` of the memory. */
export interface Md5Range {
  id: number;
  offset: number;
  length: number;
}

/** The control-block layout (MD5X4_LAYOUT). */
export type Md5LanesLayout = typeof MD5X4_LAYOUT;

export class Md5Lanes {
  private readonly memory: { buffer: ArrayBufferLike };
  private readonly run: (nblocks: number, ctl: number) => void;
  private readonly ctl: number;
  private readonly L: Md5LanesLayout;
  private readonly queue: Md5Range[] = [];
  /** Per lane: the range, blocks left in the current phase, whether the tail is running, tail blocks. */
  private readonly lanes: ({ range: Md5Range; left: number; tail: boolean; tailBlocks: number } | null)[];

  /** `ctl`: byte offset of this instance's control block (MD5X4_LAYOUT.size bytes, 16-aligned) in `memory`. */
  constructor(memory: { buffer: ArrayBufferLike }, run: (nblocks: number, ctl: number) => void, ctl: number, layout: Md5LanesLayout) {
    this.memory = memory;
    this.run = run;
    this.ctl = ctl;
    this.L = layout;
    this.lanes = Array.from({ length: layout.lanes }, () => null);
  }

  /** Queues a range (its bytes must stay unchanged until its digest is returned). */
  add(range: Md5Range): void {
    this.queue.push(range);
  }

  /** Whether ranges are queued or running. */
  get busy(): boolean {
    return this.queue.length > 0 || this.lanes.some((l) => l !== null);
  }

  /**
   * Runs up to `maxBlocks` blocks per lane (stops earlier when a lane reaches the end of its
   * range) and returns the ranges finished meanwhile with their md5 (lowercase hex).
   */
  step(maxBlocks = 1 << 30): { id: number; md5: string }[] {
    const done: { id: number; md5: string }[] = [];
    this.fill();
    let n = maxBlocks;
    let active = false;
    for (const l of this.lanes) {
      if (!l) continue;
      active = true;
      n = Math.min(n, l.left);
    }
    if (!active) return done;
    this.run(n, this.ctl);
    const u32 = new Uint32Array(this.memory.buffer, this.ctl, this.L.size >> 2);
    for (let j = 0; j < this.lanes.length; j++) {
      const l = this.lanes[j];
      if (!l) continue;
      l.left -= n;
      if (l.left > 0) continue;
      if (!l.tail) {
        l.tail = true;
        l.left = l.tailBlocks;
        u32[(this.L.ptrs >> 2) + j] = this.ctl + this.L.scratch + 128 * j;
        continue;
      }
      let hex = '';
      for (let w = 0; w < 4; w++) {
        const v = u32[(this.L.state >> 2) + 16 * (j >> 2) + 4 * w + (j & 3)]!;
        for (let b = 0; b < 4; b++) hex += ((v >>> (8 * b)) & 0xff).toString(16).padStart(2, '0');
      }
      done.push({ id: l.range.id, md5: hex });
      this.lanes[j] = null;
    }
    return done;
  }

  /** Hashes everything queued (synchronously); digests in completion order. */
  drain(): { id: number; md5: string }[] {
    const out: { id: number; md5: string }[] = [];
    while (this.busy) out.push(...this.step());
    return out;
  }

  /** Starts queued ranges on free lanes; parks the other free lanes on the dummy block. */
  private fill(): void {
    const u32 = new Uint32Array(this.memory.buffer, this.ctl, this.L.size >> 2);
    const bytes = new Uint8Array(this.memory.buffer);
    const IV = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476];
    for (let j = 0; j < this.lanes.length; j++) {
      if (this.lanes[j]) continue;
      const r = this.queue.shift();
      if (!r) {
        u32[(this.L.ptrs >> 2) + j] = this.ctl + this.L.dummy;
        u32[(this.L.strides >> 2) + j] = 0;
        continue;
      }
      for (let w = 0; w < 4; w++) u32[(this.L.state >> 2) + 16 * (j >> 2) + 4 * w + (j & 3)] = IV[w]!;
      const body = Math.floor(r.length / 64);
      const rest = r.length - 64 * body;
      const tailBlocks = rest + 9 > 64 ? 2 : 1;
      // the tail: the last partial block, 0x80, zeros, the length in bits (64-bit little-endian)
      const scratch = this.ctl + this.L.scratch + 128 * j;
      bytes.fill(0, scratch, scratch + 128);
      bytes.copyWithin(scratch, r.offset + 64 * body, r.offset + r.length);
      bytes[scratch + rest] = 0x80;
      const end = scratch + 64 * tailBlocks;
      const lo = (r.length * 8) >>> 0;
      const hi = Math.floor(r.length / 2 ** 29) >>> 0;
      for (let b = 0; b < 4; b++) {
        bytes[end - 8 + b] = (lo >>> (8 * b)) & 0xff;
        bytes[end - 4 + b] = (hi >>> (8 * b)) & 0xff;
      }
      u32[(this.L.ptrs >> 2) + j] = body > 0 ? r.offset : scratch;
      u32[(this.L.strides >> 2) + j] = 64;
      this.lanes[j] = { range: r, left: body > 0 ? body : tailBlocks, tail: body === 0, tailBlocks };
    }
  }
}

/**
 * The compiled module, or null where WebAssembly SIMD (or shared memory) is unavailable; with
 * `shared` false it imports an unshared memory (one thread's own).
 */
export function md5x4Module(shared = true): WebAssembly.Module | null {
  try {
    const mod = new WebAssembly.Module(md5x4ModuleBytes(MD5X4_MAX_PAGES, undefined, shared) as Uint8Array<ArrayBuffer>);
    // instantiate once to be sure the memory works here
    new WebAssembly.Instance(mod, { env: { mem: new WebAssembly.Memory({ initial: 1, maximum: MD5X4_MAX_PAGES, shared }) } });
    return mod;
  } catch {
    return null;
  }
}

/** Md5Lanes over `memory` with control block `ctl` (instantiates `module` on it). */
export function md5Lanes(module: WebAssembly.Module, memory: WebAssembly.Memory, ctl: number): Md5Lanes {
  const inst = new WebAssembly.Instance(module, { env: { mem: memory } });
  return new Md5Lanes(memory, inst.exports.run as (n: number, ctl: number) => void, ctl, MD5X4_LAYOUT);
}
