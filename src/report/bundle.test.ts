import { describe, it, expect, beforeAll } from 'vitest';
import { createHash } from 'node:crypto';
import { promises as fsp, readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { createBundle, BUNDLE_ROOT } from './bundle.js';
import { safeSegment, closeNames } from './bundle-plan.js';
import { writeAllReports } from './write.js';
import { syntheticReport } from '../../golden/synthetic-report.js';
import { reportCase, type ReportCase } from '../../golden/report-case.js';
import { tmpDir } from '../../golden/temp-golden.js';
import { UserError } from '../errors.js';
import type { Report } from './schema.js';

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** Unpacks a .tar.gz in memory: member name -> bytes (in archive order). */
async function unpack(file: string): Promise<Map<string, Buffer>> {
  const ex = tar.extract();
  const out = new Map<string, Buffer>();
  const done = new Promise<void>((res, rej) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        out.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    ex.on('finish', res);
    ex.on('error', rej);
  });
  Readable.from([gunzipSync(readFileSync(file))]).pipe(ex);
  await done;
  return out;
}

async function expectUserError(p: Promise<unknown>, code: string, re: RegExp): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe(code);
    expect((e as UserError).message).toMatch(re);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

let rc: ReportCase;
let reportFile: string;
beforeAll(async () => {
  rc = await reportCase();
  const dir = tmpDir('magik-bundle-rep-');
  reportFile = (await writeAllReports(dir, rc.combined)).json;
});

