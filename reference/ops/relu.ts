/** Relu (all opsets): y = max(0, x). */
import { defineUnary } from './elementwise.js';

export const relu = defineUnary('Relu', () => null, () => (v) => (v > 0 ? v : 0));
