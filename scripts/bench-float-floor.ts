/**
 * The float dump's floor, measured beside the dump in the same run (bench-float.ts interleaves
 * these with the timed dumps): what its parts cost on their own on this machine, so the ratio to
 * onnxruntime's final-output-only run is explained by numbers.
 *
 * - onnxruntime with every node output exposed (the dump's model), outputs pre-allocated as the
 *   dump runs it and not, and the copy onnxruntime-node makes of every output (it copies each
 *   output into a new ArrayBuffer after the run, pre-allocated or not; js/node/src/tensor_helper.cc,
 *   OrtValueToNapiValue): timed here as the same 369 allocations + copies in JS;
 * - writing the same files with plain `fs.writeFileSync` (the dump's bytes, already NHWC, in
 *   memory; no transpose, no md5, no temporary + rename) into a fresh folder beside the dumps,
 *   and creating as many empty files there (file creation alone: on an ext4 without a journal,
 *   like this machine's, each new inode skips every inode of its group deleted in the last minutes,
 *   fs/ext4/ialloc.c recently_deleted(), so this part depends on what else ran lately);
 * - md5 of the same bytes: node:crypto (OpenSSL, one stream) and our 8-lane SIMD md5
 *   (io/md5x4.ts) on this thread with every file queued (its throughput with full lanes);
 * - NCHW -> NHWC of every 4-D tensor with the file threads' SIMD transpose, on this thread.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { MD5X4_LAYOUT } from '../src/io/md5x4-wasm.js';
import { md5Lanes, md5x4Module, type Md5Lanes } from '../src/io/md5x4.js';
import type { OrtTensor } from '../src/onnx/ort-session.js';
import { nchwToNhwc, transposeEdges } from '../src/tensor/layout.js';

/** One round of floor timings, ms. */
export interface FloorRound {
  /** Allocating a new buffer per float output and copying the output into it (what the binding does after each run). */
  copyOutMs: number;
  /** fs.writeFileSync of every tensor file's bytes into a fresh folder. */
  writeMs: number;
  /** Creating (open + close) as many empty files in a fresh folder. */
  createMs: number;
  /** md5 of every file's bytes, node:crypto, one after the other. */
  md5CryptoMs: number;
  /** md5 of every file's bytes, 8-lane SIMD md5 on this thread, all files queued. */
  md5LanesMs: number;
  /** NCHW -> NHWC of every 4-D float output, SIMD 4x4 tiles on this thread (other ranks: plain copies). */
  transposeMs: number;
}

const PAGE = 65536;
const align = (n: number): number => Math.ceil(n / 64) * 64;

/** The dump's float outputs of one run, laid out for the floor measurements. */
export class FloatFloor {
  /** The bytes of every tensor file (NHWC for 4-D), as the dump writes them. */
  readonly files: Uint8Array[];
  readonly bytes: number;
  private readonly memory: WebAssembly.Memory;
  private readonly ranges: { id: number; offset: number; length: number }[] = [];
  /** Per 4-D tensor: NCHW source offset, NHWC destination offset (bytes), n, c, h*w. */
  private readonly transposes: { src: number; dst: number; n: number; c: number; hw: number }[] = [];
  private readonly lanes: Md5Lanes | null;
  private readonly transposeFn: ((s: number, d: number, c: number, hw: number, c4: number, hw4: number) => void) | null;
  private k = 0;

  constructor(outputs: OrtTensor[]) {
    const floats = outputs.filter((t) => t.type === 'float32');
    this.files = floats.map((t) => {
      const src = t.data as Float32Array;
      const out = new Float32Array(src.length);
      if (t.dims.length === 4) nchwToNhwc(src, t.dims, out);
      else out.set(src);
      return new Uint8Array(out.buffer);
    });
    this.bytes = this.files.reduce((a, f) => a + f.byteLength, 0);
    // one shared memory: control block, every file's NHWC bytes (md5), every 4-D tensor's NCHW bytes (transpose source)
    let total = MD5X4_LAYOUT.size;
    for (const f of this.files) total += 2 * align(f.byteLength);
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(total / PAGE) + 1, maximum: 16384, shared: true });
    const mem = new Uint8Array(this.memory.buffer);
    let off = align(MD5X4_LAYOUT.size);
    this.files.forEach((f, i) => {
      mem.set(f, off);
      this.ranges.push({ id: i, offset: off, length: f.byteLength });
      off += align(f.byteLength);
    });
    floats.forEach((t, i) => {
      if (t.dims.length !== 4) return;
      const src = t.data as Float32Array;
      mem.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), off);
      const [n, c, h, w] = t.dims as [number, number, number, number];
      this.transposes.push({ src: off, dst: this.ranges[i]!.offset, n, c, hw: h * w });
      off += align(src.byteLength);
    });
    const mod = md5x4Module();
    this.lanes = mod ? md5Lanes(mod, this.memory, 0) : null;
    this.transposeFn = mod ? (new WebAssembly.Instance(mod, { env: { mem: this.memory } }).exports.transpose as FloatFloor['transposeFn']) : null;
  }

  /** Times every part once; `tmp` receives two fresh folders (left for the caller to remove). */
  round(tmp: string): FloorRound {
    const time = (f: () => void): number => {
      const t = performance.now();
      f();
      return performance.now() - t;
    };
    const copyOutMs = time(() => {
      for (const f of this.files) new Uint8Array(f.byteLength).set(f);
    });
    const dir = path.join(tmp, `floor-write-${this.k}`);
    const empty = path.join(tmp, `floor-create-${this.k++}`);
    mkdirSync(dir);
    mkdirSync(empty);
    const writeMs = time(() => this.files.forEach((f, i) => writeFileSync(path.join(dir, `t${i}.bin`), f)));
    const createMs = time(() => this.files.forEach((_, i) => closeSync(openSync(path.join(empty, `t${i}.bin`), 'w'))));
    const md5CryptoMs = time(() => {
      for (const f of this.files) createHash('md5').update(f).digest('hex');
    });
    const md5LanesMs = this.lanes
      ? time(() => {
          for (const r of this.ranges) this.lanes!.add(r);
          this.lanes!.drain();
        })
      : md5CryptoMs;
    const transposeMs = time(() => this.transposeAll());
    return { copyOutMs, writeMs, createMs, md5CryptoMs, md5LanesMs, transposeMs };
  }

  private transposeAll(): void {
    const buf = this.memory.buffer;
    for (const t of this.transposes) {
      const per = t.c * t.hw;
      for (let b = 0; b < t.n; b++) {
        const s = t.src + 4 * b * per;
        const d = t.dst + 4 * b * per;
        const c4 = t.c & ~3;
        const hw4 = t.hw & ~3;
        if (this.transposeFn && c4 > 0 && hw4 > 0) this.transposeFn(s, d, t.c, t.hw, c4, hw4);
        transposeEdges(new Int32Array(buf, s, per), new Int32Array(buf, d, per), t.c, t.hw, this.transposeFn ? c4 : 0, this.transposeFn ? hw4 : 0);
      }
    }
  }
}
