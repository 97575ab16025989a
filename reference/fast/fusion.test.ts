/**
 * SiLU fusion (fusion.ts) on the real YOLOX-nano (82 Conv → Sigmoid → Mul groups): the graph output
 * of the fused fast run (1 and 2 threads) is byte-identical to the plain-TS run without fusion; the
 * fused table equals the two-step Sigmoid / Mul kernels on every code; fusion stays off when the
 * intermediates are observed (onTensor). Later fused runs replay the recorded kernel calls and place
 * Concat inputs (reference/quantize/replay.ts) and stay byte-identical.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FastEngine } from './engine.js';
import { findSiluFusions, siluTable } from './fusion.js';
import { prepareQuant, type PreparedQuant } from '../quantize/prepare.js';
import { calibrated } from './test-calibrated.js';
import { planGraph } from '../executor.js';
import { runQuantized } from '../quantize/run-quantized.js';
import { toCodes } from '../quantize/int-step.js';
import { makeTensor, type Tensor } from '../tensor.js';
import type { IntContext } from '../ops/op.js';
import type { OnnxModel } from '../../src/onnx/types.js';
import type { QuantParams } from '../quantize/params.js';
import { replayStats } from './node-plan.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const yolox = path.resolve(repoRoot, '../shared/data/models/yolox_nano_3cls.onnx');

let e1: FastEngine;
let e2: FastEngine;
let prep: PreparedQuant;
let x: Tensor;
let model: OnnxModel;
let params: QuantParams;

beforeAll(async () => {
  e1 = await FastEngine.create({ threads: 1, fromSource: true });
  e2 = await FastEngine.create({ threads: 2, fromSource: true });
  ({ prep, x, model, params } = await calibrated(yolox, 416, 416));
}, 120_000);
afterAll(async () => {
  await e1.close();
  await e2.close();
});

describe('SiLU fusion', () => {
  it('finds the Conv → Sigmoid → Mul groups of YOLOX-nano', () => {
    const f = findSiluFusions(planGraph(prep.model));
    expect(f.byConv.size).toBeGreaterThanOrEqual(80);
    expect(f.byMember.size).toBe(2 * f.byConv.size);
    for (const g of f.byConv.values()) {
      expect(g.conv.node.opType).toBe('Conv');
      expect(g.mul.node.inputs).toContain(g.conv.node.outputs[0]);
      expect(g.mul.node.inputs).toContain(g.sigmoid.node.outputs[0]);
    }
  });

  it('fused table = Mul_int(q, Sigmoid_int(q)) for every code', () => {
    const f = [...findSiluFusions(planGraph(prep.model)).byConv.values()][5]!;
    const [qa, qb, qc] = [f.conv.node.outputs[0]!, f.sigmoid.node.outputs[0]!, f.mul.node.outputs[0]!].map((n) => prep.features.get(n)!);
    const table = siluTable({}, f, qa, qb, qc, null, toCodes)!;
    // the two steps on a tensor shaped like a feature map, codes in scrambled order
    const codes = Uint8Array.from({ length: 512 }, (_, i) => (i * 37) & 255);
    const t = makeTensor('uint8', [1, 2, 16, 16], codes);
    const ctxS: IntContext = { ...f.sigmoid.ctx, inputQuant: [qa], outputQuant: [qb] };
    const s = f.sigmoid.kernel.int!([t], f.sigmoid.attrs, ctxS)[0]!;
    const ctxM: IntContext = { ...f.mul.ctx, inputQuant: f.convInput === 0 ? [qa, qb] : [qb, qa], outputQuant: [qc] };
    const y = f.mul.kernel.int!(f.convInput === 0 ? [t, s] : [s, t], f.mul.attrs, ctxM)[0]!.data as Uint8Array;
    expect(Array.from(y)).toEqual(Array.from(codes, (q) => table[q]!));
    expect(new Set(table).size).toBeGreaterThan(20); // a real non-linearity, not a constant
  });

  it('the fused fast run gives the same output bytes as the plain-TS run (1 and 2 threads), also when its kernel calls are replayed and Concat inputs placed', async () => {
    const ts = await runQuantized(prep, 'images', x, {});
    const want = ts.outputs.get('output')!.data as Uint8Array;
    for (const fast of [e1, e2]) {
      // run 1 records the replayable calls (node-plan.ts), runs 2 and 3 replay them
      for (let run = 1; run <= 3; run++) {
        const before = replayStats.replays;
        const placedBefore = replayStats.placed;
        const r = await runQuantized(prep, 'images', x, { fast });
        const got = r.outputs.get('output')!.data as Uint8Array;
        expect(got.constructor).toBe(want.constructor);
        expect(Buffer.from(got.buffer, got.byteOffset, got.byteLength).equals(Buffer.from(want.buffer, want.byteOffset, want.byteLength)), `run ${run}, ${fast.threads} thread(s)`).toBe(true);
        expect([...r.modes.values()].every((m) => m === 'int' || m === 'shape')).toBe(true);
        expect(fast.addressOf(got), 'returned outputs are copies').toBeNull();
        // 82 1x1 and 30 depthwise convolutions, 18 Concats and 7 Adds of YOLOX-nano are replayable
        if (run > 1) expect(replayStats.replays - before, `run ${run}`).toBeGreaterThanOrEqual(82 + 30 + 18 + 7);
        // and 15 of the Concat inputs copied unchanged are written in place by their (replayed) producers
        expect(replayStats.placed - placedBefore, `run ${run}`).toBe(run > 1 ? 15 : 0);
      }
    }
  }, 180_000);

  it('does not replay the calls of another parameter set on the same graph', async () => {
    // every feature scale × 1.25: each layer's requantization and tables change
    const p2 = structuredClone(params);
    for (const f of Object.values(p2.features)) f.scale *= 1.25;
    const prep2 = prepareQuant(model, p2);
    // YOLOX-nano has no BatchNormalization to fold: both prepared models share the graph and its
    // planned nodes, so only the replay's own checks keep the first set's calls from being replayed
    expect(prep2.model).toBe(prep.model);
    const ts = (await runQuantized(prep2, 'images', x, {})).outputs.get('output')!.data as Uint8Array;
    const first = (await runQuantized(prep, 'images', x, {})).outputs.get('output')!.data as Uint8Array;
    expect(Buffer.from(ts).equals(Buffer.from(first)), 'the two parameter sets give different outputs').toBe(false);
    for (const fast of [e1, e2]) {
      await runQuantized(prep, 'images', x, { fast });
      for (let run = 1; run <= 2; run++) {
        const before = replayStats.replays;
        const got = (await runQuantized(prep2, 'images', x, { fast })).outputs.get('output')!.data as Uint8Array;
        expect(Buffer.from(got).equals(Buffer.from(ts)), `run ${run} of the second parameter set, ${fast.threads} thread(s)`).toBe(true);
        expect(replayStats.replays - before > 0, `run ${run} replays`).toBe(run === 2);
      }
    }
  }, 180_000);

  it('drops a Concat placement once its producer or the Concat records again (another parameter set on the same graph)', async () => {
    // a Concat input copied unchanged whose producer is a fused SiLU conv (a Mul output): the second
    // parameter set gives it its own scale, so the conv's fused table and the Concat's block change
    const g = prep.model.graph;
    const same = (a: string, b: string): boolean => params.features[a]!.scale === params.features[b]!.scale && params.features[a]!.zeroPoint === params.features[b]!.zeroPoint;
    const concat = g.nodes.find((n) => n.opType === 'Concat' && n.inputs.some((i) => g.producer.get(i)?.opType === 'Mul' && same(i, n.outputs[0]!)))!;
    const input = concat.inputs.find((i) => g.producer.get(i)?.opType === 'Mul' && same(i, concat.outputs[0]!))!;
    const p2 = structuredClone(params);
    p2.features[input]!.scale *= 1.1;
    const prep2 = prepareQuant(model, p2);
    const want = (await runQuantized(prep2, 'images', x, {})).outputs.get('output')!.data as Uint8Array;
    for (const fast of [e1, e2]) {
      for (let run = 0; run < 2; run++) await runQuantized(prep, 'images', x, { fast });
      for (let run = 1; run <= 3; run++) {
        const placed = replayStats.placed;
        const got = (await runQuantized(prep2, 'images', x, { fast })).outputs.get('output')!.data as Uint8Array;
        expect(Buffer.from(got).equals(Buffer.from(want)), `${concat.name} input ${input}: run ${run}, ${fast.threads} thread(s)`).toBe(true);
        // run 1 records everything again; later runs place the 14 inputs still copied unchanged, not the requantized one
        expect(replayStats.placed - placed, `run ${run}`).toBe(run === 1 ? 0 : 14);
      }
    }
  }, 180_000);

  it('runs in the engine memory (arena) give every output of the other shared models byte-identical to TS', async () => {
    for (const [file, h, w] of [['yunet_n_320_320.onnx', 320, 320], ['fastestdet.onnx', 352, 352], ['ultraface_rfb_320_simplified.onnx', 240, 320]] as const) {
      const m = await calibrated(path.resolve(repoRoot, '../shared/data/models', file), h, w);
      const name = m.prep.model.graph.inputs[0]!.name;
      const ts = await runQuantized(m.prep, name, m.x, {});
      for (const fast of [e1, e2]) for (let run = 1; run <= 2; run++) {
        const r = await runQuantized(m.prep, name, m.x, { fast });
        expect([...r.outputs.keys()]).toEqual([...ts.outputs.keys()]);
        for (const [k, t] of ts.outputs) {
          const got = r.outputs.get(k)!;
          expect(got.dims, `${file} ${k} run ${run}`).toEqual(t.dims);
          expect(Array.from(got.data as Uint8Array), `${file} ${k} run ${run}`).toEqual(Array.from(t.data as Uint8Array));
          expect(fast.addressOf(got.data as Uint8Array), 'returned outputs are copies').toBeNull();
        }
      }
    }
  }, 300_000);

  it('is off when the intermediates are observed', async () => {
    const seen = new Map<string, Tensor>();
    const f = [...findSiluFusions(planGraph(prep.model)).byConv.values()][0]!;
    const a = f.conv.node.outputs[0]!;
    const b = f.sigmoid.node.outputs[0]!;
    await runQuantized(prep, 'images', x, { fast: e1, onTensor: (name, t) => void ((name === a || name === b) && seen.set(name, t)) });
    const qa = seen.get(a)!.data as Uint8Array;
    const qb = seen.get(b)!.data as Uint8Array;
    expect(qa).not.toBe(qb);
    // the sigmoid output is a monotone function of the conv output: equal codes map to equal codes
    const map = new Map<number, number>();
    for (let i = 0; i < qa.length; i++) {
      const prev = map.get(qa[i]!);
      expect(prev === undefined || prev === qb[i]).toBe(true);
      map.set(qa[i]!, qb[i]!);
    }
  }, 120_000);
});
