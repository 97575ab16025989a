/**
 * A WebAssembly module (SIMD, shared memory) that advances eight MD5 computations at once, one
 * per 32-bit lane of two v128 sets (four lanes each): "multi-buffer" hashing, as in Intel's isa-l_crypto md5_mb (which
 * this follows in idea only). One MD5 stream is a chain of dependent steps, so a single core hashes
 * ~0.6 GB/s however fast it is; independent streams side by side fill the SIMD lanes (measured
 * here: ~1.7 GB/s with one set, ~1.9 GB/s with two, one core, 369 ranges of ~320 KB).
 * The algorithm is RFC 1321 (rounds, sine constants, shifts, message word order).
 *
 * The module is emitted as binary (wasm-emit.ts: no build step, no wat compiler at run time). It
 * imports `env.mem`, a shared memory, and exports `run(nblocks, ctl)` (and the file threads'
 * transpose, tensor/transpose-wasm.ts): for each of `nblocks` rounds `run`
 * compresses one 64-byte block per lane (two sets of four lanes, interleaved), read from that lane's pointer, then advances each
 * pointer by that lane's stride (64, or 0 for an idle lane reading a dummy block). The state
 * lives in memory between calls, in the control block at byte `ctl` ({@link MD5X4_LAYOUT}; one
 * per thread sharing the memory); the lane bookkeeping (padding, refills, digests) is in md5x4.ts.
 */

import { op, simd, SIMD, sleb, uleb, vec, kernelModule } from './wasm-emit.js';
import { transposeKernel } from '../tensor/transpose-wasm.js';

/** Lanes per call: two sets of four (two independent dependency chains per step). */
export const MD5_SIMD_SETS = 2;

/** Byte offsets in a control block (relative to `ctl`) for `sets` sets of four lanes. */
export function md5SimdLayout(sets: number) {
  const lanes = 4 * sets;
  const state = 0; // per set: A, B, C, D as four v128 (lane j of the set = stream 4 * set + j)
  const ptrs = state + 64 * sets; // one i32 block pointer per lane (absolute)
  const strides = ptrs + 4 * lanes; // one i32 stride per lane (64 = advance, 0 = stay)
  const scratch = strides + 4 * lanes; // 128 bytes per lane for its final blocks
  const dummy = scratch + 128 * lanes; // 64 zero bytes idle lanes read
  return { lanes, state, ptrs, strides, scratch, dummy, size: Math.ceil((dummy + 64) / 1024) * 1024 };
}

/** The layout of the module {@link md5x4ModuleBytes} builds. */
export const MD5X4_LAYOUT = md5SimdLayout(MD5_SIMD_SETS);

// RFC 1321 §3.4: per-round shift amounts; message word index per step.
const SHIFTS = [
  [7, 12, 17, 22],
  [5, 9, 14, 20],
  [4, 11, 16, 23],
  [6, 10, 15, 21],
];
const wordIndex = (i: number): number => (i < 16 ? i : i < 32 ? (5 * i + 1) % 16 : i < 48 ? (3 * i + 5) % 16 : (7 * i) % 16);
/** K[i] = floor(|sin(i + 1)| * 2^32) (RFC 1321 §3.4, table T). */
const K = Array.from({ length: 64 }, (_, i) => Math.floor(Math.abs(Math.sin(i + 1)) * 2 ** 32) >>> 0);

