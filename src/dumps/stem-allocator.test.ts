import { describe, expect, it } from 'vitest';
import { StemAllocator, stemOfFile, uniqueStems } from './stem-allocator.js';

describe('uniqueStems / StemAllocator', () => {
  it('sanitizes, and suffixes collisions with each other and with reserved names (case-insensitively)', () => {
    expect(uniqueStems(['a/b', 'a_b', 'a:b', 'input', 'Manifest', 'x', 'params', 'é'])).toEqual(['a_b', 'a_b_1', 'a_b_2', 'input_1', 'Manifest_1', 'x', 'params_1', '__']);
    expect(uniqueStems(['input', 'INPUT', ''], [])).toEqual(['input', 'INPUT_1', '_']);
  });
  it('explicit claims take reserved stems exactly and refuse used ones; release frees a stem', () => {
    const a = new StemAllocator();
    a.claim('input');
    expect(a.unique('input')).toBe('input_1');
    expect(() => a.claim('Input_1')).toThrow('file stem "Input_1" is already used');
    a.release('input_1');
    expect(a.unique('input')).toBe('input_1');
    expect(a.taken('MANIFEST')).toBe(true);
    expect(a.taken('conv')).toBe(false);
  });
  it('stemOfFile strips the last extension only', () => {
    expect([stemOfFile('a.bin'), stemOfFile('model_node_info.json'), stemOfFile('x.bin.bin'), stemOfFile('.hidden'), stemOfFile('noext')]).toEqual(['a', 'model_node_info', 'x.bin', '.hidden', 'noext']);
  });
});
