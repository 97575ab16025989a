/** Sum of 1+ inputs with broadcasting. */
import { defineVariadic } from './variadic.js';

export const sum = defineVariadic('Sum', { f: (a, b) => a + b, i: (a, b) => (a + b) | 0, big: (a, b) => BigInt.asIntN(64, a + b) }, 'add');
