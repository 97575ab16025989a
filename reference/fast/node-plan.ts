/**
 * Replayable fast calls. Running a layer on the fast path walks a long chain of checks and cached
 * look-ups (the integer step, the op's int kernel, geometry, scales, exactness bounds, the kernel's
 * job split); on YOLOX-nano that JavaScript cost ~20–30 µs per Conv node, ~2 ms per inference.
 * For one node, prepared model, engine and input shape it ends in the same kernel call with the same
 * arguments except the input and output addresses, as long as none of it depends on the input's
 * values: a kernel publishes a plan only then (a Conv only when its int32 exactness follows from
 * the input's dtype, not from a scan of the codes, which would have to be redone per input).
 *
 * A kernel that can be replayed publishes a {@link FastPlan} of the call it just made
 * ({@link publishPlan}); the integer step takes it ({@link takePlan}) right after the node's normal
 * run, keeps it only if the node's output is exactly what the plan produced, and on later runs
 * calls `plan.run(x)` directly while everything the plan was derived from is unchanged
 * (reference/quantize/int-step.ts). The plan's `run` is the same code the kernel's own entry point
 * runs, so a replay is bit-identical to the normal path by construction.
 */

/** One kernel call on uint8 codes, replayable on any inputs of the same shapes. */
export interface FastPlan {
  /** The node's inputs it takes as uint8 codes (indices into the node's inputs; the others are constants). */
  readonly inputs: readonly number[];
  /** Elements of each of those inputs. */
  readonly inputLengths: readonly number[];
  /** Whether the output already went through the fused output table given when the plan was made. */
  readonly lutApplied: boolean;
  /** Elements of the output codes. */
  readonly outputLength: number;
  /**
   * Runs the call on `xs` (the codes of {@link inputs}, in that order): the output codes, kept in
   * the engine's memory during a run (a view, as the kernel's entry point returns), else a copy.
   * `outAt` (in a run only; 0 = allocate): the byte address of memory the caller allocated with
   * FastEngine.allocKeep for the output (the kernel writes it there).
   */
  run(xs: readonly Uint8Array[], outAt?: number): Uint8Array;
  /**
   * For a Concat: per plan input, the block of the output it is copied to unchanged (byte offset
   * and length: input k's codes are bytes [offset, offset + bytes) of the output), or null when it
   * is transformed (requantized) or not contiguous. A `run` whose input already lies there does not
   * copy it. Absent for other kernels.
   */
  placeable?(): ({ offset: number; bytes: number } | null)[];
  /** The output of the plan's last `run` (to check that it is the node's output). */
  readonly last: Uint8Array | null;
}

let published: FastPlan | null = null;

/** How many node calls ran as replays, and how many of those wrote their output straight into a Concat's (for tests). */
export const replayStats = { replays: 0, placed: 0 };

/** Called by a kernel after a call that `plan` replays. */
export function publishPlan(plan: FastPlan): void {
  published = plan;
}

/** The plan published since the last call (and forgets it), or null. */
export function takePlan(): FastPlan | null {
  const p = published;
  published = null;
  return p;
}
