/**
 * Focus fusion for the fast driver: a tree of Slice / Concat nodes that only moves the codes of one
 * tensor (YOLOX / YOLOv5 Focus: 8 slices taking rows and columns ::2 / 1::2 of the image, one Concat
 * to 12 channels) feeding a Conv runs as that Conv reading its input channels straight from the
 * root tensor's codes: conv-rows.ts packs each channel from a strided box of the root (pack.wat
 * conv-rows.wat $pack_rows: base, row stride, column step 1 or 2), so the sliced and concatenated tensors are
 * never made. Applied only when nobody observes the intermediates (runQuantized without onTensor,
 * keep 'needed': the same rule as the SiLU fusion in fusion.ts).
 *
 * Bit-exactness by construction: every member's input and output quantization parameters are equal
 * (Slice and Concat then move codes unchanged), and which root element lands at each position of
 * the conv input is found by running the members' own float kernels on a tensor of element indices
 * (as gather-map.ts does), then accepted only if each channel is a strided box, checked on every
 * element. The members pass the root tensor through; if the conv does not take the gathered input
 * (it did not run on conv-rows, e.g. a layer the fast kernels refuse), the gathered input is
 * written out and the conv runs again on it; if the fusion does not apply, the members run normally.
 */
import type { ExecutionPlan, PlannedNode } from '../executor.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import type { Inputs } from '../ops/op.js';
import { makeTensor, type Tensor } from '../tensor.js';
import type { FastEngine } from './engine.js';
import { gatheredInputs, type ChannelSource } from './conv-rows.js';

/** One Slice/Concat tree feeding a Conv. */
export interface FocusFusion {
  conv: PlannedNode;
  /** The Slice / Concat members in plan order. */
  members: PlannedNode[];
  /** The tensor every leaf slice reads. */
  root: string;
}

/** The fusable trees of a plan, by the conv's node name and by member node name. */
export interface FocusPlan {
  byConv: Map<string, FocusFusion>;
  byMember: Map<string, FocusFusion>;
}

const plans = new WeakMap<ExecutionPlan, FocusPlan>();

/**
 * Finds every Conv whose data input is made by a Concat of Slice chains of one root tensor, where
 * each intermediate has exactly one consumer and is not a graph output (cached per plan).
 */
export function findFocusFusions(plan: ExecutionPlan): FocusPlan {
  const hit = plans.get(plan);
  if (hit) return hit;
  const consumers = new Map<string, number>();
  const producer = new Map<string, PlannedNode>();
  const order = new Map<PlannedNode, number>();
  plan.steps.forEach((s, i) => {
    order.set(s, i);
    for (const x of s.node.inputs) if (x !== '') consumers.set(x, (consumers.get(x) ?? 0) + 1);
    for (const o of s.node.outputs) if (o !== '') producer.set(o, s);
  });
  const outputs = new Set(plan.model.graph.outputs.map((o) => o.name));
  const private1 = (t: string): boolean => consumers.get(t) === 1 && !outputs.has(t);
  const byConv = new Map<string, FocusFusion>();
  const byMember = new Map<string, FocusFusion>();
  for (const conv of plan.steps) {
    if (conv.node.opType !== 'Conv') continue;
    const x = conv.node.inputs[0]!;
    const cat = producer.get(x);
    if (!cat || cat.node.opType !== 'Concat' || cat.node.outputs.length !== 1 || !private1(x)) continue;
    const members: PlannedNode[] = [cat];
    let root: string | null = null;
    let ok = true;
    // each Concat input: a chain of single-output Slices down to the root
    for (const t of cat.node.inputs) {
      let cur = t;
      let depth = 0;
      for (;;) {
        const s = producer.get(cur);
        if (!s || s.node.opType !== 'Slice' || s.node.outputs.length !== 1 || !private1(cur) || byMember.has(s.node.name) || members.includes(s)) {
          ok = depth > 0;
          break;
        }
        members.push(s);
        depth++;
        cur = s.node.inputs[0]!;
      }
      if (!ok) break;
      if (root === null) root = cur;
      else if (root !== cur) ok = false;
      if (!ok) break;
    }
    if (!ok || root === null || members.length < 2) continue;
    members.sort((a, b) => order.get(a)! - order.get(b)!);
    const f: FocusFusion = { conv, members, root };
    byConv.set(conv.node.name, f);
    for (const m of members) byMember.set(m.node.name, f);
  }
  const fp = { byConv, byMember };
  plans.set(plan, fp);
  return fp;
}

