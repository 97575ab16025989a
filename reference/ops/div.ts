/**
 * Div with multidirectional broadcasting. Integer division truncates toward zero (C++ `/`, as
 * onnxruntime does); integer division by zero is refused rather than undefined.
 */
import { UserError } from '../../src/errors.js';
import { defineBinary } from './elementwise.js';

function zero(): never {
  throw new UserError('EXEC_FAILED', 'Div: integer division by zero', 'check the divisor tensor of the Div node');
}

export const div = defineBinary('Div', {
  f: (a, b) => a / b,
  i: (a, b) => (b === 0 ? zero() : Math.trunc(a / b)),
  big: (a, b) => (b === 0n ? zero() : a / b),
});
