/**
 * A minimal WebAssembly binary emitter for the hand-built kernels of the file threads
 * (md5x4-wasm.ts, tensor/transpose-wasm.ts): the opcodes they use, LEB128, sections, and one
 * module holding every kernel over an imported shared memory. Encoding per the WebAssembly core
 * specification (binary format, chapter 5) and its fixed-width SIMD proposal (prefix 0xfd).
 */

export const SIMD = 0xfd;
export const op = {
  block: 0x02, loop: 0x03, br: 0x0c, brIf: 0x0d, end: 0x0b, localGet: 0x20, localSet: 0x21, localTee: 0x22,
  i32Load: 0x28, i32Store: 0x36, i32Const: 0x41, i32Eqz: 0x45, i32GeU: 0x4f, i32Add: 0x6a, i32Sub: 0x6b, i32Mul: 0x6c, i32Shl: 0x74,
} as const;
export const simd = {
  load: 0x00, store: 0x0b, const: 0x0c, shuffle: 0x0d, not: 0x4d, and: 0x4e, or: 0x50, xor: 0x51, bitselect: 0x52,
  shl: 0xab, shrU: 0xad, add: 0xae,
} as const;

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
}

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const str = (s: string): number[] => [...uleb(s.length), ...Buffer.from(s, 'latin1')];
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];


/** One exported function: its i32 parameter count and its encoded body (locals + code, size-prefixed). */
export interface WasmKernel {
  name: string;
  params: number;
  body: number[];
}

/**
 * A module importing `env.mem` (1..`maxPages` pages; shared unless `shared` is false: a memory
 * used by one thread only, whose typed-array copies are plain memcpy) and exporting `kernels`
 * (i32 params, no results).
 */
export function kernelModule(kernels: WasmKernel[], maxPages: number, shared = true): Uint8Array {
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(kernels.map((k) => [0x60, ...uleb(k.params), ...Array<number>(k.params).fill(0x7f), 0]))),
    ...section(2, vec([[...str('env'), ...str('mem'), 0x02, shared ? 0x03 : 0x01, ...uleb(1), ...uleb(maxPages)]])),
    ...section(3, vec(kernels.map((_, i) => uleb(i)))),
    ...section(7, vec(kernels.map((k, i) => [...str(k.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(kernels.map((k) => k.body))),
  ]);
}
