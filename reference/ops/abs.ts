/** Abs: y = |x|. */
import { defineUnary } from './elementwise.js';

export const abs = defineUnary('Abs', () => null, () => Math.abs);
