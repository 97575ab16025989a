import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DTYPES, type DType } from '../tensor/dtype.js';
import { PairAccumulator, type PairAccumulatorOptions } from './accumulator.js';
import { fitInfo, fitLinear } from './fit.js';
import { KERNEL_CHUNK, PairKernel } from './pair-kernel.js';
import { WasmPairAccumulator } from './wasm-accumulator.js';
import { metricsFromWholeArrays } from './whole-array-metrics.js';
import type { LayerMetrics } from './types.js';

type Opts = Omit<PairAccumulatorOptions, 'n'>;

let kernel: PairKernel;
beforeAll(async () => {
  kernel = await PairKernel.load({ fromSource: true }); // the current .wat, never a stale binary
});

/** Little-endian bytes of `values` as `dtype` (values must be representable). */
function encode(values: readonly number[], dtype: DType): Uint8Array {
  const bytes = new Uint8Array(Math.ceil(values.length * DTYPES[dtype].bytes));
  const dv = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    if (dtype === 'float32') dv.setFloat32(i * 4, v, true);
    else if (dtype === 'float64') dv.setFloat64(i * 8, v, true);
    else if (dtype === 'uint8') dv.setUint8(i, v);
    else if (dtype === 'int8') dv.setInt8(i, v);
    else if (dtype === 'uint16') dv.setUint16(i * 2, v, true);
    else if (dtype === 'int16') dv.setInt16(i * 2, v, true);
    else if (dtype === 'int32') dv.setInt32(i * 4, v, true);
    else throw new Error(dtype);
  });
  return bytes;
}

/**
 * Streams a, b (raw values) through a WasmPairAccumulator split at `cuts`; the raw regions are
 * first filled with garbage bytes so that only `count` elements may be read.
 */
function viaWasm(a: readonly number[], b: readonly number[], o: Opts, cuts: number[]): LayerMetrics {
  const opts = { ...o, n: a.length };
  expect(WasmPairAccumulator.supports(opts)).toBe(true);
  const acc = new WasmPairAccumulator(kernel, opts);
  const ba = encode(a, o.sideA.dtype);
  const bb = encode(b, o.sideB.dtype);
  const bounds = [...new Set([0, ...cuts.filter((c) => c < a.length), a.length])].sort((p, q) => p - q);
  for (let k = 0; k + 1 < bounds.length; k++) {
    const s = bounds[k]!;
    const e = bounds[k + 1]!;
    const ra = acc.rawA(e - s + 16);
    const rb = acc.rawB(e - s + 16);
    ra.fill(0xff); // float32 NaN / integer -1 or max: wrong if read
    rb.fill(0x7f);
    const wa = DTYPES[o.sideA.dtype].bytes;
    const wb = DTYPES[o.sideB.dtype].bytes;
    ra.set(ba.subarray(s * wa, e * wa));
    rb.set(bb.subarray(s * wb, e * wb));
    acc.push(e - s);
  }
  return acc.result();
}

function viaJs(a: readonly number[], b: readonly number[], o: Opts): LayerMetrics {
  const acc = new PairAccumulator({ ...o, n: a.length });
  acc.push(Float64Array.from(a), Float64Array.from(b), a.length);
  return acc.result();
}

/** Both accumulators equal the specification exactly (no tolerance: the kernel keeps the summation order). */
function check(a: readonly number[], b: readonly number[], o: Opts, cuts: number[]): LayerMetrics {
  const got = viaWasm(a, b, o, cuts);
  const spec = metricsFromWholeArrays(a, b, o);
  expect(got).toEqual(spec);
  expect(got).toEqual(viaJs(a, b, o));
  return got;
}

const f32 = (v: number): number => Math.fround(v);
const special = fc.constantFrom(0, -0, 1, -1, 2, NaN, Infinity, -Infinity, 1e30, -1e-30, 3.4e38, -3.4e38);
const floatValue = fc.oneof({ arbitrary: fc.double(), weight: 3 }, { arbitrary: special, weight: 2 }, { arbitrary: fc.integer({ min: -3, max: 3 }), weight: 3 });
const shapeArb = fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 0, maxLength: 4 });
const count = (shape: number[]): number => shape.reduce((p, d) => p * d, 1);
/** Lengths around the kernel's block (1024) and the float32 vector width (4). */
const blockShape = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 90 })).map(([h, w, c]) => [1, h, w, c]);

