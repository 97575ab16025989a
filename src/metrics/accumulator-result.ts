/**
 * The LayerMetrics block from a finished accumulation's state, shared by the JS PairAccumulator
 * and the WebAssembly one, so both finalize identically (finalize.ts formulas).
 */
import { coordOf, locate } from './coords.js';
import { saturationStats } from './counts.js';
import {
  cosineFromSums,
  euclideanFromSums,
  eucSimilarityFromSums,
  meanFromSum,
  relEuclideanFromSums,
  rmseFromSum,
  rmseInStepsFrom,
  sqnrDbFromRel,
} from './finalize.js';
import type { PairSetup } from './accumulator-setup.js';
import type { LayerMetrics } from './types.js';

/** Final state of an accumulation (typed arrays may be views on WebAssembly memory: read here, not kept). */
export interface PairState {
  /** Running sums and non-finite counts (accumulator-kernels.ts STATE_SIZE layout). */
  st: Float64Array;
  /** Saturation counts [a at min, a at max, b at min, b at max]. */
  sat: Float64Array;
  /** Channel-varies flags per side (length setup.trackLen). */
  variesA: Uint8Array;
  variesB: Uint8Array;
  /** Target channels still constant when tracking stopped (0: tracking stopped early, none dead). */
  targetConstLeft: number;
  /** [mismatches, first mismatching index or -1]; null without integerCompare. */
  mm: Float64Array | null;
  perChannel: Float64Array;
  perRow: Float64Array;
}

/** Builds the metrics block (METRICS.md) from the sums and counts. */
export function layerMetricsOf(setup: PairSetup, s: PairState): LayerMetrics {
  const st = s.st;
  const sdd = st[3]!;
  const finite = st[8]!;
  const mi = st[7]!;
  const cos = cosineFromSums(st[0]!, st[1]!, st[2]!);
  const rel = relEuclideanFromSums(sdd, st[1]!);
  const rmse = rmseFromSum(sdd, finite);
  const m: LayerMetrics = {
    count: setup.n,
    finiteCount: finite,
    cosine: cos.value,
    euclidean: euclideanFromSums(sdd),
    relEuclidean: rel,
    sqnrDb: sqnrDbFromRel(rel),
    eucSimilarity: eucSimilarityFromSums(sdd, st[5]!),
    maxAbs: mi < 0 ? 0 : st[6]!,
    maxAbsIndex: mi,
    maxAbsCoord: mi < 0 ? null : coordOf(mi, setup.shape),
    meanAbs: meanFromSum(st[4]!, finite),
    rmse,
    nonFinite: {
      a: { nan: st[9]!, posInf: st[10]!, negInf: st[11]! },
      b: { nan: st[12]!, posInf: st[13]!, negInf: st[14]! },
    },
    saturation: {},
    deadChannels: deadChannelList(setup, s),
  };
  if (cos.flag) m.cosineFlag = cos.flag;
  const o = setup.opts;
  // scale of the quantized side for rmseInSteps: the fit's, else the target's, else the reference's
  const step = o.fit?.scale ?? o.sideB.scale ?? o.sideA.scale;
  if (step !== undefined) m.rmseInSteps = rmseInStepsFrom(rmse, step);
  if (setup.intA) m.saturation.a = saturationStats(s.sat[0]!, s.sat[1]!, setup.n);
  if (setup.intB) m.saturation.b = saturationStats(s.sat[2]!, s.sat[3]!, setup.n);
  if (s.mm) {
    m.mismatches = s.mm[0]!;
    m.firstMismatch = s.mm[1]! < 0 ? null : locate(s.mm[1]!, setup.shape);
    m.mismatchesPerChannel = Array.from(s.perChannel);
    if (setup.hasRows) m.mismatchesPerRow = Array.from(s.perRow);
  }
  if (o.fit) {
    m.fitted = true;
    m.fit = { ...o.fit };
  }
  return m;
}

function deadChannelList(setup: PairSetup, s: PairState): number[] {
  const out: number[] = [];
  if (s.targetConstLeft === 0) return out;
  for (let c = 0; c < setup.trackLen; c++) if (s.variesB[c] === 0 && s.variesA[c] === 1) out.push(c);
  return out;
}
