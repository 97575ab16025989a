/**
 * Natural file-name order: runs of digits compare as numbers (`2.bin` < `10.bin`), the rest by
 * code unit. Used wherever a folder has no log/manifest to give the execution order.
 */

const CHUNK_RE = /(\d+)|(\D+)/g;

function chunks(s: string): (string | bigint)[] {
  const out: (string | bigint)[] = [];
  for (const m of s.matchAll(CHUNK_RE)) out.push(m[1] !== undefined ? BigInt(m[1]) : m[2]!);
  return out;
}

/** Compares two names in natural order; ties (e.g. `01` vs `1`) fall back to plain order. */
export function naturalCompare(a: string, b: string): number {
  const ca = chunks(a);
  const cb = chunks(b);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i++) {
    const x = ca[i]!;
    const y = cb[i]!;
    if (typeof x === 'bigint' && typeof y === 'bigint') {
      if (x !== y) return x < y ? -1 : 1;
    } else if (typeof x === 'bigint') {
      return -1; // digits sort before letters, as in plain ASCII order
    } else if (typeof y === 'bigint') {
      return 1;
    } else if (x !== y) {
      return x < y ? -1 : 1;
    }
  }
  if (ca.length !== cb.length) return ca.length - cb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A sorted copy of `names` in natural order. */
export function naturalSort(names: readonly string[]): string[] {
  return [...names].sort(naturalCompare);
}