/** What the fusion needs from the integer step. */
export interface FocusHooks {
  fast: FastEngine;
  /** Input / output quantization parameters of a node (the same object for the same node and prepared model). */
  qOf(node: PlannedNode): { inQ: readonly (FeatureQParams | null)[]; outQ: readonly (FeatureQParams | null)[] };
  /** Whether a node is excluded from integer execution (skip lists). */
  skipped(node: PlannedNode): boolean;
  /** The codes of a tensor with parameters q (the step's own quantizer, cached per tensor). */
  codesOf(t: Tensor, q: FeatureQParams): Tensor;
  /** Records that a member ran (passed its input through) as an integer node. */
  passed(step: PlannedNode): void;
  /** Runs one node normally. */
  run(step: PlannedNode, ins: Inputs): Tensor[];
}

/**
 * Per fusion: the strided box of every conv-input channel (image-major; root element of (iy, ix) =
 * base + iy · rowStride + ix · step) for the last root dims and slice constants, or null (not boxes).
 */
const boxCache = new WeakMap<FocusFusion, { dimsKey: string; key: string; consts: unknown[]; boxes: { list: ChannelSource[]; dims: number[] } | null }>();

/** How many fused convs {@link FocusRun.execute} ran: fused, with the gathered input written out, unfused (for tests). */
export const focusStats = { fused: 0, materialized: 0, unfused: 0 };

/** The fusion state of one run (make one per integer step). */
export class FocusRun {
  private readonly inputs = new Map<string, Inputs>();
  /** Convs that did not take a gathered input once, by their parameters object (qOf): not fused again. */
  private static readonly refused = new WeakSet<object>();

  constructor(
    private readonly plan: FocusPlan,
    private readonly hooks: FocusHooks,
  ) {}

  /**
   * A member passes its first input through (the root tensor), a fused conv runs on the gathered
   * root codes; null for every other node (and for convs whose members did not pass through).
   */
  execute(step: PlannedNode, ins: Inputs, inner: (ins: Inputs) => Tensor[]): Tensor[] | null {
    const name = step.node.name;
    const m = this.plan.byMember.get(name);
    if (m) {
      this.inputs.set(name, ins);
      this.hooks.passed(step);
      return [ins[0]!];
    }
    const f = this.plan.byConv.get(name);
    if (!f || !this.inputs.has(f.members[0]!.node.name)) return null;
    const root = this.inputs.get(f.members[0]!.node.name)![0]!;
    const info = this.hooks.qOf(step);
    const view = FocusRun.refused.has(info) || this.hooks.skipped(step) ? null : this.gathered(f, root);
    if (view) {
      const entry = { sources: view.sources, consumed: false };
      gatheredInputs.set(view.x, entry);
      const out = inner([makeTensor('uint8', view.dims, view.x), ...ins.slice(1)]);
      gatheredInputs.delete(view.x);
      if (entry.consumed) {
        focusStats.fused++;
        return out;
      }
      // the conv did not run on conv-rows: write the gathered input out and run it again
      FocusRun.refused.add(info);
      focusStats.materialized++;
      view.materialize();
      return inner([makeTensor('uint8', view.dims, view.x), ...ins.slice(1)]);
    }
    // not fusable: the members run for real
    focusStats.unfused++;
    const values = new Map<string, Tensor | null>([[f.root, root]]);
    for (const s of f.members) {
      const rec = this.inputs.get(s.node.name)!;
      const real = s.node.inputs.map((n, i) => (values.has(n) ? values.get(n)! : rec[i] ?? null));
      values.set(s.node.outputs[0]!, this.hooks.run(s, real)[0]!);
    }
    return inner([values.get(step.node.inputs[0]!)!, ...ins.slice(1)]);
  }

