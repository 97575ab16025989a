/**
 * A WebAssembly module (SIMD, shared memory) that advances four MD5 computations at once, one
 * per 32-bit lane of a v128: "multi-buffer" hashing, as in Intel's isa-l_crypto md5_mb (which
 * this follows in idea only). One MD5 stream is a chain of dependent steps, so a single core hashes
 * ~0.7 GB/s however fast it is; four independent streams side by side fill the SIMD lanes.
 * The algorithm is RFC 1321 (rounds, sine constants, shifts, message word order).
 *
 * The module is emitted here as binary (no build step, no wat compiler at run time). It imports
 * `env.mem`, a shared memory, and exports `run(nblocks, ctl)`: for each of `nblocks` rounds it
 * compresses one 64-byte block per lane, read from that lane's pointer, then advances each
 * pointer by that lane's stride (64, or 0 for an idle lane reading a dummy block). The state
 * lives in memory between calls, in the control block at byte `ctl` ({@link MD5X4_LAYOUT}; one
 * per thread sharing the memory); the lane bookkeeping (padding, refills, digests) is in md5x4.ts.
 */

/** Byte offsets in a control block (relative to `ctl`). */
export const MD5X4_LAYOUT = {
  /** A, B, C, D: four v128, lane j = stream j. */
  state: 0,
  /** Four i32 block pointers (absolute). */
  ptrs: 64,
  /** Four i32 strides (64 = advance, 0 = stay). */
  strides: 80,
  /** Four 128-byte scratch areas for the lanes' final blocks. */
  scratch: 128,
  /** A 64-byte block of zeros idle lanes read. */
  dummy: 640,
  /** Size of a control block. */
  size: 1024,
} as const;

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

const SIMD = 0xfd;
const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i32Store: 0x36, i32Const: 0x41, i32Eqz: 0x45, i32Add: 0x6a, i32Sub: 0x6b,
} as const;
const simd = {
  load: 0x00, store: 0x0b, const: 0x0c, shuffle: 0x0d, not: 0x4d, and: 0x4e, or: 0x50, xor: 0x51, bitselect: 0x52,
  shl: 0xab, shrU: 0xad, add: 0xae,
} as const;

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'latin1')];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** Builds the function body. Locals: 0 = nblocks, 1 = ctl (params), then v128s and i32s below. */
function body(): number[] {
  const c: number[] = [];
  const V = (o: number) => [SIMD, ...uleb(o)];
  const get = (l: number) => c.push(op.localGet, ...uleb(l));
  const set = (l: number) => c.push(op.localSet, ...uleb(l));
  const i32 = (n: number) => c.push(op.i32Const, ...sleb(n | 0));
  const mem = (align: number, offset: number) => [...uleb(align), ...uleb(offset)];
  // local indices
  const N = 0;
  const CTL = 1;
  const st = [2, 3, 4, 5]; // a b c d
  const saved = [6, 7, 8, 9];
  const m = Array.from({ length: 16 }, (_, i) => 10 + i);
  const t = [26, 27, 28, 29];
  const rows = [30, 31, 32, 33];
  const ptr = [34, 35, 36, 37];
  const stride = [38, 39, 40, 41];
  const locals = [
    [...uleb(32), 0x7b], // v128 locals 2..33
    [...uleb(8), 0x7f], // i32 locals 34..41
  ];
  // load state, pointers, strides
  for (let k = 0; k < 4; k++) {
    get(CTL);
    c.push(...V(simd.load), ...mem(4, MD5X4_LAYOUT.state + 16 * k));
    set(st[k]!);
    get(CTL);
    c.push(op.i32Load, ...mem(2, MD5X4_LAYOUT.ptrs + 4 * k));
    set(ptr[k]!);
    get(CTL);
    c.push(op.i32Load, ...mem(2, MD5X4_LAYOUT.strides + 4 * k));
    set(stride[k]!);
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
  // message words: 4x4 transposes of the lanes' 16-byte rows
  for (let q = 0; q < 4; q++) {
    for (let j = 0; j < 4; j++) {
      get(ptr[j]!);
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
    set(m[4 * q]!);
    shuffle(t[0]!, t[2]!, [2, 3, 6, 7]);
    set(m[4 * q + 1]!);
    shuffle(t[1]!, t[3]!, [0, 1, 4, 5]);
    set(m[4 * q + 2]!);
    shuffle(t[1]!, t[3]!, [2, 3, 6, 7]);
    set(m[4 * q + 3]!);
  }
  for (let k = 0; k < 4; k++) {
    get(st[k]!);
    set(saved[k]!);
  }
  // 64 steps; roles rotate instead of values: after a step, (a, b, c, d) <- (d, new, b, c)
  let [a, b, cc, d] = st as [number, number, number, number];
  for (let i = 0; i < 64; i++) {
    const round = i >> 4;
    // f
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
    get(m[wordIndex(i)]!);
    c.push(...V(simd.add));
    c.push(op.localTee, ...uleb(a));
    const s = SHIFTS[round]![i & 3]!;
    i32(s);
    c.push(...V(simd.shl));
    get(a);
    i32(32 - s);
    c.push(...V(simd.shrU), ...V(simd.or));
    get(b);
    c.push(...V(simd.add));
    set(a);
    [a, b, cc, d] = [d, a, b, cc];
  }
  // after 64 steps the roles are back where they started: add the saved state
  for (let k = 0; k < 4; k++) {
    get(st[k]!);
    get(saved[k]!);
    c.push(...V(simd.add));
    set(st[k]!);
  }
  for (let j = 0; j < 4; j++) {
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
  for (let k = 0; k < 4; k++) {
    get(CTL);
    get(st[k]!);
    c.push(...V(simd.store), ...mem(4, MD5X4_LAYOUT.state + 16 * k));
    get(CTL);
    get(ptr[k]!);
    c.push(op.i32Store, ...mem(2, MD5X4_LAYOUT.ptrs + 4 * k));
  }
  c.push(op.end);
  const code = [...vec(locals), ...c];
  return [...uleb(code.length), ...code];
}

/** Largest shared memory the module accepts: 16384 pages = 1 GiB. */
export const MD5X4_MAX_PAGES = 16384;

let cached: Uint8Array | null = null;

/** The module's bytes: imports `env.mem` (shared memory, 1..`maxPages` pages), exports `run(nblocks: i32, ctl: i32)`. */
export function md5x4ModuleBytes(maxPages = MD5X4_MAX_PAGES): Uint8Array {
  if (cached && maxPages === MD5X4_MAX_PAGES) return cached;
  const bytes = Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, 2, 0x7f, 0x7f, 0]])), // type 0: (i32, i32) -> ()
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, 0x03, ...uleb(1), ...uleb(maxPages)]])), // shared memory
    ...section(3, vec([[0]])),
    ...section(7, vec([[...str('run'), 0x00, 0]])),
    ...section(10, vec([body()])),
  ]);
  if (maxPages === MD5X4_MAX_PAGES) cached = bytes;
  return bytes;
}
