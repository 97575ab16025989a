import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPcProgram, shellQuote } from './run-pc.js';
import { UserError } from '../errors.js';
import { stripAnsi } from '../names.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FAKE = path.join(repoRoot, 'golden/fake-vendor-pc.mjs');
const exec = (mode = 'normal'): string => `${shellQuote(process.execPath)} ${shellQuote(FAKE)} {model} {input} {width} {height} ${mode}`;

let tmp: string;
let input: string;
let model: string;
const H = 6;
const W = 10;
const pixels = new Uint8Array(H * W * 3).map((_, i) => (i * 53 + 7) % 256);

beforeAll(async () => {
  // A path with a space and a quote, to exercise the shell quoting of placeholders.
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "mp pc 'run' "));
  input = path.join(tmp, `magik_input_nhwc_1_${H}_${W}_3.bin`);
  await fsp.writeFile(input, pixels);
  model = path.join(tmp, 'model_quant.mgk');
  await fsp.writeFile(model, 'not a real model');
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

const leftovers = async (dir: string): Promise<string[]> => (await fsp.readdir(dir)).filter((n) => n.startsWith('.'));

describe('runPcProgram with the fake vendor program', () => {
  it('normal run: collects MAGIK_DATA_DUMP/ and the coloured log, substitutes quoted placeholders', async () => {
    const out = path.join(tmp, 'normal');
    const r = await runPcProgram({ exec: exec(), input, model, outDir: out, env: { MAGIK_CPP_DUMPDATA: 'false' } });
    expect(r.exitCode).toBe(0);
    expect(r.signal).toBeNull();
    expect(r.warnings).toEqual([]);
    expect(r.dumpFiles).toBe(6);
    expect(r.dumpLines).toBe(6);
    expect(r.command).toContain(`${W} ${H} normal`);
    const files = (await fsp.readdir(r.dumpDir)).sort();
    expect(files).toEqual(['411_Quantize.bin', '427.bin', '432_0_Quantize.bin', '432_1_Quantize.bin', '440_Quantize.bin', `input_data_shape_1_${H}_${W}_3.bin`]);
    // The program really got our input (its input dump is a copy) and computed from it.
    expect(Buffer.compare(await fsp.readFile(path.join(r.dumpDir, files[5]!)), Buffer.from(pixels))).toBe(0);
    const pool = await fsp.readFile(path.join(r.dumpDir, '411_Quantize.bin'));
    expect(pool.length).toBe((H / 2) * (W / 2) * 3);
    const px = (y: number, x: number, c: number): number => pixels[(y * W + x) * 3 + c]!;
    expect(pool[(1 * (W / 2) + 2) * 3 + 1]).toBe(Math.max(px(2, 4, 1), px(2, 5, 1), px(3, 4, 1), px(3, 5, 1)));
    // The log keeps the ANSI colours byte for byte; lines parse after stripping them.
    const log = await fsp.readFile(r.logFile, 'utf8');
    expect(log).toContain('\x1b[32mLog: Data dumping to:./MAGIK_DATA_DUMP/411_Quantize.bin--->shape:[1,3,5,3]\x1b[0m');
    const shapes = stripAnsi(log).split('\n').filter((l) => l.includes('Data dumping to:')).map((l) => l.replace(/^.*MAGIK_DATA_DUMP\//, ''));
    expect(shapes[0]).toBe(`input_data_shape_1_${H}_${W}_3.bin--->shape:[1,${H},${W},3]`);
    expect(log).toContain('box:   7 41 352 406 0.88');
    const run = JSON.parse(await fsp.readFile(path.join(out, 'pc-run.json'), 'utf8'));
    expect(run).toMatchObject({ exitCode: 0, dumpFiles: 6, emptyFiles: [] });
    expect(await leftovers(out)).toEqual([]);
  });

  it('crash: keeps the dumps including the 0-byte file and warns with the status', async () => {
    const out = path.join(tmp, 'crash');
    const r = await runPcProgram({ exec: exec('crash'), input, model, outDir: out });
    expect(r.exitCode === 134 || r.signal === 'SIGABRT').toBe(true);
    expect(r.emptyFiles).toEqual(['440_Quantize.bin']);
    expect(r.dumpFiles).toBe(6);
    expect((await fsp.stat(path.join(r.dumpDir, '440_Quantize.bin'))).size).toBe(0);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/exited with status 134|killed by SIGABRT/);
    expect(r.warnings[0]).toContain('440_Quantize.bin');
    expect(await fsp.readFile(r.logFile, 'utf8')).toContain('std::bad_alloc');
    expect(await leftovers(out)).toEqual([]);
  });

  it('failure without dumps: EXEC_FAILED naming the status and the last line, log kept', async () => {
    const out = path.join(tmp, 'fail');
    const e = await runPcProgram({ exec: exec('fail'), input, model, outDir: out }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).code).toBe('EXEC_FAILED');
    expect((e as UserError).message).toMatch(/exited with status 3 and wrote no \.\/MAGIK_DATA_DUMP\//);
    expect((e as UserError).message).toContain('Error: cannot open model');
    expect(await fsp.readdir(out)).toEqual(['pc.log']);
  });

  it('a program that writes no dumps despite MAGIK_CPP_DUMPDATA is an error too', async () => {
    const e = await runPcProgram({ exec: exec('nodump'), input, model, outDir: path.join(tmp, 'nodump') }).catch((x: unknown) => x);
    expect((e as UserError).message).toMatch(/exited with status 0 and wrote no/);
  });

  it('refuses an earlier run without force, replaces it with force', async () => {
    const out = path.join(tmp, 'again');
    await runPcProgram({ exec: exec('crash'), input, model, outDir: out });
    const e = await runPcProgram({ exec: exec(), input, model, outDir: out }).catch((x: unknown) => x);
    expect((e as UserError).code).toBe('FOLDER_NOT_EMPTY');
    const r = await runPcProgram({ exec: exec(), input, model, outDir: out, force: true });
    expect(r.emptyFiles).toEqual([]);
    expect((await fsp.stat(path.join(r.dumpDir, '440_Quantize.bin'))).size).toBeGreaterThan(0);
    expect(await leftovers(out)).toEqual([]);
  });

  it('usage errors: {model} without --model, missing input, empty --exec', async () => {
    const out = path.join(tmp, 'usage');
    await expect(runPcProgram({ exec: exec(), input, outDir: out })).rejects.toThrow(/uses \{model\} but no --model/);
    await expect(runPcProgram({ exec: exec(), input: path.join(tmp, 'nope.bin'), model, outDir: out })).rejects.toThrow(/nope\.bin: not found/);
    await expect(runPcProgram({ exec: '  ', input, outDir: out })).rejects.toThrow(/--exec is empty/);
    const noShape = path.join(tmp, 'input.bin');
    await fsp.writeFile(noShape, pixels);
    await expect(runPcProgram({ exec: exec(), input: noShape, model, outDir: out })).rejects.toThrow(/uses \{width\}\/\{height\} but the size of .*input\.bin is unknown/);
    const r = await runPcProgram({ exec: exec(), input: noShape, model, outDir: out, width: W, height: H });
    expect(r.dumpFiles).toBe(6);
  });
});

describe('shellQuote', () => {
  it('quotes what the shell would split or expand', () => {
    expect(shellQuote('/a/b.bin')).toBe('/a/b.bin');
    expect(shellQuote("/a b/it's $HOME")).toBe(`'/a b/it'\\''s $HOME'`);
  });
});
