import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { renderBoardHeader, parseBoardHeader, checkBoardHeader } from './header.js';
import { prepareImage, writePreparedInput } from './prepare-image.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-header-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('renderBoardHeader', () => {
  it("writes the vendor's text: decimal values, ' ,' after each, channel 3 = 0", () => {
    const data = new Uint8Array([1, 2, 3, 250, 0, 17]); // 1x1x2x3
    expect(renderBoardHeader(data, [1, 1, 2, 3])).toBe('unsigned char image[8] = {1 ,2 ,3 ,0 ,250 ,0 ,17 ,0 ,};\n');
  });
  it('zeroes channel 3 of a 4-channel input', () => {
    expect(renderBoardHeader(new Uint8Array([9, 8, 7, 6]), [1, 1, 1, 4])).toBe('unsigned char image[4] = {9 ,8 ,7 ,0 ,};\n');
  });
});

describe('parseBoardHeader', () => {
  it('round-trips a real prepared input', async () => {
    const p = await prepareImage({ image: path.resolve(repoRoot, '../shared/data/images/fall_1054_sys.jpg'), width: 640, height: 384 });
    const text = renderBoardHeader(p.data, p.shape);
    const parsed = parseBoardHeader(text, 'img_input.h');
    expect(parsed.name).toBe('image');
    expect(parsed.declaredLength).toBe(640 * 384 * 4);
    const r = checkBoardHeader(parsed.values, p.data, p.shape);
    expect(r).toMatchObject({ equal: true, diffCount: 0, channel3NonZero: 0, pixels: 640 * 384 });
  });

  it('accepts other spacing, line breaks, comments, hex, products and no trailing comma', () => {
    const text = '/* made by hand */\n#pragma once\nconst unsigned char img[1*2*4] = {\n  0x0A, 11u, 012 ,0, // first pixel\n  255,254,253,0\n};\n';
    const p = parseBoardHeader(text, 'h.h');
    expect(p.name).toBe('img');
    expect(p.declaredLength).toBe(8);
    expect(Array.from(p.values)).toEqual([10, 11, 10, 0, 255, 254, 253, 0]);
  });

  it('rejects malformed headers with a one-line message naming the file', () => {
    expect(() => parseBoardHeader('int x = 3;', 'a.h')).toThrow(/a\.h: no array initializer/);
    expect(() => parseBoardHeader('unsigned char image[4] = {1 ,2 ,3 ,', 'b.h')).toThrow(/b\.h: .*no closing/);
    expect(() => parseBoardHeader('unsigned char image[4] = {1 ,2 ,300 ,0 ,};', 'c.h')).toThrow(/c\.h: value #2 .*"300"/);
    expect(() => parseBoardHeader('unsigned char image[8] = {1 ,2 ,3 ,0 ,};', 'd.h')).toThrow(/d\.h: "image" is declared with 8 values but its initializer holds 4/);
    expect(() => parseBoardHeader('unsigned char image[4] = {1 ,, 3 ,0 ,};', 'e.h')).toThrow(/e\.h: value #1/);
  });
});

describe('checkBoardHeader', () => {
  const shape: [number, number, number, number] = [1, 3, 5, 3];
  const input = new Uint8Array(45).map((_, i) => (i * 37) % 256);
  const header = (): Uint8Array => parseBoardHeader(renderBoardHeader(input, shape), 'x.h').values;

  it('finds a changed pixel and reports its (h, w, c) and the count', () => {
    const v = header();
    v[(2 * 5 + 3) * 4 + 1] = (v[(2 * 5 + 3) * 4 + 1]! + 1) % 256; // h=2, w=3, c=1
    v[(2 * 5 + 4) * 4 + 2] ^= 0xff; // h=2, w=4, c=2
    const r = checkBoardHeader(v, input, shape);
    expect(r.equal).toBe(false);
    expect(r.diffCount).toBe(2);
    expect(r.firstDiff).toEqual({ h: 2, w: 3, c: 1, header: v[(2 * 5 + 3) * 4 + 1], input: input[(2 * 5 + 3) * 3 + 1] });
    expect(r.channel3NonZero).toBe(0);
  });

  it('flags a non-zero 4th channel even when the image channels agree', () => {
    const v = header();
    v[(1 * 5 + 0) * 4 + 3] = 7;
    const r = checkBoardHeader(v, input, shape);
    expect(r).toMatchObject({ equal: false, diffCount: 0, channel3NonZero: 1, firstChannel3: { h: 1, w: 0, value: 7 } });
  });

  it('refuses a header of another size', () => {
    expect(() => checkBoardHeader(new Uint8Array(16), input, shape)).toThrow(/header holds 16 values but the input \[1,3,5,3\] needs 60/);
  });
});

describe('magik-parity header (CLI, needs `npm run build` first like the other CLI tests)', () => {
  const main = path.join(repoRoot, 'dist/src/cli/main.js');
  const run = (...args: string[]): { code: number | null; out: string; err: string } => {
    const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', cwd: tmp });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('writes, checks equal (0), detects a change (1), bad input (2)', async () => {
    const p = await prepareImage({ image: path.resolve(repoRoot, '../shared/data/images/dog.jpg'), width: 64, height: 48 });
    const bin = await writePreparedInput(p, tmp);
    const w = run('header', '--input', bin, '--out', 'img_input.h');
    expect(w.code).toBe(0);
    const text = await fsp.readFile(path.join(tmp, 'img_input.h'), 'utf8');
    expect(text.startsWith(`unsigned char image[${64 * 48 * 4}] = {${p.data[0]} ,${p.data[1]} ,${p.data[2]} ,0 ,`)).toBe(true);
    expect(text.endsWith(' ,};\n')).toBe(true);

    expect(run('header', '--check', 'img_input.h', bin).code).toBe(0);

    const vals = parseBoardHeader(text, 'img_input.h').values;
    vals[(10 * 64 + 20) * 4 + 2] = (vals[(10 * 64 + 20) * 4 + 2]! + 5) % 256;
    await fsp.writeFile(path.join(tmp, 'changed.h'), `unsigned char image[${vals.length}] = {${Array.from(vals).join(' ,')} ,};\n`);
    const c = run('header', '--check', 'changed.h', '--input', bin);
    expect(c.code).toBe(1);
    expect(c.out).toContain('1 of 9216 values');
    expect(c.out).toContain('(h=10, w=20, c=2)');

    await fsp.writeFile(path.join(tmp, 'broken.h'), 'unsigned char image[12] = {1 ,2 ,');
    const b = run('header', '--check', 'broken.h', bin);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/broken\.h: .*no closing/);
    expect(run('header', '--check', 'img_input.h', path.join(tmp, 'nameless.bin')).code).toBe(2);

    // A 4-channel board input (same name pattern, 4 bytes per pixel) checks equal on channels 0-2.
    const four = new Uint8Array(64 * 48 * 4);
    for (let i = 0; i < 64 * 48; i++) four.set([p.data[i * 3]!, p.data[i * 3 + 1]!, p.data[i * 3 + 2]!, 0], i * 4);
    const boardDir = path.join(tmp, 'board');
    await fsp.mkdir(boardDir);
    await fsp.writeFile(path.join(boardDir, path.basename(bin)), four);
    expect(run('header', '--check', 'img_input.h', path.join(boardDir, path.basename(bin))).code).toBe(0);
  });
});
