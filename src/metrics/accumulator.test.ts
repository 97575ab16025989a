import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DTYPES, type DType } from '../tensor/dtype.js';
import { measurePair, PairAccumulator, type PairAccumulatorOptions } from './accumulator.js';
import { fitInfo, fitLinear } from './fit.js';
import { metricsFromWholeArrays } from './whole-array-metrics.js';
import type { LayerMetrics } from './types.js';

type Opts = Omit<PairAccumulatorOptions, 'n'>;

const expected = metricsFromWholeArrays;

/**
 * Streams a, b through a PairAccumulator split at `cuts`; each chunk is copied into a reused
 * buffer longer than the chunk (filled with garbage) so `count` must be honoured.
 */
function streamed(a: number[], b: number[], o: Opts, cuts: number[]): LayerMetrics {
  const acc = new PairAccumulator({ ...o, n: a.length });
  const bounds = [...new Set([0, ...cuts.filter((c) => c < a.length), a.length])].sort((p, q) => p - q);
  const bufA = new Float64Array(a.length + 3).fill(NaN);
  const bufB = new Float64Array(a.length + 3).fill(-7);
  for (let k = 0; k + 1 < bounds.length; k++) {
    const s = bounds[k]!;
    const e = bounds[k + 1]!;
    bufA.set(a.slice(s, e));
    bufB.set(b.slice(s, e));
    acc.push(bufA, bufB, e - s);
  }
  if (a.length === 0) acc.push(bufA, bufB, 0);
  return acc.result();
}

const special = fc.constantFrom(0, -0, 1, -1, 2, NaN, Infinity, -Infinity, 1e300, -1e-300, 1.7e308, -1.7e308);
const floatValue = fc.oneof({ arbitrary: fc.double(), weight: 3 }, { arbitrary: special, weight: 2 }, { arbitrary: fc.integer({ min: -3, max: 3 }), weight: 3 });

/** A shape of rank 0..4 with at most ~300 elements (dims 0..6). */
const shapeArb = fc.array(fc.integer({ min: 0, max: 6 }), { minLength: 0, maxLength: 4 });

const n = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);

