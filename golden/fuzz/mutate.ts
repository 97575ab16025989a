/**
 * Byte / text mutations for fuzz tests (fast-check arbitraries): bit flips, truncations, random
 * splices of a real input, so generated cases stay close to what a damaged file looks like.
 */
import fc from 'fast-check';

export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'splice'; at: number; del: number; insert: Uint8Array }
  | { kind: 'copy'; from: number; to: number; len: number };

/** One mutation of a byte string of length `n` (positions as fractions, scaled at apply time). */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), del: fc.nat({ max: 64 }), insert: fc.uint8Array({ maxLength: 32 }) }),
  fc.record({ kind: fc.constant('copy' as const), from: fc.nat(), to: fc.nat(), len: fc.nat({ max: 256 }) }),
);

/** Applies mutations in order to a copy of `src`. Positions are taken modulo the current length. */
export function applyMutations(src: Uint8Array, ms: readonly Mutation[]): Uint8Array {
  let b = Uint8Array.from(src);
  for (const m of ms) {
    const n = b.length;
    if (n === 0) break;
    switch (m.kind) {
      case 'flip':
        b[m.at % n] ^= 1 << m.bit;
        break;
      case 'truncate':
        b = b.subarray(0, m.at % n);
        break;
      case 'splice': {
        const at = m.at % n;
        const out = new Uint8Array(n - Math.min(m.del, n - at) + m.insert.length);
        out.set(b.subarray(0, at), 0);
        out.set(m.insert, at);
        out.set(b.subarray(at + Math.min(m.del, n - at)), at + m.insert.length);
        b = out;
        break;
      }
      case 'copy': {
        const from = m.from % n;
        const to = m.to % n;
        const len = Math.min(m.len, n - from, n - to);
        b.copyWithin(to, from, from + len);
        break;
      }
    }
  }
  return b;
}

/** Text mutations: the same operations on the UTF-8 bytes, decoded back (invalid bytes become U+FFFD). */
export function mutateText(src: string, ms: readonly Mutation[]): string {
  return Buffer.from(applyMutations(Buffer.from(src, 'utf8'), ms)).toString('utf8');
}

/** Runs `f`; returns the error it threw (or null). */
export function thrown(f: () => unknown): unknown {
  try {
    f();
    return null;
  } catch (e) {
    return e;
  }
}
