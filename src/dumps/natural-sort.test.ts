import { describe, expect, it } from 'vitest';
import { naturalSort } from './natural-sort.js';

describe('naturalSort', () => {
  it('compares digit runs as numbers, digits before letters', () => {
    expect(naturalSort(['unlogged_a', 'unlogged_10', '440_Quantize', 'unlogged_9', '411_Quantize', '432_1_Quantize', '432_0_Quantize', 'backbone', '99999999999999999999'])).toEqual([
      '411_Quantize',
      '432_0_Quantize',
      '432_1_Quantize',
      '440_Quantize',
      '99999999999999999999',
      'backbone',
      'unlogged_9',
      'unlogged_10',
      'unlogged_a',
    ]);
    expect(naturalSort(['a1', 'a01', 'a001'])).toEqual(['a001', 'a01', 'a1']);
  });
});
