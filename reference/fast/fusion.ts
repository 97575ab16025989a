/**
 * Graph-level fusion for the fast driver: Conv → Sigmoid → Mul(conv, sigmoid) (SiLU, as exported by
 * YOLOX / YOLOv5) runs as one Conv whose uint8 output codes go through one 256-entry table inside
 * WebAssembly, when nobody observes the two intermediate tensors (no dump callback, keep 'needed').
 *
 * Bit-exactness by construction: the table is F[q] = Mul_int(q, Sigmoid_int(q)) computed by running
 * the nodes' own integer kernels (the oracle: Sigmoid's lookup table, Mul's code-pair table) on the
 * 256 possible codes q of the conv output, with the same quantization parameters as the real run.
 * Both ops are element-wise and the two operands of Mul have the same shape, so every element of the
 * fused result equals the unfused two-step result.
 */
import type { ExecutionPlan, PlannedNode } from '../executor.js';
import type { FeatureQParams } from '../quant/feature-params.js';
import type { IntContext } from '../ops/op.js';
import { makeTensor, type Tensor } from '../tensor.js';
import type { FastEngine } from './engine.js';

/** One Conv → Sigmoid → Mul group. */
export interface SiluFusion {
  conv: PlannedNode;
  sigmoid: PlannedNode;
  mul: PlannedNode;
  /** Which input of the Mul is the conv output (the other is the sigmoid's). */
  convInput: 0 | 1;
}

/** The fusable groups of a plan, by the conv's node name and by the member nodes' names. */
export interface FusionPlan {
  byConv: Map<string, SiluFusion>;
  byMember: Map<string, SiluFusion>;
}

const plans = new WeakMap<ExecutionPlan, FusionPlan>();

/**
 * Finds every Conv → Sigmoid → Mul group whose intermediates have no other consumer and are not
 * graph outputs (cached per plan).
 */
export function findSiluFusions(plan: ExecutionPlan): FusionPlan {
  const hit = plans.get(plan);
  if (hit) return hit;
  const consumers = new Map<string, PlannedNode[]>();
  const producer = new Map<string, PlannedNode>();
  for (const s of plan.steps) {
    for (const i of s.node.inputs) if (i !== '') consumers.set(i, [...(consumers.get(i) ?? []), s]);
    for (const o of s.node.outputs) if (o !== '') producer.set(o, s);
  }
  const outputs = new Set(plan.model.graph.outputs.map((o) => o.name));
  const byConv = new Map<string, SiluFusion>();
  const byMember = new Map<string, SiluFusion>();
  for (const sigmoid of plan.steps) {
    if (sigmoid.node.opType !== 'Sigmoid' || sigmoid.node.inputs.length !== 1 || sigmoid.node.outputs.length !== 1) continue;
    const a = sigmoid.node.inputs[0]!;
    const b = sigmoid.node.outputs[0]!;
    const conv = producer.get(a);
    if (!conv || conv.node.opType !== 'Conv' || conv.node.outputs.length !== 1 || outputs.has(a) || outputs.has(b)) continue;
    const ca = consumers.get(a) ?? [];
    const cb = consumers.get(b) ?? [];
    if (ca.length !== 2 || cb.length !== 1) continue;
    const mul = cb[0]!;
    if (mul.node.opType !== 'Mul' || !ca.includes(mul) || !ca.includes(sigmoid) || mul.node.inputs.length !== 2) continue;
    const [m0, m1] = mul.node.inputs;
    const convInput = m0 === a && m1 === b ? 0 : m0 === b && m1 === a ? 1 : -1;
    if (convInput < 0 || byConv.has(conv.node.name)) continue;
    const f: SiluFusion = { conv, sigmoid, mul, convInput: convInput as 0 | 1 };
    byConv.set(conv.node.name, f);
    byMember.set(sigmoid.node.name, f);
    byMember.set(mul.node.name, f);
  }
  const fp = { byConv, byMember };
  plans.set(plan, fp);
  return fp;
}

/** Codes of an integer kernel's result (a float result quantized, as the integer step does). */
type ToCodes = (t: Tensor, q: FeatureQParams) => Tensor;

const tables = new WeakMap<object, Map<string, Uint8Array | null>>();
const lastTable = new WeakMap<SiluFusion, { owner: object; qa: FeatureQParams; qb: FeatureQParams; qc: FeatureQParams; table: Uint8Array | null }>();
const sameQ = (a: FeatureQParams, b: FeatureQParams): boolean => a.scale === b.scale && a.zeroPoint === b.zeroPoint && a.bits === b.bits;

/**
 * The fused table F[q] = Mul_int(q, Sigmoid_int(q)) for conv-output parameters `qa`, sigmoid-output
 * `qb` and mul-output `qc` (all ≤ 8 bits), from the nodes' own integer kernels; null when an op has
 * no integer kernel or a parameter set is wider than 8 bits. Cached per `owner` (the prepared model).
 */
export function siluTable(owner: object, f: SiluFusion, qa: FeatureQParams, qb: FeatureQParams, qc: FeatureQParams, fast: FastEngine | null, toCodes: ToCodes): Uint8Array | null {
  if (qa.bits > 8 || qb.bits > 8 || qc.bits > 8 || !f.sigmoid.kernel.int || !f.mul.kernel.int) return null;
  // last parameters per fusion: no key string on the usual path (same parameters every run)
  const last = lastTable.get(f);
  if (last && last.owner === owner && sameQ(last.qa, qa) && sameQ(last.qb, qb) && sameQ(last.qc, qc)) return last.table;
  let m = tables.get(owner);
  if (!m) tables.set(owner, (m = new Map()));
  const key = `${f.conv.node.name}|${qa.scale}/${qa.zeroPoint}/${qa.bits}|${qb.scale}/${qb.zeroPoint}/${qb.bits}|${qc.scale}/${qc.zeroPoint}/${qc.bits}`;
  const hit = m.get(key);
  if (hit !== undefined) {
    lastTable.set(f, { owner, qa, qb, qc, table: hit });
    return hit;
  }
  const n = 2 ** qa.bits;
  const codes = makeTensor('uint8', [n], Uint8Array.from({ length: n }, (_, i) => i));
  const ctxS: IntContext = { ...f.sigmoid.ctx, inputQuant: [qa], outputQuant: [qb], fast };
  const sig = toCodes(f.sigmoid.kernel.int([codes], f.sigmoid.attrs, ctxS)[0]!, qb);
  const insM = f.convInput === 0 ? [codes, sig] : [sig, codes];
  const ctxM: IntContext = { ...f.mul.ctx, inputQuant: f.convInput === 0 ? [qa, qb] : [qb, qa], outputQuant: [qc], fast };
  const y = toCodes(f.mul.kernel.int(insM, f.mul.attrs, ctxM)[0]!, qc);
  let table: Uint8Array | null = null;
  if (y.data instanceof Uint8Array && y.data.length === n) {
    table = new Uint8Array(256);
    table.set(y.data);
  }
  m.set(key, table);
  lastTable.set(f, { owner, qa, qb, qc, table });
  return table;
}

/** out[i] = table[q[i]] in place (the fallback when the conv did not apply the table itself). */
export function applyTableInPlace(q: Uint8Array, table: Uint8Array): void {
  for (let i = 0; i < q.length; i++) q[i] = table[q[i]!]!;
}
