/** Pow (float base and float exponent of the same dtype) with broadcasting: y = x^y. */
import { defineBinary } from './elementwise.js';

export const pow = defineBinary('Pow', { f: (a, b) => Math.pow(a, b) });
