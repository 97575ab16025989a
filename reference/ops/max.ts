/** Max of 1+ inputs with broadcasting (NaN propagates, like onnxruntime). */
import { defineVariadic } from './variadic.js';

export const max = defineVariadic('Max', { f: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), i: Math.max, big: (a, b) => (a > b ? a : b) }, 'max');
