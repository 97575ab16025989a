/**
 * The PairAccumulator's inner loops as plain module functions over typed-array state: no `this`,
 * no closures, no allocation. Each processes elements [start, end) of a chunk whose element 0 has
 * flat index `off`. Sums use exactly the expressions and order of pairwise.ts / counts.ts so the
 * streaming result is bit-identical to the whole-array functions.
 *
 * V8 notes (measured with --trace-deopt on Node 20): a kernel that is only ever entered through one
 * long call is optimized by on-stack replacement with incomplete type feedback and deoptimizes at
 * the loop exit on every call (about 3x slower). Hence (1) PairAccumulator calls the kernels per
 * block of {@link KERNEL_BLOCK} elements and (2) {@link primeKernels} runs the kernels on tiny
 * inputs at module load, so V8 has feedback before it optimizes them. The sum kernels are primed
 * with FINITE data only: priming them with NaN/Inf made V8 emit a loop about 30% slower (measured
 * 260 -> 180 M pairs/s); a NaN met later in real data costs one deoptimization and, in our
 * measurement, no lasting slowdown. Non-finite counting lives in {@link countNonFinite}, outside the
 * hot loops, for the same reason. (Code-shape effects in V8 are fickle: re-measure with
 * scripts/bench-metrics.ts after touching these loops.)
 */

/** Elements per kernel call. */
export const KERNEL_BLOCK = 4096;

/**
 * Layout of the running-sum state (Float64Array of STATE_SIZE). The kernels index it with literals
 * (keyed accesses through module constants were another deopt source).
 *  0 sab = Σ r*t     1 saa = Σ r²      2 sbb = Σ t²     3 sdd = Σ (r-t)²   4 sad = Σ |r-t|
 *  5 shh = Σ ((r+t)/2)²                6 mx = max |r-t| (-1 before any finite pair)
 *  7 mi = flat index of the first max (-1 before any)  8 finite pairs
 *  9..11 NaN, +Inf, -Inf counts of side a              12..14 the same for side b
 */
export const STATE_SIZE = 15;

/** Fresh running-sum state. */
export function newSumState(): Float64Array {
  const st = new Float64Array(STATE_SIZE);
  st[6] = -1;
  st[7] = -1;
  return st;
}

/**
 * Counts raw values equal to a side's saturation limits into sat = [a at lo, a at hi, b at lo,
 * b at hi] (pass NaN limits for a float side: nothing equals NaN), dequantizes
 * x = (a_i - zA) * sA, y = (b_i - zB) * sB and adds every finite pair to the sums in index order. Returns the number of pairs skipped as non-finite; the caller then runs
 * {@link countNonFinite} on the same range. The fast test `d - d === 0` (d = x - y finite)
 * implies both finite; when it fails the pair is re-checked (x - y can overflow for finite float64
 * values), so a pair is used exactly when both x and y are finite.
 */
export function accumulateSums(
  st: Float64Array,
  sat: Float64Array,
  a: Float64Array,
  b: Float64Array,
  start: number,
  end: number,
  off: number,
  sA: number,
  zA: number,
  sB: number,
  zB: number,
  loA: number,
  hiA: number,
  loB: number,
  hiB: number,
): number {
  let sab = st[0]!;
  let saa = st[1]!;
  let sbb = st[2]!;
  let sdd = st[3]!;
  let sad = st[4]!;
  let shh = st[5]!;
  let mx = st[6]!;
  let mi = st[7]!;
  let finite = st[8]!;
  let aLo = 0;
  let aHi = 0;
  let bLo = 0;
  let bHi = 0;
  for (let i = start; i < end; i++) {
    const qa = a[i]!;
    const qb = b[i]!;
    if (qa === loA) aLo++;
    else if (qa === hiA) aHi++;
    if (qb === loB) bLo++;
    else if (qb === hiB) bHi++;
    const x = (qa - zA) * sA;
    const y = (qb - zB) * sB;
    const d = x - y;
    if (d - d === 0 || (x - x === 0 && y - y === 0)) {
      sab += x * y;
      saa += x * x;
      sbb += y * y;
      sdd += d * d;
      const ad = Math.abs(d);
      sad += ad;
      if (ad > mx) {
        mx = ad;
        mi = off + i;
      }
      const h = (x + y) * 0.5;
      shh += h * h;
      finite++;
    }
  }
  st[0] = sab;
  st[1] = saa;
  st[2] = sbb;
  st[3] = sdd;
  st[4] = sad;
  st[5] = shh;
  st[6] = mx;
  st[7] = mi;
  sat[0] += aLo;
  sat[1] += aHi;
  sat[2] += bLo;
  sat[3] += bHi;
  const skipped = end - start - (finite - st[8]!);
  st[8] = finite;
  return skipped;
}

