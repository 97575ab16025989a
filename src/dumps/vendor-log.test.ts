import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDumpLogLine, parseDumpLog } from './vendor-log.js';

const g = (s: string) => `\x1b[0;32m${s}\x1b[0m`;

describe('parseDumpLog', () => {
  it('reads every accepted line variant, in order, with 1-based line numbers', () => {
    const text = [
      g('Log: start'),
      g('Log: Data dumping to:./MAGIK_DATA_DUMP/input_data_shape_1_384_640_3.bin--->shape:[1,384,640,3]'),
      g('Log: Data dumping to::./MAGIK_DATA_DUMP/411_Quantize.bin--->shape:[1,192,320,12]') + '\r',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/414_Quantize.bin->shape:[1,96,160,32]',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/427.bin>shape:[1,96,160,32]',
      'Log: Data dumping to: /abs/run/MAGIK_DATA_DUMP/432_0_Quantize.bin ------> shape: [1, 48, 80, 64]',
      'Log: Data dumping to:432_1_Quantize.bin--->shape:[1,48,80,64]',
      '\x1b[1;31m\x1b[0mLog: Data dumping to:.\\MAGIK_DATA_DUMP\\win.bin--->shape:[8]',
    ].join('\n');
    const r = parseDumpLog(text, 'pc.log');
    expect(r.warnings).toEqual([]);
    expect(r.malformed).toEqual([]);
    expect(r.records.map((x) => [x.file, x.shape, x.line])).toEqual([
      ['input_data_shape_1_384_640_3.bin', [1, 384, 640, 3], 2],
      ['411_Quantize.bin', [1, 192, 320, 12], 3],
      ['414_Quantize.bin', [1, 96, 160, 32], 4],
      ['427.bin', [1, 96, 160, 32], 5],
      ['432_0_Quantize.bin', [1, 48, 80, 64], 6],
      ['432_1_Quantize.bin', [1, 48, 80, 64], 7],
      ['win.bin', [8], 8],
    ]);
    expect(r.records[4]!.loggedPath).toBe('/abs/run/MAGIK_DATA_DUMP/432_0_Quantize.bin');
  });

  it('reports malformed lines with their numbers and never throws', () => {
    const text = [
      'Log: Data dumping to:./MAGIK_DATA_DUMP/a.bin--->shape:[1,x,4,4]',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/b.bin',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/c.bin--->shape:[]',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/d.bin--->shape:1,2,3',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/--->shape:[1,2]',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/e.bin--->shape:[1,-2]',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/ok.bin--->shape:[2,2]',
    ].join('\r\n');
    const r = parseDumpLog(text, 'x.log');
    expect(r.malformed.map((m) => m.line)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.malformed.map((m) => m.why)).toEqual([
      'dimension "x" is not a non-negative integer',
      'no "--->shape:[...]" part',
      'empty shape []',
      'shape is not a bracketed list like [1,8,8,3]',
      'no file name in "./MAGIK_DATA_DUMP/"',
      'dimension "-2" is not a non-negative integer',
    ]);
    expect(r.warnings[0]).toBe('x.log:1: cannot parse dump line (dimension "x" is not a non-negative integer): Log: Data dumping to:./MAGIK_DATA_DUMP/a.bin--->shape:[1,x,4,4]');
    expect(r.records.map((x) => [x.file, x.line])).toEqual([['ok.bin', 7]]);
  });

  it('keeps the LAST line of a file logged twice, in its position, and warns with both lines', () => {
    const text = [
      'Log: Data dumping to:./MAGIK_DATA_DUMP/a.bin--->shape:[1,2]',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/b.bin--->shape:[3]',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/a.bin--->shape:[2,2]',
    ].join('\n');
    const r = parseDumpLog(text, 'l');
    expect(r.records.map((x) => [x.file, x.shape, x.line])).toEqual([
      ['b.bin', [3], 2],
      ['a.bin', [2, 2], 3],
    ]);
    expect(r.warnings).toEqual(['l: a.bin is logged twice (lines 1 and 3); the file holds the last write, so line 3 (shape [2,2]) is used']);
  });

  it('keeps only base names of hostile paths and warns', () => {
    const text = [
      'Log: Data dumping to:../../etc/passwd.bin--->shape:[4]',
      'Log: Data dumping to:/etc/shadow.bin--->shape:[4]',
      'Log: Data dumping to:./other_dir/x.bin--->shape:[4]',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/../y.bin--->shape:[4]',
      'Log: Data dumping to:C:\\temp\\z.bin--->shape:[4]',
      'Log: Data dumping to:./MAGIK_DATA_DUMP/fine.bin--->shape:[4]',
    ].join('\n');
    const r = parseDumpLog(text, 'l');
    expect(r.records.map((x) => x.file)).toEqual(['passwd.bin', 'shadow.bin', 'x.bin', 'y.bin', 'z.bin', 'fine.bin']);
    expect(r.warnings.map((w) => w.slice(0, w.indexOf(':', 2)))).toEqual(['l:1', 'l:2', 'l:3', 'l:4', 'l:5']);
    expect(r.warnings[0]).toContain('only its base name "passwd.bin" is looked up');
  });

  it('finds two records on one line (interleaved output) and ignores unrelated lines', () => {
    const r = parseDumpLog('noise\nLog: Data dumping to:a.bin--->shape:[1]Log: Data dumping to:b.bin--->shape:[2]\nLog: other', 'l');
    expect(r.records.map((x) => [x.file, x.line])).toEqual([
      ['a.bin', 2],
      ['b.bin', 2],
    ]);
    expect(parseDumpLog('', 'l')).toEqual({ records: [], malformed: [], warnings: [] });
  });
});

