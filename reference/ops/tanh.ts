/** Tanh: y = tanh(x). */
import { defineUnary } from './elementwise.js';

export const tanh = defineUnary('Tanh', () => null, () => Math.tanh);
