/**
 * Self-check of the float simulation (guide §8.2 B reason 3 / D reason 1): the reference's float
 * mode (the original graph, no quantization, the `--no-quant` path) against onnxruntime on the
 * same input, per tensor: cosine and max |diff| (relative to the tensor's max |value|).
 */
import { exposeTensors } from '../onnx/expose.js';
import { createSession, floatTensor, runSession } from '../onnx/ort-session.js';
import type { OnnxModel } from '../onnx/types.js';
import { cosine } from '../metrics/pairwise.js';
import { runGraph } from '../../reference/executor.js';
import type { Tensor } from '../../reference/tensor.js';

/** Tolerances of the self-check (float32 kernels in another order agree to ~1e-5 relative). */
export interface SelfCheckTolerance {
  /** Minimum cosine per tensor. */
  cosine: number;
  /** Maximum max|diff| / max(1e-6, max|ort value|). */
  maxAbsRel: number;
}

export const SELF_CHECK_TOLERANCE: SelfCheckTolerance = { cosine: 0.99999, maxAbsRel: 1e-3 };

export interface SelfCheckLayer {
  name: string;
  node: string;
  opType: string;
  cosine: number;
  maxAbs: number;
  maxAbsRel: number;
}

export interface SelfCheckResult {
  /** Float tensors compared (graph order). */
  compared: number;
  /** Tensors beyond tolerance, graph order (the first one is where the simulation diverges). */
  failing: SelfCheckLayer[];
  /** The tensor with the lowest cosine. */
  worst: SelfCheckLayer | null;
  tolerance: SelfCheckTolerance;
}

/** Runs both on `x` (NCHW float32 for the model's single input) and compares every float tensor. */
export async function floatSelfCheck(model: OnnxModel, inputName: string, x: Tensor, tol: SelfCheckTolerance = SELF_CHECK_TOLERANCE): Promise<SelfCheckResult> {
  const exposed = exposeTensors(model, { include: (n) => !(n.opType === 'Constant' && n.domain === '') });
  const session = await createSession(exposed.bytes, model.file, { exposedAll: true, threads: 1 });
  let ort: Awaited<ReturnType<typeof runSession>>;
  try {
    ort = await runSession(session, { [inputName]: floatTensor(x.data as Float32Array, x.dims) }, model.file);
  } finally {
    await session.release();
  }
  const failing: SelfCheckLayer[] = [];
  let worst: SelfCheckLayer | null = null;
  let compared = 0;
  await runGraph(model, new Map([[inputName, x]]), {
    onTensor: (name, t, node) => {
      const o = ort[name];
      if (!o || o.type !== 'float32' || t.dtype !== 'float32') return;
      const a = o.data as Float32Array;
      const b = t.data as Float32Array;
      if (a.length !== b.length) return;
      compared++;
      let maxAbs = 0;
      let maxRef = 0;
      for (let i = 0; i < a.length; i++) {
        const d = Math.abs(a[i]! - b[i]!);
        if (d > maxAbs || Number.isNaN(d)) maxAbs = Number.isNaN(d) ? Infinity : d;
        maxRef = Math.max(maxRef, Math.abs(a[i]!));
      }
      const c = cosine(a, b).value;
      const l: SelfCheckLayer = { name, node: node.name, opType: node.opType, cosine: c, maxAbs, maxAbsRel: maxAbs / Math.max(1e-6, maxRef) };
      if (!worst || c < worst.cosine) worst = l;
      if (!(c >= tol.cosine) || !(l.maxAbsRel <= tol.maxAbsRel)) failing.push(l);
    },
  });
  return { compared, failing, worst, tolerance: tol };
}
