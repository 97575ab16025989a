/** Mul with multidirectional broadcasting (float, int32, int64). */
import { defineBinary } from './elementwise.js';

export const mul = defineBinary('Mul', { f: (a, b) => a * b, i: (a, b) => Math.imul(a, b), big: (a, b) => BigInt.asIntN(64, a * b) }, 'mul');
