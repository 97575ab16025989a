/** Neg: y = -x. */
import { defineUnary } from './elementwise.js';

export const neg = defineUnary('Neg', () => null, () => (v) => -v);