describe('createBundle on a real report', () => {
  it('defaults to the first divergence of the first diverged edge and packs every source', async () => {
    const out = path.join(tmpDir('magik-bundle-'), 'support.tar.gz');
    const res = await createBundle({ reportFile, out });
    expect(res.edge).toBe('float~ptq');
    expect(res.layer).toBe(rc.floatCulprit);
    const files = await unpack(out);
    const names = [...files.keys()].map((n) => n.slice(BUNDLE_ROOT.length + 1));
    expect([...files.keys()].every((n) => n.startsWith(`${BUNDLE_ROOT}/`))).toBe(true);
    const edge = rc.float.edges[0]!;
    const sorted = [...edge.layers].sort((a, b) => a.order - b.order);
    const i = sorted.findIndex((l) => l.name === rc.floatCulprit);
    const l = sorted[i]!;
    const prev = sorted[i - 1]!;
    const base = (f: string) => `${path.basename(path.dirname(f))}/${path.basename(f)}`;
    expect(names).toEqual([
      'README.txt',
      'input_uint8.bin',
      'report.json',
      'report.md',
      `layer/output/float/${base(l.a.file)}`,
      `layer/output/ptq/${base(l.b.file)}`,
      `layer/input/float/${base(prev.a.file)}`,
      `layer/input/ptq/${base(prev.b.file)}`,
      'quant_params.json',
      'VERSION.txt',
      'md5sums.txt',
    ]);
    expect(l.b.file).toContain('ptq_model_dequantize');
    // copied bytes are the source files' bytes
    const get = (n: string) => files.get(`${BUNDLE_ROOT}/${n}`)!;
    expect(get(`layer/output/ptq/${base(l.b.file)}`).equals(readFileSync(l.b.file))).toBe(true);
    expect(get('input_uint8.bin').equals(readFileSync(path.join(rc.debugDir, 'input_uint8.bin')))).toBe(true);
    expect(get('report.json').equals(readFileSync(reportFile))).toBe(true);
    // md5sums.txt: md5sum format, one line per other member, all correct
    const sums = get('md5sums.txt').toString('utf8').trim().split('\n');
    expect(sums).toHaveLength(names.length - 1);
    for (const line of sums) {
      const m = /^([0-9a-f]{32}) {2}(.+)$/.exec(line)!;
      expect(m).not.toBeNull();
      expect(md5(get(m[2]!))).toBe(m[1]);
    }
    expect(res.members.find((m) => m.name === 'md5sums.txt')!.md5).toBe(md5(get('md5sums.txt')));
    const readme = get('README.txt').toString('utf8');
    expect(readme).toContain(`problem layer: ${rc.floatCulprit}`);
    expect(readme).toContain('chosen as: the first divergence of edge float~ptq');
    expect(readme).toContain('the layer just before it');
    expect(readme).toContain('no config: the compare command line named none');
    const q = JSON.parse(get('quant_params.json').toString('utf8'));
    expect(q.tensors).toHaveLength(4);
    expect(get('VERSION.txt').toString()).toMatch(/^report made by magik-parity \d+\.\d+\.\d+ \(report.json schema v1\)\nbundle made by magik-parity /);
  });

  it('--layer on the integer edge: PC and board dumps of the layer and of the layer before it', async () => {
    const out = path.join(tmpDir('magik-bundle-'), 'b.tar.gz');
    const res = await createBundle({ reportFile, out, layer: rc.boardCulprit, edge: 'pc~board' });
    const names = [...(await unpack(out)).keys()];
    const b = rc.index.board.corrupted;
    expect(names).toContain(`${BUNDLE_ROOT}/layer/output/pc/MAGIK_DATA_DUMP/${b.pcName}.bin`);
    expect(names).toContain(`${BUNDLE_ROOT}/layer/output/board/board/${b.boardName}.bin`);
    expect(names).toContain(`${BUNDLE_ROOT}/layer/input/pc/MAGIK_DATA_DUMP/411_Quantize.bin`);
    expect(names).toContain(`${BUNDLE_ROOT}/layer/input/board/board/411_Quantize_out.bin`);
    expect(res.layer).toBe(b.pcName);
  });

  it('--edge alone picks that edge\'s first divergence; an edge without divergence needs --layer', async () => {
    const res = await createBundle({ reportFile, out: path.join(tmpDir('magik-bundle-'), 'e.tar.gz'), edge: 'pc~board' });
    expect(res.layer).toBe(rc.boardCulprit);
    const clean: Report = { ...rc.integer, edges: [{ ...rc.integer.edges[0]!, firstDivergence: null }] };
    const f = path.join(tmpDir(), 'report.json');
    writeFileSync(f, JSON.stringify(clean));
    await expectUserError(createBundle({ reportFile: f, out: path.join(tmpDir(), 'c.tar.gz') }), 'USAGE', /no edge of the report diverged/);
  });

  it('includes scale / zero point, params.json next to the ptq folder and the --config file when present', async () => {
    const dir = tmpDir('magik-bundle-q-');
    const r: Report = syntheticReport({ layers: 5, divergeAt: 3 });
    for (const e of r.edges) for (const l of e.layers) for (const s of [l.a, l.b]) {
      s.file = path.join(dir, e.id.replace('~', '_'), s === l.a ? 'a' : 'b', path.basename(s.file));
      mkdirSync(path.dirname(s.file), { recursive: true });
      writeFileSync(s.file, Buffer.from(`${s.file}\n`));
    }
    r.sources.find((s) => s.id === 'ptq')!.root = path.join(dir, 'ptqroot', 'ptq_model');
    mkdirSync(path.join(dir, 'ptqroot', 'ptq_model'), { recursive: true });
    writeFileSync(path.join(dir, 'ptqroot', 'params.json'), '{"layer_3/conv":{"scale":0.03125}}');
    writeFileSync(path.join(dir, 'cfg.json'), '{"format":"RGB"}');
    r.meta.command = ['compare', '--config', path.join(dir, 'cfg.json')];
    r.inputs.reference = null;
    const rf = path.join(dir, 'report.json');
    writeFileSync(rf, JSON.stringify(r));
    const out = path.join(dir, 'q.tar.gz');
    const res = await createBundle({ reportFile: rf, out });
    const files = await unpack(out);
    const q = JSON.parse(files.get(`${BUNDLE_ROOT}/quant_params.json`)!.toString());
    const ptqOut = q.tensors.find((t: { role: string; source: string }) => t.role === 'output' && t.source === 'ptq');
    expect(ptqOut).toMatchObject({ layer: 'layer_3/conv', dtype: 'uint8', shape: [1, 8, 8, 4], scale: 0.03125, zeroPoint: 128 });
    expect(files.get(`${BUNDLE_ROOT}/ptq_params.json`)!.toString()).toBe('{"layer_3/conv":{"scale":0.03125}}');
    expect(files.get(`${BUNDLE_ROOT}/config/cfg.json`)!.toString()).toBe('{"format":"RGB"}');
    expect(res.notes.join('\n')).toContain('input_uint8.bin');
    // the synthetic report.md is rendered, there is none on disk
    expect(files.get(`${BUNDLE_ROOT}/report.md`)!.toString()).toContain('# magik-parity report');
  });
});

