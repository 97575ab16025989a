/** PRelu: y = x >= 0 ? x : slope * x, slope unidirectionally broadcast to x (e.g. [C,1,1] per channel). */
import { defineBinary } from './elementwise.js';

export const prelu = defineBinary('PRelu', { f: (x, s) => (x >= 0 ? x : x * s) });
