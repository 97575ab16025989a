/** The distance table's numbers (hand-computed fixtures) and its text round trip through the vendor-table reader. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { aggregateLayer, layerStats, type DistanceRow, type ImageLayerStats } from './distance.js';
import { DISTANCE_BANNER, fmtVendor, formatDistanceTable, type DistanceTable } from './distance-table.js';
import { parseVendorTable } from '../diagnose/vendor-table.js';

describe('layerStats', () => {
  it('matches hand-computed values', () => {
    // r = [0, 1, 2, 3], t = [0, 1, 2, 5]: d = [0, 0, 0, -2]
    const s = layerStats([0, 1, 2, 3], [0, 1, 2, 5]);
    expect(s.cosine).toBeCloseTo((0 + 1 + 4 + 15) / Math.sqrt(14 * 30), 14);
    expect(s.euclidean).toBeCloseTo(2, 14);
    // mean d = -0.5; deviations 0.5, 0.5, 0.5, -1.5 -> var = (0.25*3 + 2.25)/4 = 0.75
    expect(s.stdDev).toBeCloseTo(Math.sqrt(0.75), 14);
    expect(s.maxAbs).toBe(2);
    // reference range 3 - 0 = 3
    expect(s.maxAbs01).toBeCloseTo(2 / 3, 14);
  });

  it('uses finite pairs only; constant reference: 0 when equal, Infinity when not', () => {
    const s = layerStats([1, NaN, 3, 5], [1, 2, Infinity, 5]);
    expect(s).toEqual({ cosine: 1, euclidean: 0, stdDev: 0, maxAbs: 0, maxAbs01: 0 });
    expect(layerStats([2, 2], [2, 2]).maxAbs01).toBe(0);
    expect(layerStats([2, 2], [2, 3]).maxAbs01).toBe(Infinity);
    expect(layerStats([], [])).toEqual({ cosine: 1, euclidean: 0, stdDev: 0, maxAbs: 0, maxAbs01: 0 });
  });

  it('stdDev is shift-invariant in the difference and 0 for a constant offset', () => {
    const r = [0.5, -1, 2, 7, 3];
    expect(layerStats(r, r.map((x) => x + 0.25)).stdDev).toBeCloseTo(0, 14);
    expect(layerStats(r, r.map((x) => x + 0.25)).maxAbs).toBeCloseTo(0.25, 14);
  });
});

describe('aggregateLayer', () => {
  const st = (cosine: number, euclidean: number, stdDev: number, maxAbs: number, maxAbs01: number): ImageLayerStats => ({ cosine, euclidean, stdDev, maxAbs, maxAbs01 });
  it('mean / min / max of cosine, mean euclidean and stdDev, max of maxAbs and maxAbs01, worst image', () => {
    const a = aggregateLayer([st(0.99, 4, 0.1, 0.5, 0.2), st(0.95, 6, 0.3, 0.4, 0.3), null, st(0.98, 2, 0.2, 0.9, 0.1)], ['a.jpg', 'b.jpg', 'c.jpg', 'd.jpg']);
    expect(a.images).toBe(3);
    expect(a.cosineAvg).toBeCloseTo((0.99 + 0.95 + 0.98) / 3, 14);
    expect(a.cosineMin).toBe(0.95);
    expect(a.cosineMax).toBe(0.99);
    expect(a.eucDistance).toBeCloseTo(4, 14);
    expect(a.stdDev).toBeCloseTo(0.2, 14);
    expect(a.maxAbs).toBe(0.9);
    expect(a.maxAbs01).toBe(0.3);
    expect(a.worstImage).toBe('b.jpg');
  });
  it('a NaN cosine is never hidden', () => {
    const a = aggregateLayer([st(0.99, 1, 0, 0, 0), st(NaN, 1, 0, 0, 0)], ['a', 'b']);
    expect(a.cosineAvg).toBeNaN();
    expect(a.cosineMin).toBeNaN();
    expect(a.cosineMax).toBeNaN();
    expect(a.worstImage).toBe('b');
  });
});

function row(name: string, v: number[], worst = 'x.jpg'): DistanceRow {
  const [cosineAvg, cosineMin, cosineMax, eucDistance, stdDev, maxAbs, maxAbs01] = v as [number, number, number, number, number, number, number];
  return { name, tensor: name, order: 0, images: 2, cosineAvg, cosineMin, cosineMax, eucDistance, stdDev, maxAbs, maxAbs01, worstImage: worst, perImage: [] };
}

describe('formatDistanceTable', () => {
  it("prints the vendor's banner, header and 5-decimal rows", () => {
    const t: DistanceTable = { images: [{ label: 'x.jpg', file: '/x.jpg' }], rows: [row('functional_1/conv2d/Relu', [0.999962, 0.99975, 0.99998, 0.00445, 0.00121, 0.02141, 0.16431])] };
    const lines = formatDistanceTable(t).split('\n');
    expect(lines[0]).toBe(DISTANCE_BANNER);
    expect(lines[0]).toMatch(/^<<<.*ptq model compute distance.*>>>$/);
    expect(lines[1]!.split(/\s{2,}/)).toEqual(['feature name', 'cosine_avg', 'cosine_min', 'cosine_max', 'euc_distan', 'stand_devi', 'max_absolu', 'max_abs_0~1']);
    expect(lines[2]!.split(/\s+/)).toEqual(['functional_1/conv2d/Relu', '0.99996', '0.99975', '0.99998', '0.00445', '0.00121', '0.02141', '0.16431']);
    expect(lines.length).toBe(4); // one image: no worst-image notes
  });

  it('non-finite values print as printf does; -0.00000 prints as 0.00000', () => {
    expect([NaN, Infinity, -Infinity, -1e-9, 1].map(fmtVendor)).toEqual(['nan', 'inf', '-inf', '0.00000', '1.00000']);
  });

  it('reads back with parseVendorTable to the printed numbers, worst-image notes after the table (property)', () => {
    const num = fc.oneof(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 0, 1));
    const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_/.:-]{0,40}$/);
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(name, fc.array(num, { minLength: 7, maxLength: 7 })), { minLength: 1, maxLength: 12, selector: (x) => x[0] }), (rows) => {
        const t: DistanceTable = { images: [{ label: 'a.jpg', file: '/a.jpg' }, { label: 'b.jpg', file: '/b.jpg' }], rows: rows.map(([n, v]) => row(n, v, 'b.jpg')) };
        const text = formatDistanceTable(t);
        const back = parseVendorTable(text, 'printed');
        expect(back.warnings).toEqual([]);
        expect(back.rows.map((r) => r.name)).toEqual(rows.map(([n]) => n));
        back.rows.forEach((r, i) => {
          const want = rows[i]![1].map((x) => Number(fmtVendor(x).replace('inf', 'Infinity').replace('nan', 'NaN')));
          expect([r.cosineAvg, r.cosineMin, r.cosineMax, r.eucDistance, r.stdDev, r.maxAbs, r.maxAbs01]).toEqual(want);
        });
        expect(text).toContain('worst image per layer (lowest cosine over 2 images):');
      }),
      { numRuns: 200 },
    );
  });
});
