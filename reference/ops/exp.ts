/** Exp: y = e^x. */
import { defineUnary } from './elementwise.js';

export const exp = defineUnary('Exp', () => null, () => Math.exp);
