import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeNpy, encodeRaw } from '../../golden/encode.js';
import { tmpDir } from '../../golden/temp-golden.js';
import { NpyFormatError, dtypeFromDescr, npyEntry, parseNpyHeader } from './npy.js';
import { openDumpSet } from './open.js';
import { readEntryValues } from './read.js';

/** A hand-built .npy header (version 1.0) around an arbitrary dict text. */
function rawHeader(dict: string, major = 1): Uint8Array {
  const pre = major === 1 ? 10 : 12;
  const body = Buffer.from(dict + '\n', 'latin1');
  const out = new Uint8Array(pre + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const dv = new DataView(out.buffer);
  if (major === 1) dv.setUint16(8, body.length, true);
  else dv.setUint32(8, body.length, true);
  out.set(body, pre);
  return out;
}

describe('npy headers', () => {
  it('parses versions 1.0, 2.0 and 3.0 with the data offset at the header end', () => {
    for (const v of [1, 2, 3] as const) {
      const f = encodeNpy('<f4', [1, 2, 3], new Uint8Array(24), { version: v });
      const h = parseNpyHeader(f);
      expect(h).toEqual({ version: [v, 0], descr: '<f4', dtype: 'float32', fortranOrder: false, shape: [1, 2, 3], dataOffset: f.length - 24 });
      expect(h.dataOffset % 64).toBe(0);
    }
  });

  it('parses shapes (), (5,), old-style 3L and either quote style, in any key order', () => {
    expect(parseNpyHeader(rawHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (), }")).shape).toEqual([]);
    expect(parseNpyHeader(rawHeader("{'descr': '|u1', 'fortran_order': False, 'shape': (5,), }")).shape).toEqual([5]);
    expect(parseNpyHeader(rawHeader('{"shape": (3L, 4L), "fortran_order": False, "descr": "<i2"}')).shape).toEqual([3, 4]);
    expect(parseNpyHeader(rawHeader("{'descr':'<i8','fortran_order':False,'shape':(2,3)}", 2))).toMatchObject({ dtype: 'int64', shape: [2, 3] });
  });

  it('maps every supported descr and rejects big-endian / native / unknown ones with a clear reason', () => {
    const map = { '<f4': 'float32', '<f8': 'float64', '|u1': 'uint8', '<u1': 'uint8', '<u2': 'uint16', '|i1': 'int8', '<i2': 'int16', '<i4': 'int32', '<i8': 'int64' };
    for (const [d, t] of Object.entries(map)) expect(dtypeFromDescr(d)).toBe(t);
    expect(() => dtypeFromDescr('>f4')).toThrow("big-endian data ('>f4') is not supported: re-save with arr.astype('<f4')");
    expect(() => dtypeFromDescr('=i4')).toThrow("native byte order ('=i4') is ambiguous");
    expect(() => dtypeFromDescr('<f2')).toThrow("unsupported dtype descr '<f2'");
    expect(() => dtypeFromDescr('<U5')).toThrow(NpyFormatError);
  });

  it('rejects bad files with a reason (never eval)', () => {
    const cases: [Uint8Array, string][] = [
      [new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 'no \\x93NUMPY magic'],
      [rawHeader("{'descr': '<f4', 'fortran_order': True, 'shape': (2,), }"), 'fortran_order True is not supported'],
      [rawHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 4), 'unsupported .npy version 4.0'],
      [rawHeader("{'descr': '<f4', 'fortran_order': False}"), "header 'shape' is not a tuple"],
      [rawHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}"), "header 'shape' is not a tuple"],
      [rawHeader("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,)}"), "header has no string 'descr'"],
      [rawHeader("{'descr': __import__('os'), 'shape': ()}"), 'unexpected token'],
      [rawHeader("{'descr': '<f4' 'fortran_order': False}"), "expected ',' or '}'"],
      [rawHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} junk"), 'trailing text'],
      [rawHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }").subarray(0, 30), 'the file ends first'],
    ];
    for (const [b, why] of cases) expect(() => parseNpyHeader(b), why).toThrow(why);
  });

  it('entries: bad header -> bad-header, truncated -> size-mismatch, 0 bytes -> empty-file; a single .npy path opens', async () => {
    const dir = tmpDir();
    const good = encodeNpy('<i4', [2, 2], encodeRaw('int32', [1, -2, 3, -4]), { version: 3 });
    await fsp.writeFile(path.join(dir, 'good.npy'), good);
    await fsp.writeFile(path.join(dir, 'bad.npy'), rawHeader("{'descr': '>i4', 'fortran_order': False, 'shape': (1,), }"));
    await fsp.writeFile(path.join(dir, 'short.npy'), good.subarray(0, good.length - 1));
    await fsp.writeFile(path.join(dir, 'empty.npy'), new Uint8Array(0));
    const set = await openDumpSet(dir);
    expect(set.entries.map((e) => [e.name, e.problem?.code ?? null])).toEqual([
      ['bad', 'bad-header'],
      ['empty', 'empty-file'],
      ['good', null],
      ['short', 'size-mismatch'],
    ]);
    expect(set.entries[3]!.problem).toMatchObject({ expectedBytes: good.length, actualBytes: good.length - 1 });
    const one = await openDumpSet(path.join(dir, 'good.npy'));
    expect([one.kind, one.root, one.entries.length]).toEqual(['npy', dir, 1]);
    expect([...readEntryValues(one.entries[0]!)]).toEqual([1, -2, 3, -4]);
    expect(npyEntry(path.join(dir, 'good.npy'), good.length, 7)).toMatchObject({ order: 7, layout: 'row-major', shapeSource: 'npy-header', dataOffset: good.length - 16 });
  });
});