/**
 * {@link accumulateSums} for two float sides without dequantization (x = a_i, y = b_i) and without
 * saturation counting: the same sums in the same order ((v - 0) * 1 === v for every float64, so
 * both kernels agree bit for bit), about 30% faster. Kept as a separate copy on purpose: V8 does not unswitch the loop.
 */
export function accumulateSumsRaw(st: Float64Array, a: Float64Array, b: Float64Array, start: number, end: number, off: number): number {
  let sab = st[0]!;
  let saa = st[1]!;
  let sbb = st[2]!;
  let sdd = st[3]!;
  let sad = st[4]!;
  let shh = st[5]!;
  let mx = st[6]!;
  let mi = st[7]!;
  let finite = st[8]!;
  for (let i = start; i < end; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const d = x - y;
    if (d - d === 0 || (x - x === 0 && y - y === 0)) {
      sab += x * y;
      saa += x * x;
      sbb += y * y;
      sdd += d * d;
      const ad = Math.abs(d);
      sad += ad;
      if (ad > mx) {
        mx = ad;
        mi = off + i;
      }
      const h = (x + y) * 0.5;
      shh += h * h;
      finite++;
    }
  }
  st[0] = sab;
  st[1] = saa;
  st[2] = sbb;
  st[3] = sdd;
  st[4] = sad;
  st[5] = shh;
  st[6] = mx;
  st[7] = mi;
  const skipped = end - start - (finite - st[8]!);
  st[8] = finite;
  return skipped;
}

/**
 * {@link accumulateSums} for the common float-vs-quantized edge: side a float and not dequantized
 * (x = a_i), side b dequantized (y = (b_i - zB) * sB) with its saturation counted into sat[2..3].
 * Same sums in the same order as the general kernel; about 25% faster than it on this edge.
 */
export function accumulateSumsFloatVsQuant(
  st: Float64Array,
  sat: Float64Array,
  a: Float64Array,
  b: Float64Array,
  start: number,
  end: number,
  off: number,
  sB: number,
  zB: number,
  loB: number,
  hiB: number,
): number {
  let sab = st[0]!;
  let saa = st[1]!;
  let sbb = st[2]!;
  let sdd = st[3]!;
  let sad = st[4]!;
  let shh = st[5]!;
  let mx = st[6]!;
  let mi = st[7]!;
  let finite = st[8]!;
  let bLo = 0;
  let bHi = 0;
  for (let i = start; i < end; i++) {
    const x = a[i]!;
    const qb = b[i]!;
    if (qb === loB) bLo++;
    else if (qb === hiB) bHi++;
    const y = (qb - zB) * sB;
    const d = x - y;
    if (d - d === 0 || (x - x === 0 && y - y === 0)) {
      sab += x * y;
      saa += x * x;
      sbb += y * y;
      sdd += d * d;
      const ad = Math.abs(d);
      sad += ad;
      if (ad > mx) {
        mx = ad;
        mi = off + i;
      }
      const h = (x + y) * 0.5;
      shh += h * h;
      finite++;
    }
  }
  st[0] = sab;
  st[1] = saa;
  st[2] = sbb;
  st[3] = sdd;
  st[4] = sad;
  st[5] = shh;
  st[6] = mx;
  st[7] = mi;
  sat[2] += bLo;
  sat[3] += bHi;
  const skipped = end - start - (finite - st[8]!);
  st[8] = finite;
  return skipped;
}

/**
 * Counts the NaN / +Inf / -Inf elements of [start, end) after dequantization into st[9..14].
 * Run only for blocks where a sum kernel skipped pairs (see the module doc on why this is not
 * inside the sum loop).
 */
