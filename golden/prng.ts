/**
 * Seeded PRNG for golden fixtures (no Math.random): mulberry32 by Tommy Ettinger, as published
 * in his public-domain gist and widely reproduced; 32-bit state, period 2^32.
 */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  /** `n` integers in [lo, hi]. */
  ints(n: number, lo: number, hi: number): number[] {
    return Array.from({ length: n }, () => this.int(lo, hi));
  }
  /** `n` float32-representable values in [lo, hi). */
  floats(n: number, lo: number, hi: number): number[] {
    return Array.from({ length: n }, () => Math.fround(lo + this.next() * (hi - lo)));
  }
}
