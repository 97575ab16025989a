import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tmpDir } from '../../golden/temp-golden.js';
import { openBoard } from './board.js';
import { openDumpSet } from './open.js';

async function folder(files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = tmpDir();
  for (const [rel, data] of Object.entries(files)) await fsp.writeFile(path.join(dir, rel), data);
  return dir;
}
const bytes = (n: number) => new Uint8Array(n);

describe('openBoard', () => {
  it('lists _out files as layers, aux and stray files as ignored, natural order without a log', async () => {
    const dir = await folder({
      '10_out.bin': bytes(4),
      '9_out.bin': bytes(4),
      'conv_bt_out.bin': bytes(4),
      'x_bt.bin': bytes(4),
      'x_weight.bin': bytes(4),
      'y_mean.bin': bytes(4),
      'y_variance.bin': bytes(4),
      'stray.bin': bytes(4),
      'board.txt': 'log',
    });
    const set = await openBoard(dir);
    expect(set.entries.map((e) => e.name)).toEqual(['9_out', '10_out', 'conv_bt_out']);
    expect(set.ignored.map((i) => [path.basename(i.file), i.reason])).toEqual([
      ['board.txt', 'not a .bin dump'],
      ['stray.bin', 'not a layer output: board layer dumps end in _out.bin'],
      ['x_bt.bin', 'board bias/threshold table (_bt), not a layer output'],
      ['x_weight.bin', 'board weights (_weight), not a layer output'],
      ['y_mean.bin', 'board mean table (_mean), not a layer output'],
      ['y_variance.bin', 'board variance table (_variance), not a layer output'],
    ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
  });

  it('a board log naming PC files (no _out) still finds the _out files; 4-channel input fits a 3-channel name', async () => {
    const dir = await folder({
      'input_data_shape_1_2_2_3_out.bin': bytes(16),
      'a_out.bin': bytes(8),
      'board.log':
        'Log: Data dumping to:./MAGIK_DATA_DUMP/input_data_shape_1_2_2_3.bin--->shape:[1,2,2,3]\n' +
        'Log: Data dumping to:./MAGIK_DATA_DUMP/a.bin--->shape:[1,2,2,2]\n' +
        'Log: Data dumping to:./MAGIK_DATA_DUMP/gone.bin--->shape:[1,2,2,2]\n',
    });
    const set = await openBoard(dir, { log: path.join(dir, 'board.log') });
    expect(set.entries.map((e) => [e.name, e.role, e.dtype, e.shape, e.problem?.code ?? null])).toEqual([
      ['input_data_shape_1_2_2_3_out', 'input', 'uint8', [1, 2, 2, 4], null],
      ['a_out', 'layer', 'uint8', [1, 2, 2, 2], null],
      ['gone', 'layer', null, [1, 2, 2, 2], 'missing-file'],
    ]);
    expect(set.warnings).toEqual([`${path.join(dir, 'board.log')}:3: gone.bin is logged but not in ${dir}`]);
    expect(set.ignored.map((i) => path.basename(i.file))).toEqual(['board.log']);
  });

  it('is detected when most .bin files end in _out, not for a PC folder with one *_out name', async () => {
    const board = await folder({ 'a_out.bin': bytes(4), 'b_out.bin': bytes(4), 'b_weight.bin': bytes(4) });
    expect((await openDumpSet(board)).kind).toBe('board');
    const pc = await folder({ 'input_data_shape_1_1_1_4.bin': bytes(4), 'conv_out.bin': bytes(4), 'relu.bin': bytes(4), 'add.bin': bytes(4) });
    expect((await openDumpSet(pc)).kind).toBe('vendor-pc');
  });
});