export function countNonFinite(st: Float64Array, a: Float64Array, b: Float64Array, start: number, end: number, sA: number, zA: number, sB: number, zB: number): void {
  for (let i = start; i < end; i++) {
    const x = (a[i]! - zA) * sA;
    const y = (b[i]! - zB) * sB;
    if (x !== x) st[9]!++;
    else if (x === Infinity) st[10]!++;
    else if (x === -Infinity) st[11]!++;
    if (y !== y) st[12]!++;
    else if (y === Infinity) st[13]!++;
    else if (y === -Infinity) st[14]!++;
  }
}

/**
 * Dead-channel tracking on raw values. fA/fB hold each channel's first value (filled here while
 * flat index < C); vA/vB[c] become 1 once channel c differs from its first value (NaN always
 * differs). Returns how many target channels are still constant (`left` minus those that varied);
 * stops early at 0 since no channel can then be dead.
 */
export function trackChannels(
  fA: Float64Array,
  fB: Float64Array,
  vA: Uint8Array,
  vB: Uint8Array,
  a: Float64Array,
  b: Float64Array,
  start: number,
  end: number,
  off: number,
  C: number,
  left: number,
): number {
  for (let i = start; i < end && off + i < C; i++) {
    fA[off + i] = a[i]!;
    fB[off + i] = b[i]!;
  }
  let c = (off + start) % C;
  for (let i = start; i < end; i++) {
    if (a[i]! !== fA[c]!) vA[c] = 1;
    if (b[i]! !== fB[c]! && vB[c] === 0) {
      vB[c] = 1;
      if (--left === 0) return 0;
    }
    if (++c === C) c = 0;
  }
  return left;
}

/**
 * Exact raw compare: mm[0] += mismatches, mm[1] = first mismatching flat index (stays if already
 * >= 0), perChannel[index % C]++, and when rowLen > 0, perRow[floor(index / rowLen) % rows]++.
 */
export function compareRaw(
  mm: Float64Array,
  perChannel: Float64Array,
  perRow: Float64Array,
  a: Float64Array,
  b: Float64Array,
  start: number,
  end: number,
  off: number,
  C: number,
  rowLen: number,
  rows: number,
): void {
  let n = 0;
  for (let i = start; i < end; i++) {
    if (a[i] !== b[i]) {
      const idx = off + i;
      if (mm[1]! < 0) mm[1] = idx;
      n++;
      perChannel[idx % C]!++;
      if (rowLen > 0) perRow[Math.floor(idx / rowLen) % rows]!++;
    }
  }
  mm[0] += n;
}

/** Runs every branch of every kernel on tiny inputs (see module doc); called once at load. */
function primeKernels(): void {
  const fa = new Float64Array([1, 3, 4, 5, 2, 0, 255, 7]);
  const fb = new Float64Array([6, 8, 9, 1, 2, 5, 0, 255]);
  const a = new Float64Array([1, NaN, Infinity, -Infinity, 2, 0, 255, 7]);
  const b = new Float64Array([NaN, Infinity, -Infinity, 1, 2, 5, 0, 255]);
  const st = newSumState();
  const sat = new Float64Array(4);
  const f = new Float64Array(4);
  const v = new Uint8Array(4);
  const mm = new Float64Array([0, -1]);
  const pc = new Float64Array(4);
  const pr = new Float64Array(2);
  for (let k = 0; k < 40; k++) {
    accumulateSums(st, sat, fa, fb, 0, 8, 0, 1, 0, 1, 0, 0, 255, 0, 255);
    accumulateSumsRaw(st, fa, fb, 0, 8, 0);
    accumulateSumsFloatVsQuant(st, sat, fa, fb, 0, 8, 0, 1, 0, 0, 255);
    countNonFinite(st, a, b, 0, 8, 1, 0, 1, 0);
    f.fill(0);
    v.fill(0);
    trackChannels(f, f, v, v, a, b, 0, 8, 0, 4, 4);
    trackChannels(f, f, v, v, a, a, 0, 8, 0, 4, 4);
    mm[1] = -1;
    compareRaw(mm, pc, pr, a, b, 0, 8, 0, 4, 4, 2);
  }
}
primeKernels();
