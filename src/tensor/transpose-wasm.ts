/**
 * WebAssembly SIMD kernel for the bulk of the NCHW -> NHWC transpose (layout.ts) on the hash
 * threads: `transpose(src, dst, c, hw, c4, hw4)` moves one image's channels [0, c4) x pixels
 * [0, hw4) (both multiples of 4) from `src` (C x HW, 32-bit elements, byte address) to `dst`
 * (HW x C) in 4x4 tiles: four 16-byte loads (four pixels of four channels), a 4x4 transpose in
 * registers (eight shuffles), four 16-byte stores (four channels of four pixels). The edges
 * (pixels hw4.., channels c4..) are left to layout.ts's transposeEdges.
 */
import { op, simd, SIMD, uleb, vec, type WasmKernel } from '../io/wasm-emit.js';

export function transposeKernel(): WasmKernel {
  const c: number[] = [];
  const V = (o: number) => [SIMD, ...uleb(o)];
  const get = (l: number) => c.push(op.localGet, ...uleb(l));
  const set = (l: number) => c.push(op.localSet, ...uleb(l));
  const i32 = (n: number) => c.push(op.i32Const, ...uleb(n)); // small non-negative constants only (< 64)
  const [SRC, DST, C, HW, C4, HW4] = [0, 1, 2, 3, 4, 5];
  const [CH, P, S, D, RB, DB] = [6, 7, 8, 9, 10, 11];
  const r = [12, 13, 14, 15];
  const t = [16, 17, 18, 19];
  const locals = [
    [...uleb(6), 0x7f],
    [...uleb(8), 0x7b],
  ];
  const shuffle = (x: number, y: number, lanes: number[]) => {
    get(x);
    get(y);
    c.push(...V(simd.shuffle), ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]));
  };
  const addr = (base: number, step: number, k: number) => {
    get(base);
    for (let i = 0; i < k; i++) {
      get(step);
      c.push(op.i32Add);
    }
  };
  get(HW);
  i32(2);
  c.push(op.i32Shl);
  set(RB);
  get(C);
  i32(2);
  c.push(op.i32Shl);
  set(DB);
  i32(0);
  set(CH);
  c.push(op.block, 0x40, op.loop, 0x40);
  get(CH);
  get(C4);
  c.push(op.i32GeU, op.brIf, 1);
  i32(0);
  set(P);
  c.push(op.block, 0x40, op.loop, 0x40);
  get(P);
  get(HW4);
  c.push(op.i32GeU, op.brIf, 1);
  // s = src + (ch * hw + p) * 4; d = dst + (p * c + ch) * 4
  get(SRC);
  get(CH);
  get(HW);
  c.push(op.i32Mul);
  get(P);
  c.push(op.i32Add);
  i32(2);
  c.push(op.i32Shl, op.i32Add);
  set(S);
  get(DST);
  get(P);
  get(C);
  c.push(op.i32Mul);
  get(CH);
  c.push(op.i32Add);
  i32(2);
  c.push(op.i32Shl, op.i32Add);
  set(D);
  for (let k = 0; k < 4; k++) {
    addr(S, RB, k);
    c.push(...V(simd.load), 0, 0);
    set(r[k]!);
  }
  shuffle(r[0]!, r[1]!, [0, 4, 1, 5]);
  set(t[0]!);
  shuffle(r[0]!, r[1]!, [2, 6, 3, 7]);
  set(t[1]!);
  shuffle(r[2]!, r[3]!, [0, 4, 1, 5]);
  set(t[2]!);
  shuffle(r[2]!, r[3]!, [2, 6, 3, 7]);
  set(t[3]!);
  const out: [number, number, number[]][] = [
    [t[0]!, t[2]!, [0, 1, 4, 5]],
    [t[0]!, t[2]!, [2, 3, 6, 7]],
    [t[1]!, t[3]!, [0, 1, 4, 5]],
    [t[1]!, t[3]!, [2, 3, 6, 7]],
  ];
  out.forEach(([x, y, lanes], j) => {
    addr(D, DB, j);
    shuffle(x, y, lanes);
    c.push(...V(simd.store), 0, 0);
  });
  get(P);
  i32(4);
  c.push(op.i32Add);
  set(P);
  c.push(op.br, 0, op.end, op.end);
  get(CH);
  i32(4);
  c.push(op.i32Add);
  set(CH);
  c.push(op.br, 0, op.end, op.end, op.end);
  const code = [...vec(locals), ...c];
  return { name: 'transpose', params: 6, body: [...uleb(code.length), ...code] };
}