describe('parseDumpLog on the vendor guide text', () => {
  const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  const guide = path.resolve(repoRoot, '../shared/docs/magik-ptq-user-guide.txt');
  it.skipIf(!existsSync(guide))('reads the scanned example log of §6.1 (incl. "---shape" lines) and keeps last writes', () => {
    const r = parseDumpLog(readFileSync(guide, 'utf8'), 'guide');
    // 11 complete dump lines; A12_Quantize.bin is printed 9 times (OCR merged names), the last wins
    expect(r.records.map((x) => [x.file, x.shape])).toEqual([
      ['AppendinputouptwithOptotruizer_Loptun_00_0_BatchNornscale.bin', [1, 384, 640, 3]],
      ['A11_Quantize.bin', [1, 392, 320, 32]],
      ['A12_Quantize.bin', [1, 44, 40, 128]],
    ]);
    expect(r.warnings.filter((w) => w.includes('A12_Quantize.bin is logged twice'))).toHaveLength(8);
    // the truncated last line of the example has no shape part
    expect(r.malformed.map((m) => m.why)).toEqual(['no "--->shape:[...]" part']);
  });
});

describe('formatDumpLogLine', () => {
  it("emits the vendor's line exactly (plain and coloured)", () => {
    expect(formatDumpLogLine('411_Quantize.bin', [1, 192, 320, 12])).toBe('Log: Data dumping to:./MAGIK_DATA_DUMP/411_Quantize.bin--->shape:[1,192,320,12]');
    expect(formatDumpLogLine('427.bin', [8], { color: true, dir: '/run/MAGIK_DATA_DUMP/' })).toBe('\x1b[32mLog: Data dumping to:/run/MAGIK_DATA_DUMP/427.bin--->shape:[8]\x1b[0m');
  });

  it('refuses names and shapes the parser could not read back', () => {
    for (const bad of ['a/b.bin', 'a b.bin', 'x-', '..', '', 'a:b.bin', 'é.bin']) expect(() => formatDumpLogLine(bad, [1]), bad).toThrow('not a sanitized file name');
    expect(() => formatDumpLogLine('a.bin', [])).toThrow('must be non-negative integers');
    expect(() => formatDumpLogLine('a.bin', [1, -2])).toThrow('must be non-negative integers');
    expect(() => formatDumpLogLine('a.bin', [1.5])).toThrow('must be non-negative integers');
  });

  it('round trip: parseDumpLog reads every formatted line back to the same file, shape and order', () => {
    const nameChar = fc.constantFrom(...'abcXYZ0189._-'.split(''));
    const name = fc
      .array(nameChar, { minLength: 1, maxLength: 24 })
      .map((cs) => cs.join(''))
      .filter((n) => !n.endsWith('-') && n !== '.' && n !== '..');
    const rec = fc.record({ name, shape: fc.array(fc.nat({ max: 5000 }), { minLength: 1, maxLength: 6 }), color: fc.boolean() });
    fc.assert(
      fc.property(fc.uniqueArray(rec, { selector: (r) => r.name, minLength: 1, maxLength: 12 }), fc.boolean(), (recs, noise) => {
        const lines: string[] = [];
        for (const r of recs) {
          if (noise) lines.push('Log: some other line');
          lines.push(formatDumpLogLine(r.name, r.shape, { color: r.color }));
        }
        const parsed = parseDumpLog(lines.join('\n'), 'gen.log');
        expect(parsed.warnings).toEqual([]);
        expect(parsed.malformed).toEqual([]);
        expect(parsed.records.map((x) => [x.file, x.shape, x.line])).toEqual(recs.map((r, i) => [r.name, r.shape, noise ? 2 * i + 2 : i + 1]));
      }),
      { numRuns: 300, seed: 20261126 },
    );
  });
});
