/** Sqrt: y = sqrt(x) (NaN for x < 0, as in onnxruntime). */
import { defineUnary } from './elementwise.js';

export const sqrt = defineUnary('Sqrt', () => null, () => Math.sqrt);
