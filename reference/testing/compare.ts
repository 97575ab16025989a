/**
 * TEST-ONLY tensor comparison used by the float-parity acceptance test (b = onnxruntime, the
 * reference; a = ours).
 * - cosine: dot(a,b) / (|a| |b|) in double; 1 when both are all-zero.
 * - maxRel (the gate): max over elements of |a - b| / max(|b|, rms(b)): relative error for
 *   elements at or above the tensor's RMS, error relative to the RMS for smaller ones.
 * - maxRelMaxFloor (informational): the same with the floor 1e-3 * max|b|.
 * Why the RMS floor: onnxruntime accumulates convolutions in float32 (MLAS, FMA, its own
 * summation order), so an output that is a small difference of large terms carries an absolute
 * error of ~sqrt(K) * 2^-24 * sum|terms|. We accumulate in double and round once, i.e. we are
 * at the correctly rounded value, and the difference is onnxruntime's own rounding. Measured
 * with onnxruntime's exact inputs fed to a single kernel, that is up to 3.5e-4 under the
 * 1e-3 * max floor (Conv, and Sigmoid whose MLAS approximation has ~1e-7 absolute error on
 * outputs near 0), so that floor cannot separate a bug from float32 noise; under the RMS floor
 * float32 noise stays below 1e-4 while any misplaced or wrong element (a border, a pad, an
 * index) costs O(1).
 */
export interface TensorDiff {
  cosine: number;
  maxRel: number;
  maxRelMaxFloor: number;
  maxAbs: number;
}

type Num = ArrayLike<number> | ArrayLike<bigint>;

export function diffTensors(a: Num, b: Num): TensorDiff {
  const n = a.length;
  let dot = 0;
  let na = 0;
  let nb = 0;
  let bmax = 0;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const y = Number(b[i]!);
    if (Math.abs(y) > bmax) bmax = Math.abs(y);
    ss += y * y;
  }
  const floor = n > 0 ? Math.sqrt(ss / n) : 0;
  const floor2 = 1e-3 * bmax;
  let maxRel = 0;
  let maxRelMaxFloor = 0;
  let maxAbs = 0;
  for (let i = 0; i < n; i++) {
    const x = Number(a[i]!);
    const y = Number(b[i]!);
    dot += x * y;
    na += x * x;
    nb += y * y;
    const d = Math.abs(x - y);
    if (d > maxAbs || Number.isNaN(d)) maxAbs = d;
    const den = Math.max(Math.abs(y), floor);
    const rel = d === 0 ? 0 : den === 0 ? Infinity : d / den;
    if (rel > maxRel || Number.isNaN(rel)) maxRel = rel;
    const den2 = Math.max(Math.abs(y), floor2);
    const rel2 = d === 0 ? 0 : den2 === 0 ? Infinity : d / den2;
    if (rel2 > maxRelMaxFloor || Number.isNaN(rel2)) maxRelMaxFloor = rel2;
  }
  const cosine = na === 0 && nb === 0 ? 1 : dot / Math.sqrt(na * nb);
  return { cosine, maxRel, maxRelMaxFloor, maxAbs };
}

/** Deterministic uint8 noise (mulberry32), smoothed over 4x4 blocks so it looks a bit like an image. */
export function seededImageNCHW(c: number, h: number, w: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Uint8Array(c * h * w);
  const bw = Math.ceil(w / 4);
  const blocks = Array.from({ length: c * Math.ceil(h / 4) * bw }, () => rnd() * 200);
  for (let ch = 0; ch < c; ch++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const base = blocks[(ch * Math.ceil(h / 4) + (y >> 2)) * bw + (x >> 2)]!;
        out[(ch * h + y) * w + x] = Math.min(255, Math.floor(base + rnd() * 56));
      }
    }
  }
  return out;
}
