/** Sub with multidirectional broadcasting (float, int32, int64). */
import { defineBinary } from './elementwise.js';

export const sub = defineBinary('Sub', { f: (a, b) => a - b, i: (a, b) => (a - b) | 0, big: (a, b) => BigInt.asIntN(64, a - b) }, 'sub');