describe('createBundle refusals and hostile input', () => {
  it('refuses to overwrite an existing --out and leaves it untouched', async () => {
    const dir = tmpDir('magik-bundle-ow-');
    const out = path.join(dir, 'x.tar.gz');
    writeFileSync(out, 'keep me');
    await expectUserError(createBundle({ reportFile, out }), 'OUTPUT_EXISTS', /x\.tar\.gz: already exists; refusing to overwrite it/);
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect(readdirSync(dir)).toEqual(['x.tar.gz']);
  });

  it('refuses a bundle above --max-mb, leaving no file', async () => {
    const dir = tmpDir('magik-bundle-big-');
    const out = path.join(dir, 'big.tar.gz');
    await expectUserError(createBundle({ reportFile, out, maxMb: 0.001 }), 'USAGE', /the bundle would hold [\d.]+ MiB, above --max-mb 0\.001/);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('names a missing layer and lists close names', async () => {
    const e = await expectUserError(createBundle({ reportFile, out: path.join(tmpDir(), 'n.tar.gz'), layer: '414_Quantise' }), 'LAYER_NOT_FOUND', /--layer "414_Quantise": no such layer in the report/);
    expect(e.hint).toMatch(/^close names: 414_Quantize/);
    await expectUserError(createBundle({ reportFile, out: path.join(tmpDir(), 'n.tar.gz'), edge: 'ptq~board' }), 'USAGE', /--edge ptq~board: no such edge/);
    expect(closeNames('conv', ['a/conv_1', 'relu', 'pool'])).toEqual(['a/conv_1', 'pool', 'relu']);
  });

  it('rejects a report of another schema version', async () => {
    const f = path.join(tmpDir(), 'report.json');
    writeFileSync(f, JSON.stringify({ schemaVersion: 7 }));
    await expectUserError(createBundle({ reportFile: f, out: path.join(tmpDir(), 'v.tar.gz') }), 'REPORT_FORMAT', /found schema version 7/);
  });

  it('keeps member names safe whatever the layer and file names', async () => {
    const dir = tmpDir('magik-bundle-hostile-');
    const r: Report = syntheticReport({ layers: 4, divergeAt: 2 });
    const evil = ['../../../etc/passwd', '/abs/olute', '..', 'a\nb\u0000c|`$(rm -rf ~)`'];
    r.edges.forEach((e) =>
      e.layers.forEach((l, i) => {
        l.name = evil[i]!;
        for (const [k, s] of [l.a, l.b].entries()) {
          const sub = path.join(dir, `..e${e.id.replace('~', '')}${k}`);
          mkdirSync(sub, { recursive: true });
          s.file = path.join(sub, i === 0 ? '..' + 'bin' : i === 1 ? '.hidden.bin' : `${'x'.repeat(150)} y.bin`);
          if (i === 3) s.file = path.join(sub, 'spaces and ünïcode.bin');
          writeFileSync(s.file, `${s.file}`);
        }
      }),
    );
    r.edges[0]!.firstDivergence = { name: evil[2]!, order: 2, metric: 'cosine', value: 0.5, threshold: 0.99 };
    r.inputs.reference = null;
    const rf = path.join(dir, 'report.json');
    writeFileSync(rf, JSON.stringify(r));
    const out = path.join(dir, 'h.tar.gz');
    await createBundle({ reportFile: rf, out, layer: '..' });
    const names = [...(await unpack(out)).keys()];
    expect(names.length).toBeGreaterThan(6);
    for (const n of names) {
      expect(n).toMatch(/^[A-Za-z0-9._\-/~]+$/);
      expect(n.startsWith('/')).toBe(false);
      for (const seg of n.split('/')) {
        expect(seg === '' || seg === '.' || seg === '..').toBe(false);
        expect(seg.length).toBeLessThanOrEqual(100);
      }
    }
    expect(safeSegment('..')).toBe('_..');
    expect(safeSegment('')).toBe('_');
    expect(safeSegment('a/../b')).toBe('a_.._b');
    await fsp.rm(out);
  });
});
