/**
 * Replays of fast kernel calls in the integer step (reference/fast/node-plan.ts), and Concat
 * placement on top of them.
 *
 * Replay: a node whose fast kernel published a plan, and whose only output is exactly what the
 * plan produced, is recorded with everything its int path was derived from (the node's info from
 * the prepared model, the engine, the weight mode, its constant operands by identity, the fused
 * output table, the dims of its code inputs). While all of these are the same, the int path would
 * make the same kernel call, so later runs call the plan directly.
 *
 * Placement (fused runs in the engine's memory only, where nobody observes intermediate tensors):
 * a Concat along an axis with nothing before it but size-1 dims (batch 1, NCHW channels) is a row
 * of contiguous blocks, one per input. When input i is copied unchanged (same parameters as the
 * output) and its producer is replayed, the producer writes its output straight into block i of
 * the Concat's output, allocated when the first such producer runs; the Concat then finds that
 * input in place and does not copy it. Only the placed producer writes into the block, so a block
 * holds either that producer's output or nothing yet (then it is copied as usual): results are the
 * same bytes either way.
 */
import type { PlannedNode } from '../executor.js';
import type { Inputs } from '../ops/op.js';
import type { FastEngine } from '../fast/engine.js';
import { replayStats, takePlan, type FastPlan } from '../fast/node-plan.js';
import { makeTensor, type Tensor } from '../tensor.js';

/** A recorded node (see the file header); `info` is the integer step's per-node info object. */
interface Replay {
  info: object;
  fast: FastEngine;
  weightQ: boolean;
  /** Per node input: the constant operand (the same tensor object every run) or, for the plan's inputs, null. */
  consts: (Tensor | null)[];
  /** Dims of the plan's inputs. */
  xDims: (readonly number[])[];
  lutTable: Uint8Array | null;
  dims: readonly number[];
  plan: FastPlan;
}

/** Replays per planned node, kept across runs (the integer step is made per run). */
const replays = new WeakMap<PlannedNode, Replay>();

/**
 * Where a producer's output goes: block [offset, offset + block) (bytes) of the output of Concat
 * `concat`, which has `bytes`. Valid only while both nodes' records are the ones it was made with
 * (`producer`, `target`): a node records again whenever it runs its normal path (other
 * parameters, another fused table, other shapes), and then the data flow may have changed.
 */
interface Placement {
  concat: PlannedNode;
  offset: number;
  block: number;
  bytes: number;
  producer: Replay;
  target: Replay;
}

/** Placements per producer node, kept across runs (set when the Concat is recorded). */
const placements = new WeakMap<PlannedNode, Placement>();

/** Per-run state: Concat outputs allocated early for their placed producers, and which node produced each output. */
export interface ReplayRun {
  /** Placement is on (a fused run in the engine's memory). */
  place: boolean;
  /** Concat node -> address and length of its output in this run. */
  buffers: Map<PlannedNode, { at: number; bytes: number }>;
  /** Output codes of this run -> the node whose plan wrote them. */
  producedBy: WeakMap<Uint8Array, PlannedNode>;
}

