/** Min of 1+ inputs with broadcasting (NaN propagates, like onnxruntime). */
import { defineVariadic } from './variadic.js';

export const min = defineVariadic('Min', { f: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)), i: Math.min, big: (a, b) => (a < b ? a : b) }, 'min');
