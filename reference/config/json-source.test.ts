import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { JsonSyntaxError, parseJsonWithPositions, toPlain } from './json-source.js';

describe('parseJsonWithPositions', () => {
  it('agrees with JSON.parse on any valid JSON (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.boolean(), (v, pretty) => {
        const text = JSON.stringify(v, null, pretty ? 2 : undefined);
        expect(toPlain(parseJsonWithPositions(text))).toEqual(JSON.parse(text));
      }),
      { numRuns: 500 },
    );
  });
  it('rejects what JSON.parse rejects (property over mutated documents)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), fc.constantFrom(',', '}', ']', "'", ':', '/', 'x', ' '), (v, at, ch) => {
        const base = JSON.stringify({ a: v });
        const i = at % (base.length + 1);
        const text = base.slice(0, i) + ch + base.slice(i);
        let native = true;
        try {
          JSON.parse(text);
        } catch {
          native = false;
        }
        let ours = true;
        let duplicate = false;
        try {
          parseJsonWithPositions(text);
        } catch (e) {
          expect(e).toBeInstanceOf(JsonSyntaxError);
          duplicate = (e as Error).message.includes('duplicate key');
          ours = false;
        }
        // Duplicate keys are the one thing we reject on purpose that JSON.parse accepts.
        if (!duplicate) expect(ours).toBe(native);
      }),
      { numRuns: 1000 },
    );
  });
  it('records key and value positions', () => {
    const n = parseJsonWithPositions('{\n  "a": 1,\n  "b": [true, null]\n}');
    expect(n.kind).toBe('object');
    if (n.kind !== 'object') return;
    expect(n.entries[1]!.keyPos).toMatchObject({ line: 3, col: 3 });
    expect(n.entries[1]!.value.pos).toMatchObject({ line: 3, col: 8 });
  });
  it('explains number and escape mistakes', () => {
    expect(() => parseJsonWithPositions('{"a": 08}')).toThrow("line 1, column 7: invalid number '08'");
    expect(() => parseJsonWithPositions('{"a": 1.}')).toThrow("invalid number '1.'");
    expect(() => parseJsonWithPositions('{"p": "C:\\data"}')).toThrow("invalid escape '\\d' in a string (Windows paths");
    expect(() => parseJsonWithPositions('{"a": NaN}')).toThrow('NaN is not allowed in JSON');
    expect(() => parseJsonWithPositions('{"a": "x}')).toThrow('line 1, column 7: string is never closed');
    expect(() => parseJsonWithPositions('{format: "RGB"}')).toThrow('key format must be in double quotes: "format"');
    expect(() => parseJsonWithPositions('{"a" = 1}')).toThrow(`expected ':' after key "a", found '='`);
    expect(() => parseJsonWithPositions('[1 2]')).toThrow("line 1, column 3: missing ',' between array elements");
    expect(() => parseJsonWithPositions('[1,]')).toThrow("trailing comma before ']'");
  });
});