describe('PairAccumulator equals the whole-array functions exactly', () => {
  it('float vs float: random chunkings, lengths 0 and 1, NaN/Inf, zero vectors', () => {
    fc.assert(
      fc.property(
        shapeArb,
        fc.infiniteStream(floatValue),
        fc.infiniteStream(floatValue),
        fc.constantFrom('none', 'aZero', 'bZero', 'bothZero', 'same', 'targetConstChannels'),
        fc.array(fc.nat(300), { maxLength: 8 }),
        fc.constantFrom('none', 'a', 'b', 'both'),
        (shape, sa, sb, mode, cuts, scaled) => {
          const len = n(shape);
          let a = [...sa.take(len)] as number[];
          let b = [...sb.take(len)] as number[];
          if (mode === 'aZero' || mode === 'bothZero') a = a.map(() => 0);
          if (mode === 'bZero' || mode === 'bothZero') b = b.map(() => 0);
          if (mode === 'same') b = a.slice();
          if (mode === 'targetConstChannels') {
            const C = shape.length ? shape[shape.length - 1]! : 1;
            b = b.map((_, i) => (i % C) * 0.5);
          }
          // 'a'/'b'/'both': that side is dequantized (x = (v - zp) * scale), exercising the other kernel
          const o: Opts = {
            shape,
            sideA: scaled === 'a' || scaled === 'both' ? { dtype: 'float32', scale: 0.75, zeroPoint: 0.5 } : { dtype: 'float32' },
            sideB: scaled === 'b' || scaled === 'both' ? { dtype: 'float64', scale: 3, zeroPoint: -2 } : { dtype: 'float64' },
            integerCompare: false,
          };
          expect(streamed(a, b, o, cuts)).toEqual(expected(a, b, o));
        },
      ),
      { numRuns: 600 },
    );
  });

  it('integer sides with scale/zero point, exact compare, saturation', () => {
    const intDtypes: DType[] = ['uint8', 'int8', 'uint16', 'int16', 'uint4'];
    fc.assert(
      fc.property(
        shapeArb,
        fc.constantFrom(...intDtypes),
        fc.infiniteStream(fc.nat()),
        fc.infiniteStream(fc.integer({ min: 0, max: 9 })),
        fc.option(fc.tuple(fc.double({ min: 1e-4, max: 2, noNaN: true }), fc.integer({ min: -5, max: 130 })), { nil: undefined }),
        fc.option(fc.tuple(fc.double({ min: 1e-4, max: 2, noNaN: true }), fc.integer({ min: -5, max: 130 })), { nil: undefined }),
        fc.array(fc.nat(300), { maxLength: 8 }),
        (shape, dtype, raw, flips, qa, qb, cuts) => {
          const { min, max } = DTYPES[dtype];
          const len = n(shape);
          const span = max - min + 1;
          const a = [...raw.take(len)].map((r) => (r % 5 === 0 ? (r % 2 ? min : max) : min + (r % span)));
          const fl = [...flips.take(len)];
          const b = a.map((v, i) => (fl[i] === 0 ? Math.min(max, v + 1) : fl[i] === 1 ? min : v));
          const o: Opts = {
            shape,
            sideA: qa ? { dtype, scale: qa[0], zeroPoint: qa[1] } : { dtype },
            sideB: qb ? { dtype, scale: qb[0], zeroPoint: qb[1] } : { dtype },
            integerCompare: true,
          };
          expect(streamed(a, b, o, cuts)).toEqual(expected(a, b, o));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('large tensors: chunks and kernel blocks (4096) cross channel/row boundaries', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 16 })),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(fc.nat(30_000), { maxLength: 6 }),
        fc.boolean(),
        ([h, w, c], seed, cuts, quant) => {
          const shape = [1, h, w, c];
          const len = h * w * c;
          let s = seed;
          const rnd = (): number => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return s / 2 ** 32;
          };
          const deadC = Math.floor(rnd() * c);
          const a: number[] = [];
          const b: number[] = [];
          for (let i = 0; i < len; i++) {
            const q = Math.floor(rnd() * 256);
            a.push(quant ? q : (q - 128) / 16);
            const r = rnd();
            const t = r < 0.01 ? Math.min(255, q + 1) : r < 0.012 ? 0 : q;
            b.push(i % c === deadC ? (quant ? 7 : 0.25) : quant ? t : (t - 128) / 16 + (r < 0.003 ? NaN : 0));
          }
          const o: Opts = quant
            ? { shape, sideA: { dtype: 'uint8', scale: 1 / 16, zeroPoint: 128 }, sideB: { dtype: 'uint8', scale: 1 / 16, zeroPoint: 128 }, integerCompare: true }
            : { shape, sideA: { dtype: 'float32' }, sideB: { dtype: 'float32' }, integerCompare: false };
          const got = streamed(a, b, o, cuts);
          expect(got).toEqual(expected(a, b, o));
          if (len / c > 1 && a.some((v, i) => i % c === deadC && v !== a[deadC])) expect(got.deadChannels).toContain(deadC);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('fitted second pass (float reference vs integer target without parameters)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 2, maxLength: 200 }), fc.array(fc.nat(200), { maxLength: 5 }), (q, cuts) => {
        const f = q.map((v, i) => (v - 7) * 0.05 + ((i * 37) % 11) * 1e-3);
        const fit = fitLinear(q, f);
        const o: Opts = { shape: [q.length], sideA: { dtype: 'float32' }, sideB: { dtype: 'uint8' }, integerCompare: false, fit: fitInfo('b', fit) };
        expect(streamed(f, q, o, cuts)).toEqual(expected(f, q, o));
      }),
      { numRuns: 200 },
    );
  });
});