/** Builds the function body for `S` sets of four lanes. Locals: 0 = nblocks, 1 = ctl (params), then v128s and i32s. */
function body(S: number): number[] {
  const c: number[] = [];
  const V = (o: number) => [SIMD, ...uleb(o)];
  const get = (l: number) => c.push(op.localGet, ...uleb(l));
  const set = (l: number) => c.push(op.localSet, ...uleb(l));
  const i32 = (n: number) => c.push(op.i32Const, ...sleb(n | 0));
  const mem = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];
  const L = md5SimdLayout(S);
  // local indices: per set 4 state + 4 saved + 16 message words; shared 4 rows + 4 temporaries
  const N = 0;
  const CTL = 1;
  let next = 2;
  const take = (k: number) => Array.from({ length: k }, () => next++);
  const st = Array.from({ length: S }, () => take(4));
  const saved = Array.from({ length: S }, () => take(4));
  const m = Array.from({ length: S }, () => take(16));
  const rows = take(4);
  const t = take(4);
  const v128s = next - 2;
  const ptr = take(4 * S);
  const stride = take(4 * S);
  const locals = [
    [...uleb(v128s), 0x7b],
    [...uleb(8 * S), 0x7f],
  ];
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < 4; k++) {
      get(CTL);
      c.push(...V(simd.load), ...mem(4, L.state + 64 * s + 16 * k));
      set(st[s]![k]!);
    }
  }
  for (let j = 0; j < 4 * S; j++) {
    get(CTL);
    c.push(op.i32Load, ...mem(2, L.ptrs + 4 * j));
    set(ptr[j]!);
    get(CTL);
    c.push(op.i32Load, ...mem(2, L.strides + 4 * j));
    set(stride[j]!);
  }
  const shuffle = (x: number, y: number, lanes: number[]) => {
    get(x);
    get(y);
    c.push(...V(simd.shuffle), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  };
  c.push(op.block, 0x40, op.loop, 0x40);
  // while (nblocks != 0)
  get(N);
  c.push(op.i32Eqz, op.brIf, 1);
  // message words: 4x4 transposes of each set's lanes' 16-byte rows
  for (let s = 0; s < S; s++) {
    for (let q = 0; q < 4; q++) {
      for (let j = 0; j < 4; j++) {
        get(ptr[4 * s + j]!);
        c.push(...V(simd.load), ...mem(0, 16 * q));
        set(rows[j]!);
      }
      shuffle(rows[0]!, rows[1]!, [0, 4, 1, 5]);
      set(t[0]!);
      shuffle(rows[0]!, rows[1]!, [2, 6, 3, 7]);
      set(t[1]!);
      shuffle(rows[2]!, rows[3]!, [0, 4, 1, 5]);
      set(t[2]!);
      shuffle(rows[2]!, rows[3]!, [2, 6, 3, 7]);
      set(t[3]!);
      shuffle(t[0]!, t[2]!, [0, 1, 4, 5]);
      set(m[s]![4 * q]!);
      shuffle(t[0]!, t[2]!, [2, 3, 6, 7]);
      set(m[s]![4 * q + 1]!);
      shuffle(t[1]!, t[3]!, [0, 1, 4, 5]);
      set(m[s]![4 * q + 2]!);
      shuffle(t[1]!, t[3]!, [2, 3, 6, 7]);
      set(m[s]![4 * q + 3]!);
    }
    for (let k = 0; k < 4; k++) {
      get(st[s]![k]!);
      set(saved[s]![k]!);
    }
  }
  // 64 steps, the sets interleaved (independent chains); roles rotate instead of values:
  // after a step, (a, b, c, d) <- (d, new, b, c)
  const roles = st.map((x) => [...x] as [number, number, number, number]);
  for (let i = 0; i < 64; i++) {
    const round = i >> 4;
    for (let s = 0; s < S; s++) {
      const [a, b, cc, d] = roles[s]!;
      if (round === 0) {
        get(cc);
        get(d);
        get(b);
        c.push(...V(simd.bitselect)); // (b & c) | (~b & d)
      } else if (round === 1) {
        get(b);
        get(cc);
        get(d);
        c.push(...V(simd.bitselect)); // (d & b) | (~d & c)
      } else if (round === 2) {
        get(b);
        get(cc);
        c.push(...V(simd.xor));
        get(d);
        c.push(...V(simd.xor));
      } else {
        get(cc);
        get(b);
        get(d);
        c.push(...V(simd.not), ...V(simd.or), ...V(simd.xor)); // c ^ (b | ~d)
      }
      get(a);
      c.push(...V(simd.add));
      c.push(...V(simd.const), ...[0, 1, 2, 3].flatMap(() => [K[i]! & 0xff, (K[i]! >>> 8) & 0xff, (K[i]! >>> 16) & 0xff, K[i]! >>> 24]));
      c.push(...V(simd.add));
      get(m[s]![wordIndex(i)]!);
      c.push(...V(simd.add));
      c.push(op.localTee, ...uleb(a));
      const sh = SHIFTS[round]![i & 3]!;
      i32(sh);
      c.push(...V(simd.shl));
      get(a);
      i32(32 - sh);
      c.push(...V(simd.shrU), ...V(simd.or));
      get(b);
      c.push(...V(simd.add));
      set(a);
      roles[s] = [d, a, b, cc];
    }
  }
  // after 64 steps the roles are back where they started: add the saved state
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < 4; k++) {
      get(st[s]![k]!);
      get(saved[s]![k]!);
      c.push(...V(simd.add));
      set(st[s]![k]!);
    }
  }
  for (let j = 0; j < 4 * S; j++) {
    get(ptr[j]!);
    get(stride[j]!);
    c.push(op.i32Add);
    set(ptr[j]!);
  }
  get(N);
  i32(1);
  c.push(op.i32Sub);
  set(N);
  c.push(op.br, 0, op.end, op.end);
  // store state and pointers
  for (let s = 0; s < S; s++) {
    for (let k = 0; k < 4; k++) {
      get(CTL);
      get(st[s]![k]!);
      c.push(...V(simd.store), ...mem(4, L.state + 64 * s + 16 * k));
    }
  }
  for (let j = 0; j < 4 * S; j++) {
    get(CTL);
    get(ptr[j]!);
    c.push(op.i32Store, ...mem(2, L.ptrs + 4 * j));
  }
  c.push(op.end);
  const code = [...vec(locals), ...c];
  return [...uleb(code.length), ...code];
}

/** Largest shared memory the module accepts: 16384 pages = 1 GiB. */
export const MD5X4_MAX_PAGES = 16384;

let cached: Uint8Array | null = null;

/**
 * The file threads' module: imports `env.mem` (shared memory unless `shared` is false, 1..`maxPages` pages), exports
 * `run(nblocks, ctl)` over `sets` sets of four lanes (control block: md5SimdLayout(sets)) and
 * `transpose(...)` (tensor/transpose-wasm.ts).
 */
export function md5x4ModuleBytes(maxPages = MD5X4_MAX_PAGES, sets = MD5_SIMD_SETS, shared = true): Uint8Array {
  const standard = maxPages === MD5X4_MAX_PAGES && sets === MD5_SIMD_SETS && shared;
  if (cached && standard) return cached;
  const bytes = kernelModule([{ name: 'run', params: 2, body: body(sets) }, transposeKernel()], maxPages, shared);
  if (standard) cached = bytes;
  return bytes;
}
