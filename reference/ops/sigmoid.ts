/** Sigmoid: y = 1 / (1 + exp(-x)), computed in double (onnxruntime's MLAS uses a float32 approximation within ~1 ulp). */
import { defineUnary } from './elementwise.js';

export const sigmoid = defineUnary('Sigmoid', () => null, () => (v) => 1 / (1 + Math.exp(-v)));