  /** The gathered conv input as an uninitialized kept view and its channel sources, or null. */
  private gathered(f: FocusFusion, root: Tensor): { x: Uint8Array; dims: number[]; sources: (b: number) => ChannelSource[]; materialize(): void } | null {
    const e = this.hooks.fast;
    if (!e.arena) return null;
    // every member moves codes unchanged (equal input and output parameters, ≤ 8 bits)
    let q: FeatureQParams | null = null;
    for (const s of f.members) {
      if (this.hooks.skipped(s) || !s.kernel.int) return null;
      const { inQ, outQ } = this.hooks.qOf(s);
      const o = outQ[0];
      if (!o || o.bits > 8) return null;
      q ??= o;
      if (o.scale !== q.scale || o.zeroPoint !== q.zeroPoint || o.bits !== q.bits) return null;
      const feats = s.node.opType === 'Concat' ? s.node.inputs.length : 1;
      for (let i = 0; i < inQ.length; i++) {
        const p = inQ[i];
        if (i < feats ? !p || p.scale !== o.scale || p.zeroPoint !== o.zeroPoint || p.bits !== o.bits : p) return null;
      }
    }
    const boxes = this.boxes(f, root);
    if (!boxes || !q) return null;
    const codes = this.hooks.codesOf(root, q);
    if (!(codes.data instanceof Uint8Array)) return null;
    let at = e.addressOf(codes.data);
    const dims = boxes.dims;
    const count = dims.reduce((a, b) => a * b, 1);
    e.reset();
    if (at === null) {
      at = e.allocKeep(codes.data.length);
      new Uint8Array(e.buffer, at, codes.data.length).set(codes.data);
    }
    const xA = e.allocKeep(count);
    const x = new Uint8Array(e.buffer, xA, count);
    const [c, hw, w] = [dims[1]!, dims[2]! * dims[3]!, dims[3]!];
    const base = at;
    const src = codes.data;
    return {
      x,
      dims,
      sources: (b) => boxes.list.slice(b * c, (b + 1) * c).map((s) => ({ base: base + s.base, rowStride: s.rowStride, step: s.step })),
      materialize: () => {
        for (let k = 0; k < boxes.list.length; k++) {
          const s = boxes.list[k]!;
          for (let i = 0; i < hw; i++) x[k * hw + i] = src[s.base + Math.floor(i / w) * s.rowStride + (i % w) * s.step]!;
        }
      },
    };
  }

  /** The strided box of every conv-input channel in the root (cached per fusion and root dims / constant inputs), or null. */
  private boxes(f: FocusFusion, root: Tensor): { list: ChannelSource[]; dims: number[] } | null {
    // the slices' constant inputs (the same initializer arrays every run: compared by identity first)
    const consts: unknown[] = [];
    for (const s of f.members) {
      if (s.node.opType === 'Concat') continue;
      const rec = this.inputs.get(s.node.name)!;
      for (let i = 1; i < rec.length; i++) {
        const t = rec[i];
        if (t && t.data.length > 16) return null;
        consts.push(t ? t.data : null);
      }
    }
    const dimsKey = root.dims.join(',');
    const hit = boxCache.get(f);
    const same = hit && hit.dimsKey === dimsKey && hit.consts.length === consts.length && hit.consts.every((d, i) => d === consts[i]);
    if (hit && same) return hit.boxes;
    const key = consts.map((d) => (d ? Array.from(d as ArrayLike<number | bigint>, String).join(',') : '-')).join('|');
    if (hit && hit.dimsKey === dimsKey && hit.key === key) {
      boxCache.set(f, { ...hit, consts });
      return hit.boxes;
    }
    const boxes = this.findBoxes(f, root);
    boxCache.set(f, { dimsKey, key, consts, boxes });
    return boxes;
  }

  private findBoxes(f: FocusFusion, root: Tensor): { list: ChannelSource[]; dims: number[] } | null {
    const n = root.dims.reduce((a, b) => a * b, 1);
    if (n >= 2 ** 31) return null;
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    const values = new Map<string, Tensor | null>([[f.root, makeTensor('int32', root.dims, idx)]]);
    for (const s of f.members) {
      const rec = this.inputs.get(s.node.name)!;
      const ins = s.node.inputs.map((nm, i) => (values.has(nm) ? values.get(nm)! : rec[i] ?? null));
      const y = s.kernel.float(ins, s.attrs, s.ctx)[0];
      if (!y || !(y.data instanceof Int32Array)) return null;
      values.set(s.node.outputs[0]!, y);
    }
    const y = values.get(f.conv.node.inputs[0]!);
    if (!y || y.dims.length !== 4 || !(y.data instanceof Int32Array)) return null;
    const [bn, c, h, w] = y.dims as [number, number, number, number];
    const map = y.data;
    const list: ChannelSource[] = [];
    for (let k = 0; k < bn * c; k++) {
      const o = k * h * w;
      const base = map[o]!;
      const step = w > 1 ? map[o + 1]! - base : 1;
      const rowStride = h > 1 ? map[o + w]! - base : 0;
      if ((step !== 1 && step !== 2) || rowStride < 0) return null;
      for (let iy = 0; iy < h; iy++) for (let ix = 0; ix < w; ix++) if (map[o + iy * w + ix] !== base + iy * rowStride + ix * step) return null;
      list.push({ base, rowStride, step });
    }
    return { list, dims: [bn, c, h, w] };
  }
}