describe('WasmPairAccumulator equals the whole-array functions exactly', () => {
  it('float32 / float64 sides: NaN/Inf, zero vectors, scales, random chunkings', () => {
    fc.assert(
      fc.property(
        fc.oneof(shapeArb, blockShape),
        fc.infiniteStream(floatValue),
        fc.infiniteStream(floatValue),
        fc.constantFrom('none', 'aZero', 'bZero', 'bothZero', 'same', 'targetConstChannels'),
        fc.array(fc.nat(3000), { maxLength: 6 }),
        fc.constantFrom<[DType, DType]>(['float32', 'float32'], ['float32', 'float64'], ['float64', 'float32'], ['float64', 'float64']),
        fc.constantFrom('none', 'a', 'b', 'both'),
        (shape, sa, sb, mode, cuts, [dA, dB], scaled) => {
          const len = count(shape);
          const ra = (v: number) => (dA === 'float32' ? f32(v) : v);
          const rb = (v: number) => (dB === 'float32' ? f32(v) : v);
          let a = [...sa.take(len)].map(ra);
          let b = [...sb.take(len)].map(rb);
          if (mode === 'aZero' || mode === 'bothZero') a = a.map(() => 0);
          if (mode === 'bZero' || mode === 'bothZero') b = b.map(() => 0);
          if (mode === 'same') b = a.map(rb);
          if (mode === 'targetConstChannels') {
            const C = shape.length ? shape[shape.length - 1]! : 1;
            b = b.map((_, i) => (i % C) * 0.5);
          }
          const o: Opts = {
            shape,
            sideA: scaled === 'a' || scaled === 'both' ? { dtype: dA, scale: 0.75, zeroPoint: 0.5 } : { dtype: dA },
            sideB: scaled === 'b' || scaled === 'both' ? { dtype: dB, scale: 3, zeroPoint: -2 } : { dtype: dB },
            integerCompare: false,
          };
          check(a, b, o, cuts);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('integer sides (every kernel dtype) with and without scale/zero point, exact compare, saturation, rows', () => {
    const intDtypes: DType[] = ['uint8', 'int8', 'uint16', 'int16', 'int32'];
    fc.assert(
      fc.property(
        fc.oneof(shapeArb, blockShape),
        fc.constantFrom(...intDtypes),
        fc.infiniteStream(fc.nat()),
        fc.infiniteStream(fc.integer({ min: 0, max: 9 })),
        fc.option(fc.tuple(fc.double({ min: 1e-4, max: 2, noNaN: true }), fc.integer({ min: -5, max: 130 })), { nil: undefined }),
        fc.option(fc.tuple(fc.double({ min: 1e-4, max: 2, noNaN: true }), fc.integer({ min: -5, max: 130 })), { nil: undefined }),
        fc.array(fc.nat(3000), { maxLength: 6 }),
        fc.boolean(),
        (shape, dtype, raw, flips, qa, qb, cuts, integerCompare) => {
          const { min, max } = DTYPES[dtype];
          const len = count(shape);
          const span = Math.min(max - min + 1, 2 ** 31);
          const a = [...raw.take(len)].map((r) => (r % 5 === 0 ? (r % 2 ? min : max) : min + (r % span)));
          const fl = [...flips.take(len)];
          const b = a.map((v, i) => (fl[i] === 0 ? Math.min(max, v + 1) : fl[i] === 1 ? min : v));
          const o: Opts = {
            shape,
            sideA: qa ? { dtype, scale: qa[0], zeroPoint: qa[1] } : { dtype },
            sideB: qb ? { dtype, scale: qb[0], zeroPoint: qb[1] } : { dtype },
            integerCompare,
          };
          check(a, b, o, cuts);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('float reference vs a quantized target, chunks across kernel blocks and channel/row boundaries', () => {
    fc.assert(
      fc.property(
        fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 16 })),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        fc.array(fc.nat(30_000), { maxLength: 6 }),
        fc.constantFrom<DType>('uint8', 'int8', 'uint16'),
        ([h, w, c], seed, cuts, dtype) => {
          const shape = [1, h, w, c];
          const len = h * w * c;
          let s = seed;
          const rnd = (): number => {
            s = (Math.imul(s, 1103515245) + 12345) >>> 0;
            return s / 2 ** 32;
          };
          const { min, max } = DTYPES[dtype];
          const deadC = Math.floor(rnd() * c);
          const a: number[] = [];
          const b: number[] = [];
          for (let i = 0; i < len; i++) {
            const q = min + Math.floor(rnd() * (Math.min(max, 255) - min + 1));
            a.push(f32(rnd() < 0.002 ? NaN : (q + 0.3 * (rnd() - 0.5)) / 16));
            b.push(i % c === deadC ? 7 : q);
          }
          const o: Opts = { shape, sideA: { dtype: 'float32' }, sideB: { dtype, scale: 1 / 16, zeroPoint: 0 }, integerCompare: false };
          const got = check(a, b, o, cuts);
          if (len / c > 1) expect(got.deadChannels).toContain(deadC);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('fitted second pass (float reference vs integer target without parameters)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 2, maxLength: 2100 }), fc.array(fc.nat(2100), { maxLength: 5 }), (q, cuts) => {
        const f = q.map((v, i) => f32((v - 7) * 0.05 + ((i * 37) % 11) * 1e-3));
        const fit = fitLinear(q, f);
        check(f, q, { shape: [q.length], sideA: { dtype: 'float32' }, sideB: { dtype: 'uint8' }, integerCompare: false, fit: fitInfo('b', fit) }, cuts);
      }),
      { numRuns: 100 },
    );
  });
});

describe('WasmPairAccumulator on hand-computed and edge data', () => {
  it('board vs PC on a [1,4,5,3] uint8 tensor: mismatch count, first coordinate, clustering', () => {
    const a = Array.from({ length: 60 }, (_, i) => (i * 7) % 256);
    const b = a.slice();
    b[35] = b[35]! + 1;
    b[41] = b[41]! + 2;
    b[57] = 255;
    const m = check(a, b, { shape: [1, 4, 5, 3], sideA: { dtype: 'uint8', scale: 0.5, zeroPoint: 10 }, sideB: { dtype: 'uint8', scale: 0.5, zeroPoint: 10 }, integerCompare: true }, [7, 36, 40]);
    expect(m.mismatches).toBe(3);
    expect(m.firstMismatch).toEqual({ index: 35, coord: [0, 2, 1, 2], nhwc: { n: 0, h: 2, w: 1, c: 2 } });
    expect(m.mismatchesPerChannel).toEqual([1, 0, 2]);
    expect(m.mismatchesPerRow).toEqual([0, 0, 2, 1]);
    expect(m.maxAbs).toBe(56);
    expect(m.maxAbsIndex).toBe(57);
    expect(m.saturation.b).toEqual({ atMin: 1, atMax: 1, share: 2 / 60 });
  });

  it('finite float64 values whose difference overflows are measured, not counted as non-finite', () => {
    const m = check([1.7e308, 1], [-1.7e308, 1], { shape: [2], sideA: { dtype: 'float64' }, sideB: { dtype: 'float64' }, integerCompare: false }, [1]);
    expect(m.finiteCount).toBe(2);
    expect(m.maxAbs).toBe(Infinity);
  });

  it('a whole kernel chunk plus a ragged tail (1 Mi + 5 float32 elements), one NaN per block', () => {
    const len = KERNEL_CHUNK + 5;
    const a: number[] = new Array(len);
    const b: number[] = new Array(len);
    for (let i = 0; i < len; i++) {
      a[i] = f32(Math.sin(i) * 3);
      b[i] = i % 1024 === 1023 ? NaN : f32(a[i]! + (i % 7 === 0 ? 0.01 : 0));
    }
    const o: Opts = { shape: [len], sideA: { dtype: 'float32' }, sideB: { dtype: 'float32' }, integerCompare: false };
    const got = viaWasm(a, b, o, [KERNEL_CHUNK]);
    expect(got).toEqual(viaJs(a, b, o));
    expect(got.nonFinite.b.nan).toBe(Math.floor(len / 1024));
  });

  it('supports(): uint4 and int64 sides and huge channel arrays take the JS path; misuse throws RangeError', () => {
    const base = { n: 4, shape: [4], integerCompare: false };
    expect(WasmPairAccumulator.supports({ ...base, sideA: { dtype: 'uint4' }, sideB: { dtype: 'uint8' } })).toBe(false);
    expect(WasmPairAccumulator.supports({ ...base, sideA: { dtype: 'float32' }, sideB: { dtype: 'int64' } })).toBe(false);
    expect(WasmPairAccumulator.supports({ n: 2 ** 24, shape: [2 ** 24], integerCompare: false, sideA: { dtype: 'float32' }, sideB: { dtype: 'float32' } })).toBe(false);
    expect(WasmPairAccumulator.supports({ n: 2 ** 24, shape: [64, 2 ** 18], integerCompare: false, sideA: { dtype: 'float32' }, sideB: { dtype: 'float32' } })).toBe(true);
    const o = { ...base, sideA: { dtype: 'float32' as const }, sideB: { dtype: 'float32' as const } };
    expect(() => new WasmPairAccumulator(kernel, { ...o, sideA: { dtype: 'uint4' } })).toThrow(RangeError);
    expect(() => new WasmPairAccumulator(kernel, { ...o, n: 5 })).toThrow(RangeError);
    const acc = new WasmPairAccumulator(kernel, o);
    expect(() => acc.push(5)).toThrow(RangeError);
    acc.rawA(2).set(encode([1, 2], 'float32'));
    acc.rawB(2).set(encode([1, 2], 'float32'));
    acc.push(2);
    expect(() => acc.result()).toThrow(RangeError);
  });
});