/** A fresh per-run state; `place`: placement allowed (see the file header). */
export function replayRun(place: boolean): ReplayRun {
  return { place, buffers: new Map(), producedBy: new WeakMap() };
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The codes of the plan's inputs when the replay applies to `inputs` (same operands, uint8 codes of the recorded dims), else null. */
function replayInputs(r: Replay, inputs: Inputs): Uint8Array[] | null {
  if (inputs.length !== r.consts.length) return null;
  const ix = r.plan.inputs;
  for (let i = 0, k = 0; i < inputs.length; i++) {
    if (k < ix.length && ix[k] === i) {
      const t = inputs[i];
      if (!t || t.dtype !== 'uint8' || !(t.data instanceof Uint8Array) || !sameDims(t.dims, r.xDims[k]!)) return null;
      k++;
    } else if ((inputs[i] ?? null) !== r.consts[i]) return null;
  }
  return ix.map((i) => inputs[i]!.data as Uint8Array);
}

/** The placement of `step`'s output when it is still valid (see {@link Placement}), else null. */
function placementOf(step: PlannedNode): Placement | null {
  const p = placements.get(step);
  return p && replays.get(step) === p.producer && replays.get(p.concat) === p.target ? p : null;
}

/** The address the output of `step` goes to in this run (a placed producer or a Concat with placed inputs), or 0. */
function outputAddress(step: PlannedNode, plan: FastPlan, fast: FastEngine, run: ReplayRun): number {
  if (!run.place || !fast.arena) return 0;
  const own = run.buffers.get(step);
  if (own !== undefined) return own.bytes === plan.outputLength ? own.at : 0;
  const p = placementOf(step);
  if (!p || p.block !== plan.outputLength) return 0;
  let buf = run.buffers.get(p.concat);
  if (buf === undefined) {
    fast.reset();
    run.buffers.set(p.concat, (buf = { at: fast.allocKeep(p.bytes), bytes: p.bytes }));
  }
  replayStats.placed++;
  return buf.at + p.offset;
}

/**
 * The node's outputs by replay when its recorded call applies (see the file header), else null.
 * `lut`: the fused output table of this call (then marked applied).
 */
export function replay(step: PlannedNode, info: object, fast: FastEngine, weightQ: boolean, inputs: Inputs, lut: { table: Uint8Array; applied: boolean } | null, run: ReplayRun): Tensor[] | null {
  const r = replays.get(step);
  if (!r || r.info !== info || r.fast !== fast || r.weightQ !== weightQ || r.lutTable !== (lut ? lut.table : null)) return null;
  const xs = replayInputs(r, inputs);
  if (!xs) return null;
  replayStats.replays++;
  const y = r.plan.run(xs, outputAddress(step, r.plan, fast, run));
  run.producedBy.set(y, step);
  if (lut) lut.applied = true;
  return [makeTensor('uint8', r.dims, y)];
}

/**
 * Records the plan the node's kernel published during its normal run (if any) when the node's only
 * output is exactly what the plan produced from the node's inputs given as uint8 codes (with the
 * fused table applied by the plan when there is one); for a Concat plan, also the placements of
 * its unchanged inputs' producers.
 */
export function record(step: PlannedNode, info: object, fast: FastEngine, inputs: Inputs, res: Tensor[], lut: { table: Uint8Array; applied: boolean } | null, weightQ: boolean, run: ReplayRun): void {
  const plan = takePlan();
  if (!plan) return;
  const y = res[0];
  if (res.length !== 1 || step.node.outputs.length !== 1 || !y || y.dtype !== 'uint8' || y.data !== plan.last || (lut !== null && !(lut.applied && plan.lutApplied))) return;
  const ix = plan.inputs;
  const xDims: (readonly number[])[] = [];
  for (let k = 0; k < ix.length; k++) {
    const t = inputs[ix[k]!];
    if (!t || t.dtype !== 'uint8' || !(t.data instanceof Uint8Array) || t.data.length !== plan.inputLengths[k] || (k > 0 && ix[k]! <= ix[k - 1]!)) return;
    xDims.push([...t.dims]);
  }
  const consts = inputs.map((t, i) => (ix.includes(i) ? null : (t ?? null)));
  const rec: Replay = { info, fast, weightQ, consts, xDims, lutTable: lut ? lut.table : null, dims: y.dims, plan };
  replays.set(step, rec);
  run.producedBy.set(y.data as Uint8Array, step);
  // producers of the blocks a Concat copies unchanged write them in place from the next run on
  const blocks = plan.placeable?.();
  if (!blocks) return;
  const seen = new Set<PlannedNode>();
  for (let k = 0; k < ix.length; k++) {
    const b = blocks[k];
    const producer = run.producedBy.get(inputs[ix[k]!]!.data as Uint8Array);
    // a producer keeps a placement that is still valid (it may feed several Concats)
    if (!b || !producer || seen.has(producer) || placementOf(producer)) continue;
    const pr = replays.get(producer);
    if (!pr || pr.plan.outputLength !== b.bytes) continue;
    seen.add(producer);
    placements.set(producer, { concat: step, offset: b.offset, block: b.bytes, bytes: plan.outputLength, producer: pr, target: rec });
  }
}
