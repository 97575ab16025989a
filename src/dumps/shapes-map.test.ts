import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../golden/temp-golden.js';
import { ShapeLookup, loadShapesMap, parseShapesMap } from './shapes-map.js';

describe('shapes map', () => {
  it('loads a valid map and looks names up by sanitized or original name', async () => {
    const dir = tmpDir();
    const f = path.join(dir, 'shapes.json');
    await fsp.writeFile(f, JSON.stringify({ 'backbone/relu_1': [1, 2, 2, 16], '427': [1, 4, 4, 8], scalar: [] }));
    const m = await loadShapesMap(f);
    const look = new ShapeLookup(m);
    expect(look.get('backbone_relu_1')).toEqual([1, 2, 2, 16]);
    expect(look.get('x', '427')).toEqual([1, 4, 4, 8]);
    expect(look.get('nothing')).toBeUndefined();
    expect(look.unused()).toEqual(['scalar']);
  });

  it('rejects bad files with SHAPES_FORMAT naming the key and value', async () => {
    const bad: [string, string][] = [
      ['[1,2]', 'expected a JSON object of name -> shape, got an array'],
      ['{"a": [1, 0]}', 'shape of "a" is [1,0], expected an array of positive integers'],
      ['{"a": "1x2"}', 'shape of "a" is "1x2"'],
      ['{"a": [1.5]}', 'shape of "a" is [1.5]'],
      ['{"a/b": [1], "a:b": [2]}', '"a/b" and "a:b" name the same file a_b.bin but give different shapes [1] and [2]'],
      ['{oops', 'not valid JSON'],
    ];
    for (const [text, msg] of bad) {
      let err: unknown;
      try {
        parseShapesMap(text, 's.json');
      } catch (e) {
        err = e;
      }
      expect(err, text).toMatchObject({ code: 'SHAPES_FORMAT', message: expect.stringContaining(msg) });
      expect((err as Error).message.startsWith('s.json: ')).toBe(true);
    }
    expect(parseShapesMap('{"a/b": [1], "a:b": [1]}')).toEqual({ 'a/b': [1], 'a:b': [1] });
    await expect(loadShapesMap(path.join(tmpDir(), 'none.json'))).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
