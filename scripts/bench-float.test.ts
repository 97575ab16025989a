import { describe, it, expect } from 'vitest';
import { benchFloat } from './bench-float.js';

describe('benchFloat (smoke: it runs and reports consistent fields; no timing asserted)', () => {
  it('dumps YOLOX-nano 416 and reports its phases', async () => {
    const r = await benchFloat({ repeats: 1, threads: 2 });
    expect(r.detail.tensorsWritten).toBe(370);
    expect(r.detail.mbWritten).toBe(122);
    expect(r.detail.repeats).toBe(1);
    expect(r.dumpMs).toBeGreaterThan(0);
    expect(r.ortMs).toBeGreaterThan(0);
    expect(r.ortDisabledMs).toBeGreaterThan(0);
    expect(r.ratio).toBeCloseTo(r.dumpMs / r.ortMs, 0);
    expect(r.ratioSameOptimization).toBeCloseTo(r.dumpMs / r.ortDisabledMs, 0);
    for (const v of [...Object.values(r.detail.dumpPhasesMs), ...Object.values(r.detail.baselinesMs), ...Object.values(r.detail.floorMs), ...Object.values(r.detail.setupMs), ...Object.values(r.detail.coldMs)]) {
      expect(v).toBeGreaterThan(0);
    }
    expect(r.peakRssMb).toBeGreaterThan(100);
  });
});
