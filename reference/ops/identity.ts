/** Identity: the input itself (tensors are immutable, so no copy). */
import { defineOp, req } from './op.js';
import { movementOp } from './int-movement.js';

export const identity = movementOp(defineOp({
  opType: 'Identity',
  inputs: [1, 1],
  outputs: [1, 1],
  attrs: () => null,
  float: (inputs, _a, ctx) => [req(inputs, 0, ctx)],
}));
