/** HardSwish (opset 14): y = x * max(0, min(1, x/6 + 0.5)) (HardSigmoid with alpha = 1/6, beta = 0.5). */
import { defineUnary } from './elementwise.js';

const ALPHA = Math.fround(1 / 6);
export const hardSwish = defineUnary('HardSwish', () => null, () => (v) => v * Math.max(0, Math.min(1, Math.fround(ALPHA * v) + 0.5)));
