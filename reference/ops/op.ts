/**
 * The kernel contract (after onnx `onnx/reference/op_run.py`: a base checks arity and reads typed
 * attributes, so each op file holds only its math). A kernel has a float implementation and may
 * later register an integer one (`int`) for the quantized reference; the executor picks by mode.
 */
import type { OnnxNode } from '../../src/onnx/types.js';
import { UserError } from '../../src/errors.js';
import type { Tensor } from '../tensor.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import type { QuantizedWeights } from '../quant/weights.js';
import type { FastEngine } from '../fast/engine.js';

/** What a kernel knows about where it runs. */
export interface OpContext {
  node: OnnxNode;
  /** Default-domain opset of the model (attribute vs input forms depend on it). */
  opset: number;
}

/**
 * Extra context an integer kernel receives: the quantization of each feature input and output
 * (reference/quant, SEMANTICS.md "Feature quantization"); null for non-feature tensors (weights
 * come through the kernel's own prepared data, int64 shape tensors are never quantized).
 */
export interface IntContext extends OpContext {
  inputQuant: readonly (FeatureQParams | null)[];
  outputQuant: readonly (FeatureQParams | null)[];
  /**
   * Constant inputs quantized per output channel (the weights of Conv, ConvTranspose, Gemm,
   * MatMul; SEMANTICS.md "Weights"), by input index; null or absent for every other input. The
   * float tensor of such an input is still passed in `inputs` (biases stay float and are quantized
   * by the kernel from the input and weight scales).
   */
  weightQuant?: readonly (QuantizedWeights | null)[];
  /**
   * The WebAssembly SIMD engine (reference/fast) when the driver runs with fast kernels: the linear
   * kernels then use it wherever its result is provably bit-identical (ops/int-linear-fast.ts).
   * Absent or null: the plain-TypeScript kernels.
   */
  fast?: FastEngine | null;
  /**
   * Set only by the fast driver when it fuses element-wise successors into this node
   * (reference/fast/fusion.ts): a 256-entry table the fast Conv applies to its uint8 output codes
   * inside WebAssembly, setting `applied`; when it is not applied the driver applies it itself.
   */
  fastOutputLut?: { table: Uint8Array; applied: boolean } | null;
}

/** Inputs as the executor passes them: `null` for an omitted optional input. */
export type Inputs = readonly (Tensor | null)[];

export interface OpKernel<A = unknown> {
  /** ONNX op type (default domain). */
  opType: string;
  /** Allowed input count [min, max] (omitted optional inputs count as present positions). */
  inputs: readonly [number, number];
  /** Allowed output count [min, max]. */
  outputs: readonly [number, number];
  /** Reads and checks the node's attributes, filling ONNX defaults. */
  attrs(ctx: OpContext): A;
  /** Float semantics, equal to onnxruntime's within float32 rounding. */
  float(inputs: Inputs, attrs: A, ctx: OpContext): Tensor[];
  /** Integer semantics (quantized reference); absent until integer mode implements the op. */
  int?(inputs: Inputs, attrs: A, ctx: IntContext): Tensor[];
  /**
   * Data movement (SEMANTICS.md "Element-wise, lookup-table and data-movement operators"): every
   * output value is one of input 0's values (or its zero point), so the execution driver should
   * give each output the quantization parameters of input 0 instead of calibrating it; the `int`
   * kernel then moves integers without requantization. A function when it depends on the
   * attributes (Resize: nearest only). Read it through {@link preservesScale}.
   */
  preservesScale?: boolean | ((attrs: A) => boolean);
}

/** Whether the driver should give `k`'s outputs input 0's quantization parameters. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function preservesScale(k: OpKernel<any>, attrs: unknown): boolean {
  const p = k.preservesScale;
  return typeof p === 'function' ? p(attrs) : p === true;
}

/** Declares a kernel with its attribute type inferred. */
export function defineOp<A>(k: OpKernel<A>): OpKernel<A> {
  return k;
}

/** "Conv node \"conv1\"" for messages. */
export function where(ctx: OpContext): string {
  return `${ctx.node.opType} node "${ctx.node.name}"`;
}

/** A malformed node (bad attribute, wrong input rank...): a user error naming the node. */
export function badNode(ctx: OpContext, what: string, hint?: string): UserError {
  return new UserError('ONNX_FORMAT', `${where(ctx)}: ${what}`, hint ?? 'check the model with onnx.checker / Netron');
}

/** A valid node using a feature the reference does not implement. */
export function unsupported(ctx: OpContext, what: string): UserError {
  return new UserError('UNSUPPORTED_OP', `${where(ctx)}: ${what} is not supported by the reference executor`, 'simplify the model (onnxsim) or file an issue with the model attached');
}

/** Input `i`, which must be present. */
export function req(inputs: Inputs, i: number, ctx: OpContext): Tensor {
  const t = inputs[i];
  if (!t) throw badNode(ctx, `input ${i} is required but missing`);
  return t;
}

/** Input `i`, or null when omitted. */
export function opt(inputs: Inputs, i: number): Tensor | null {
  return inputs[i] ?? null;
}

/** Checks that a tensor is float32 (the float kernels' arithmetic type). */
export function reqFloat(t: Tensor, what: string, ctx: OpContext): Float32Array {
  if (!(t.data instanceof Float32Array)) throw unsupported(ctx, `${what} of dtype ${t.dtype} (float32 expected)`);
  return t.data;
}

/** Normalizes a possibly negative axis against `rank`. */
export function normAxis(axis: number, rank: number, ctx: OpContext): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) throw badNode(ctx, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}