describe('PairAccumulator on hand-computed data', () => {
  it('[1,2,3] vs [4,5,6] in chunks of 1', () => {
    const m = streamed([1, 2, 3], [4, 5, 6], { shape: [1, 1, 1, 3], sideA: { dtype: 'float32' }, sideB: { dtype: 'float32' }, integerCompare: false }, [1, 2]);
    expect(m.cosine).toBe(32 / Math.sqrt(14 * 77));
    expect(m.euclidean).toBe(Math.sqrt(27));
    expect(m.maxAbs).toBe(3);
    expect(m.maxAbsIndex).toBe(0);
    expect(m.maxAbsCoord).toEqual([0, 0, 0, 0]);
    expect(m.meanAbs).toBe(3);
    expect(m.rmse).toBe(3);
    expect(m.rmseInSteps).toBeUndefined();
    expect(m.saturation).toEqual({});
    expect(m.deadChannels).toEqual([]);
    expect(m.mismatches).toBeUndefined();
  });

  it('board vs PC on a [1,4,5,3] uint8 tensor: mismatch count, first coordinate, clustering', () => {
    const shape = [1, 4, 5, 3];
    const a = Array.from({ length: 60 }, (_, i) => (i * 7) % 256);
    const b = a.slice();
    b[35] = b[35]! + 1; // (n0,h2,w1,c2)
    b[41] = b[41]! + 2; // (n0,h2,w3,c2)
    b[57] = 255; // (n0,h3,w4,c0)
    const m = streamed(a, b, { shape, sideA: { dtype: 'uint8', scale: 0.5, zeroPoint: 10 }, sideB: { dtype: 'uint8', scale: 0.5, zeroPoint: 10 }, integerCompare: true }, [7, 36, 40]);
    expect(m.mismatches).toBe(3);
    expect(m.firstMismatch).toEqual({ index: 35, coord: [0, 2, 1, 2], nhwc: { n: 0, h: 2, w: 1, c: 2 } });
    expect(m.mismatchesPerChannel).toEqual([1, 0, 2]);
    expect(m.mismatchesPerRow).toEqual([0, 0, 2, 1]);
    // a[57] = 399 % 256 = 143 -> 255: |diff| = 112 steps * 0.5
    expect(m.maxAbs).toBe(56);
    expect(m.maxAbsIndex).toBe(57);
    expect(m.maxAbsCoord).toEqual([0, 3, 4, 0]);
    expect(m.saturation.b).toEqual({ atMin: 1, atMax: 1, share: 2 / 60 });
    expect(m.rmseInSteps).toBe(m.rmse / 0.5);
  });

  it('float reference with NaN/Inf vs a dequantized uint8 target: counts and finite-pair metrics', () => {
    const f = [0.5, NaN, 1, -Infinity, 1.5, Infinity];
    const q = [11, 0, 12, 255, 13, 14];
    const m = streamed(f, q, { shape: [1, 1, 2, 3], sideA: { dtype: 'float32' }, sideB: { dtype: 'uint8', scale: 0.5, zeroPoint: 10 }, integerCompare: false }, [3]);
    expect(m.finiteCount).toBe(3);
    expect(m.nonFinite.a).toEqual({ nan: 1, posInf: 1, negInf: 1 });
    expect(m.nonFinite.b).toEqual({ nan: 0, posInf: 0, negInf: 0 });
    expect(m.cosine).toBe(1);
    expect(m.maxAbs).toBe(0);
    expect(m.saturation.b).toEqual({ atMin: 1, atMax: 1, share: 2 / 6 });
    expect(m.saturation.a).toBeUndefined();
  });

  it('finite values whose difference overflows are still measured (not counted as non-finite)', () => {
    const m = streamed([1.7e308, 1], [-1.7e308, 1], { shape: [2], sideA: { dtype: 'float64' }, sideB: { dtype: 'float64' }, integerCompare: false }, [1]);
    expect(m.finiteCount).toBe(2);
    expect(m.nonFinite.a).toEqual({ nan: 0, posInf: 0, negInf: 0 });
    expect(m.maxAbs).toBe(Infinity);
    expect(m.maxAbsIndex).toBe(0);
  });

  it('a layer with NaN/Inf is measured over its finite pairs and shows the counts', () => {
    const m = streamed([1, NaN, 3, Infinity, 2], [2, 2, -Infinity, 4, 4], { shape: [5], sideA: { dtype: 'float32' }, sideB: { dtype: 'float32' }, integerCompare: false }, [2]);
    expect(m.finiteCount).toBe(2);
    expect(m.nonFinite).toEqual({ a: { nan: 1, posInf: 1, negInf: 0 }, b: { nan: 0, posInf: 0, negInf: 1 } });
    expect(m.cosine).toBe(1);
    expect(m.meanAbs).toBe(1.5);
    expect(m.maxAbs).toBe(2);
    expect(m.maxAbsIndex).toBe(4);
  });

  it('fitted metrics on exactly quantized data are exact and marked', () => {
    const q = Array.from({ length: 1000 }, (_, i) => (i * 13) % 256);
    const f = q.map((v) => (v - 3) * 0.5);
    const fit = fitLinear(q, f);
    const m = streamed(f, q, { shape: [10, 100], sideA: { dtype: 'float32' }, sideB: { dtype: 'uint8' }, integerCompare: false, fit: fitInfo('b', fit) }, [333]);
    expect(m.fitted).toBe(true);
    expect(m.fit).toEqual({ side: 'b', scale: 0.5, zeroPoint: 3, plausible: true, r2: 1 });
    expect(m.cosine).toBe(1);
    expect(m.maxAbs).toBe(0);
    expect(m.rmseInSteps).toBe(0);
  });

  it('measurePair equals streaming over the same arrays', () => {
    const a = Array.from({ length: 60 }, (_, i) => Math.sin(i) * 3);
    const b = a.map((v, i) => v + (i % 7 === 0 ? 0.1 : 0));
    const o: Opts = { shape: [1, 4, 5, 3], sideA: { dtype: 'float32' }, sideB: { dtype: 'float32' }, integerCompare: false };
    expect(measurePair(a, b, o)).toEqual(streamed(a, b, o, [17, 40]));
    expect(measurePair(a, b, o)).toEqual(expected(a, b, o));
    expect(() => measurePair([1], [1, 2], { ...o, shape: [1] })).toThrow(RangeError);
  });

  it('rejects misuse with RangeError', () => {
    const base = { sideA: { dtype: 'float32' as const }, sideB: { dtype: 'float32' as const }, integerCompare: false };
    expect(() => new PairAccumulator({ ...base, n: 5, shape: [2, 2] })).toThrow(RangeError);
    expect(() => new PairAccumulator({ ...base, n: 1, shape: [1], sideA: { dtype: 'uint8', zeroPoint: 3 } })).toThrow(RangeError);
    expect(() => new PairAccumulator({ ...base, n: 1, shape: [1], sideB: { dtype: 'uint8', scale: 1 }, fit: { side: 'b', scale: 1, zeroPoint: 0, plausible: true, r2: 1 } })).toThrow(RangeError);
    const acc = new PairAccumulator({ ...base, n: 2, shape: [2] });
    expect(() => acc.push(new Float64Array(1), new Float64Array(1), 2)).toThrow(RangeError);
    acc.push(new Float64Array([1]), new Float64Array([1]), 1);
    expect(() => acc.result()).toThrow(RangeError);
    expect(() => acc.push(new Float64Array(2), new Float64Array(2), 2)).toThrow(RangeError);
    acc.push(new Float64Array([2]), new Float64Array([2]), 1);
    expect(acc.result().cosine).toBe(1);
  });
});
