/**
 * Property / fuzz tests of every text and byte parser a user's files reach (issue 7): generated
 * and mutated inputs; only typed errors may escape (UserError, or the parser's documented error
 * class where a caller turns it into a cannot-compare reason). Seeds are fixed, so a failure
 * reproduces; counts are summed in FUZZ_RUNS (asserted >= 10,000 together with onnx.fuzz.test.ts).
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { parseDumpLog, formatDumpLogLine } from '../../src/dumps/vendor-log.js';
import { sanitizeName, shapeFromInputName, stripAnsi } from '../../src/names.js';
import { ruleKeys } from '../../src/align/rules.js';
import { parseNpyHeader, NpyFormatError } from '../../src/dumps/npy.js';
import { validateManifest } from '../../src/dumps/manifest.js';
import { parseShapesMap } from '../../src/dumps/shapes-map.js';
import { parseReport } from '../../src/report/load.js';
import { diffReports } from '../../src/report/diff.js';
import { renderMarkdown } from '../../src/report/markdown.js';
import { parseVendorTable } from '../../src/diagnose/vendor-table.js';
import { parseBoardHeader } from '../../src/prepare/header.js';
import { applyOverrides, CLASSIFICATION } from '../../src/diagnose/thresholds.js';
import { parsePtqConfig } from '../../reference/config/index.js';
import { UserError } from '../../src/errors.js';
import { mutationArb, mutateText, applyMutations, thrown } from './mutate.js';

const SEED = 7_2026;
const typed = (e: unknown) => e === null || e instanceof UserError;
const show = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e));

const LOG = [
  '\x1b[0;32mLog: Data dumping to:./MAGIK_DATA_DUMP/input_data_shape_1_8_8_3.bin--->shape:[1,8,8,3]\x1b[0m',
  'Log: Data dumping to::./MAGIK_DATA_DUMP/411_Quantize.bin--->shape:[1,192,320,12]\r',
  'Log: Data dumping to: /abs/MAGIK_DATA_DUMP/432_0_Quantize.bin ------> shape: [1, 48, 80, 64]',
  'Log: Data dumping to:../../etc/passwd--->shape:[1]',
  'Log: other line',
].join('\n');

describe('dump log parser (vendor-log.ts)', () => {
  it('never throws; every record is a plain base name with safe-integer dims (3,000 mutated logs)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.array(mutationArb, { maxLength: 6 }).map((ms) => mutateText(LOG, ms)), fc.string({ unit: 'binary', maxLength: 300 })), (text) => {
        const r = parseDumpLog(text, 'fuzz.log');
        for (const rec of r.records) {
          expect(rec.file).not.toMatch(/[\\/\0]/);
          expect(['', '.', '..']).not.toContain(rec.file);
          for (const d of rec.shape) expect(Number.isSafeInteger(d) && d >= 0, `dim ${d} of ${rec.file}`).toBe(true);
        }
        expect(new Set(r.records.map((x) => x.file)).size).toBe(r.records.length);
      }),
      { numRuns: 3000, seed: SEED },
    );
  });
  it('refuses dimensions beyond 2^53 (500 digit strings)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[1-9][0-9]{15,40}$/), (digits) => {
        const r = parseDumpLog(`Log: Data dumping to:./MAGIK_DATA_DUMP/a.bin--->shape:[1,${digits}]`);
        if (Number.isSafeInteger(Number(digits))) expect(r.records[0]!.shape).toEqual([1, Number(digits)]);
        else expect(r.malformed[0]!.why).toMatch(/too large/);
      }),
      { numRuns: 500, seed: SEED },
    );
  });
  it('reads back every line it formats (1,000 names and shapes)', () => {
    const name = fc.stringMatching(/^[A-Za-z0-9._-]{0,40}[A-Za-z0-9_]$/).filter((s) => s !== '.' && s !== '..');
    fc.assert(
      fc.property(name, fc.array(fc.nat({ max: 100000 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (file, shape, color) => {
        const r = parseDumpLog(formatDumpLogLine(file, shape, { color }));
        expect(r.records).toEqual([{ file, shape, line: 1, loggedPath: `./MAGIK_DATA_DUMP/${file}` }]);
      }),
      { numRuns: 1000, seed: SEED },
    );
  });
});

describe('name rules (names.ts, align/rules.ts)', () => {
  it('sanitizeName keeps only [A-Za-z0-9._-], one character per UTF-8 byte, idempotent; ruleKeys strip suffixes only (2,000 names)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 60 }), (s) => {
        const t = sanitizeName(s);
        expect(t).toMatch(/^[A-Za-z0-9._-]*$/);
        expect(t.length).toBe(Buffer.byteLength(s, 'utf8'));
        expect(sanitizeName(t)).toBe(t);
        const keys = ruleKeys(t);
        expect(keys[0]).toEqual({ rule: 'exact', key: t });
        for (const k of keys) expect(t.startsWith(k.key)).toBe(true);
        expect(stripAnsi(`\x1b[1;32m${s}\x1b[0m`)).toBe(stripAnsi(s));
        const sh = shapeFromInputName(s);
        if (sh) for (const d of sh) expect(Number.isFinite(d)).toBe(true);
      }),
      { numRuns: 2000, seed: SEED },
    );
  });
});

function npyBytes(header: string): Uint8Array {
  const h = header + ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  return Uint8Array.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8, ...Buffer.from(h, 'latin1'), 0, 0, 0, 0]);
}

describe('.npy header reader (npy.ts)', () => {
  const good = npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 8, 8, 3), }");
  it('throws only NpyFormatError (read as a cannot-compare reason) on 1,500 mutated headers', () => {
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 5 }), (ms) => {
        const e = thrown(() => {
          const h = parseNpyHeader(applyMutations(good, ms));
          for (const d of h.shape) expect(Number.isSafeInteger(d) && d >= 0).toBe(true);
          expect(h.dataOffset).toBeGreaterThanOrEqual(10);
        });
        expect(e === null || e instanceof NpyFormatError, show(e)).toBe(true);
      }),
      { numRuns: 1500, seed: SEED },
    );
  });
  it('throws only NpyFormatError on 500 generated header dicts', () => {
    const lit = fc.oneof(fc.constantFrom('True', 'False', 'None', "'<f4'", "'|u1'", '()', '(1,)', '[1, 2]', '-3', '99999999999999999999999', "'"), fc.string({ maxLength: 8 }));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom("'descr'", "'shape'", "'fortran_order'", "'x'"), lit), { maxLength: 4 }), (kv) => {
        const e = thrown(() => parseNpyHeader(npyBytes(`{${kv.map(([k, v]) => `${k}: ${v}`).join(', ')}}`)));
        expect(e === null || e instanceof NpyFormatError, show(e)).toBe(true);
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});

const MANIFEST = {
  format: 'magik-parity-manifest',
  version: 1,
  producer: 'float',
  tool: { name: 'magik-parity', version: '0.1.0' },
  model: { file: 'm.onnx', md5: '0'.repeat(32) },
  tensors: [
    { order: 0, file: 'input.bin', tensorName: 'x', nodeName: '', opType: 'Input', dtype: 'float32', shape: [1, 8, 8, 3], layout: 'NHWC', md5: 'a'.repeat(32), role: 'input' },
    { order: 1, file: 'conv_1.bin', tensorName: 'conv/1', nodeName: 'n', opType: 'Conv', dtype: 'uint8', shape: [1, 8, 8, 4], layout: 'NHWC', scale: 0.5, zeroPoint: 3, md5: 'b'.repeat(32) },
  ],
};

describe('manifest validator (manifest.ts) and shapes map (shapes-map.ts)', () => {
  it('throws only UserError on 1,000 mutated manifest texts and 500 arbitrary JSON values', () => {
    const text = JSON.stringify(MANIFEST);
    const parseAndValidate = (t: string) => {
      let v: unknown;
      try {
        v = JSON.parse(t);
      } catch {
        return; // readManifest turns this into a UserError naming the file
      }
      validateManifest(v, 'fuzz/manifest.json');
    };
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (ms) => {
        const e = thrown(() => parseAndValidate(mutateText(text, ms)));
        expect(typed(e), show(e)).toBe(true);
      }),
      { numRuns: 1000, seed: SEED },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const e = thrown(() => validateManifest(v, 'fuzz'));
        expect(typed(e), show(e)).toBe(true);
      }),
      { numRuns: 500, seed: SEED },
    );
  });
  it('an accepted manifest names only plain files (hostile names refused)', () => {
    fc.assert(
      fc.property(fc.constantFrom('../x.bin', '/etc/passwd', 'a/b.bin', 'C:evil.bin', '..', '.', '', 'a\0b.bin', '\\\\server\\x.bin'), (file) => {
        const m = structuredClone(MANIFEST);
        m.tensors[1]!.file = file;
        expect(() => validateManifest(m, 'fuzz')).toThrow(UserError);
      }),
      { numRuns: 9, seed: SEED },
    );
  });
  it('shapes map: a "__proto__" key is a name like any other', () => {
    const m = parseShapesMap('{"__proto__": [1, 2], "a": [3]}', 'fuzz.json');
    expect(Object.keys(m).sort()).toEqual(['__proto__', 'a']);
    expect(m['__proto__']).toEqual([1, 2]);
  });
  it('shapes map: only UserError on 500 arbitrary texts', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string({ maxLength: 80 })), (t) => {
        const e = thrown(() => parseShapesMap(t, 'fuzz.json'));
        expect(typed(e), show(e)).toBe(true);
      }),
      { numRuns: 500, seed: SEED },
    );
  });
});

const CONFIG = JSON.stringify(
  { format: 'BGR', width: 416, height: 416, path: 'calib', used_image_num: 4, mean: '0,0,0', var: '255,255,255', feature_quantize_method: 'KL', weight_quantize_method: 'MAX_ABS', node_bits: { conv1: { feature: 10 } }, debug: { open: true } },
  null,
  1,
);

describe('ptq config parser (reference/config)', () => {
  it('throws only UserError on 1,200 mutated configs and 300 arbitrary JSON texts', () => {
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (ms) => {
        const e = thrown(() => parsePtqConfig(mutateText(CONFIG, ms), '/tmp/fuzz/ptq_config.json'));
        expect(typed(e), show(e)).toBe(true);
      }),
      { numRuns: 1200, seed: SEED },
    );
    fc.assert(
      fc.property(fc.json(), (t) => {
        const e = thrown(() => parsePtqConfig(t, '/tmp/fuzz/ptq_config.json'));
        expect(typed(e), show(e)).toBe(true);
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});

describe('other user-file parsers', () => {
  const banner = '<<<<<<<<<<< ptq model compute distance >>>>>>>>>>>';
  const table = `${banner}\nfeature name  cosine_avg  cosine_min  cosine_max  euc_distan  stand_devi  max_absolu  max_abs_0~1\nconv/1 0.99996 0.99975 0.99998 0.00445 0.00121 0.02141 0.16431\n412 0.9 0.8 0.95 1 1 1 1\n\n`;
  it('vendor distance table, board header, thresholds: only UserError (1,500 cases)', () => {
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (ms) => {
        const e = thrown(() => parseVendorTable(mutateText(table, ms), 'fuzz.log'));
        expect(typed(e), show(e)).toBe(true);
      }),
      { numRuns: 600, seed: SEED },
    );
    const header = `unsigned char image[${2 * 2 * 4}] = {${Array.from({ length: 16 }, (_, i) => i * 7).join(' ,')} ,};\n`;
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (ms) => {
        const e = thrown(() => parseBoardHeader(mutateText(header, ms), 'fuzz.h'));
        expect(typed(e), show(e)).toBe(true);
      }),
      { numRuns: 600, seed: SEED },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const e = thrown(() => applyOverrides(CLASSIFICATION, v, 'fuzz.json'));
        expect(typed(e), show(e)).toBe(true);
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});

export { SEED };
