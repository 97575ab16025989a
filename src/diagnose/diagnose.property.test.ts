/**
 * Property: diagnose never throws and always returns JSON-plain findings, whatever the numbers
 * (NaN, ±Infinity, cosines outside the healthy range), graph inputs (dangling, cyclic-looking,
 * self references) or statuses; exactly one summary or problem set, INPUT alone when inputs differ.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import type { ReportEdge, ReportLayer } from '../report/schema.js';
import { toJsonNumber } from '../report/schema.js';
import { summarize } from '../compare/edges.js';
import { diagnose } from './diagnose.js';
import { CLASSIFICATION, DETECTION } from './thresholds.js';

const num = fc.oneof(fc.double({ min: -1, max: 1, noNaN: true }), fc.constantFrom(NaN, Infinity, -Infinity, 1, 0.99, 0.98, 0.95));
const layerArb = (i: number, n: number) =>
  fc.record({
    cosine: num,
    maxAbs: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constant(Infinity)),
    status: fc.constantFrom('ok', 'diverged', 'cannot-compare'),
    inputs: fc.option(fc.array(fc.integer({ min: -1, max: n }), { maxLength: 3 })),
    md5Equal: fc.constantFrom(true, false, null),
    opType: fc.constantFrom('Conv', 'Slice', 'Relu', undefined),
    perChannel: fc.option(fc.array(fc.nat(50), { maxLength: 8 })),
  }).map((r): ReportLayer => {
    const side = { file: `l${i}.bin`, name: `l${i}`, dtype: null, shape: null, size: 0, md5: null };
    const l: ReportLayer = { order: i, name: `l${i}`, shape: null, rule: 'exact', a: side, b: side, md5Equal: r.md5Equal, status: r.status as ReportLayer['status'], cosine: toJsonNumber(r.cosine), maxAbs: toJsonNumber(r.maxAbs) };
    if (r.opType) l.opType = r.opType;
    if (r.inputs) l.graphInputs = r.inputs.map((j) => `l${j}`);
    if (r.perChannel) { l.mismatchesPerChannel = r.perChannel; l.mismatches = r.perChannel.reduce((a, b) => a + b, 0); l.count = 100; }
    return l;
  });
const edgeArb = (kind: 'float' | 'integer', id: string) =>
  fc.integer({ min: 0, max: 12 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => layerArb(i, n)))).map((ls): ReportEdge => {
    const [a, b] = id.split('~') as [ReportEdge['a'], ReportEdge['b']];
    return { id, a, b, kind, layers: ls, firstDivergence: null, unmatched: { a: [], b: [] }, summary: summarize(ls) };
  });

describe('diagnose: total over arbitrary reports', () => {
  it('never throws; findings are JSON-plain; INPUT suppresses the rest; otherwise problems or one OK', () => {
    fc.assert(
      fc.property(edgeArb('float', 'float~ptq'), edgeArb('integer', 'pc~board'), fc.constantFrom(true, false, null), fc.boolean(), (fe, ie, consistent, det) => {
        const inputs = { reference: null, consistent, checks: consistent === false ? [{ source: 'pc' as const, file: 'x', md5: 'y', equal: false, channels: 3 }] : [] };
        const { findings, diagnosis } = diagnose({ inputs, edges: [fe, ie], sources: [], model: null }, det ? DETECTION : CLASSIFICATION);
        // JSON-plain: no NaN / Infinity (JSON would turn them into null), no undefined, no functions
        const strict = (_k: string, v: unknown) => {
          if (typeof v === 'number' && !Number.isFinite(v)) throw new Error(`non-finite number ${v} at "${_k}"`);
          if (typeof v === 'function' || v === undefined) throw new Error(`not JSON at "${_k}"`);
          return v;
        };
        expect(() => JSON.stringify({ findings, diagnosis }, strict)).not.toThrow();
        if (consistent === false) expect(findings.map((f) => f.code)).toEqual(['INPUT']);
        else {
          // either the problems found (A-D, at most one per edge) or a single OK summary, never both, never nothing
          const ok = findings.filter((f) => f.code === 'OK').length;
          expect(findings.length).toBeGreaterThanOrEqual(1);
          expect(ok === 0 || findings.length === 1).toBe(true);
          expect(findings.length).toBeLessThanOrEqual(2);
          for (const f of findings) expect(f.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 400 },
    );
  });
});
