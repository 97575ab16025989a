/** CLI-level checks of `prepare` and `pc` (run the built CLI: `npm run build` first, as CI does). */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { prepareImage } from '../../prepare/prepare-image.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(repoRoot, 'dist/src/cli/main.js');
const FAKE = path.join(repoRoot, 'golden/fake-vendor-pc.mjs');
const photo = path.resolve(repoRoot, '../shared/data/images/fall_1054_sys.jpg');
let tmp: string;
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-cli-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('magik-parity prepare', () => {
  it("prints the vendor sample's geometry and writes magik_input_nhwc_1_384_640_3.bin in the cwd", async () => {
    const r = cli('prepare', '--image', photo, '--width', '640', '--height', '384');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ori_image w,h: 388 ,574');
    expect(r.stdout).toContain('scale---> 0.668990');
    expect(r.stdout).toContain('resize valid_dst, w:260 h 384');
    expect(r.stdout).toContain('padding info top :0 bottom 0 left:190 right:190');
    const bytes = await fsp.readFile(path.join(tmp, 'magik_input_nhwc_1_384_640_3.bin'));
    const ref = await prepareImage({ image: photo, width: 640, height: 384 });
    expect(Buffer.compare(bytes, Buffer.from(ref.data))).toBe(0);
  });

  it('bad input gives exit 2 and a one-line error with a hint', () => {
    for (const [args, re] of [
      [['--format', 'YUV'], /--format "YUV": unknown channel order/],
      [['--letterbox', '--stretch'], /--letterbox and --stretch both given/],
      [['--geometry', 'fancy'], /--geometry "fancy"/],
      [['--out', path.join(tmp, 'missing-dir', 'x.bin')], /missing-dir: output folder does not exist/],
    ] as const) {
      const r = cli('prepare', '--image', photo, '--width', '64', '--height', '64', ...args);
      expect(r.status).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines[0]).toMatch(re);
      expect(lines[1]).toMatch(/^ {2}hint: /);
    }
    const r = cli('prepare', '--image', path.join(repoRoot, 'package.json'), '--width', '64', '--height', '64');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/package\.json: cannot decode as an image/);
  });
});

describe('magik-parity pc', () => {
  it('crash with dumps: exit 0, a warning naming the status; failure without dumps: exit 2', async () => {
    const input = path.join(tmp, 'magik_input_nhwc_1_4_6_3.bin');
    await fsp.writeFile(input, new Uint8Array(4 * 6 * 3).fill(9));
    const exec = `"${process.execPath}" "${FAKE}" model.mgk {input} {width} {height}`;
    const ok = cli('pc', '--exec', `${exec} crash`, '--input', input, '--out', 'pc-crash');
    expect(ok.status).toBe(0);
    expect(ok.stderr).toMatch(/warning: the PC program (exited with status 134|was killed by SIGABRT).*440_Quantize\.bin/);
    expect(ok.stdout).toMatch(/pc: 6 dump files \(6 shape lines in the log\)/);
    expect((await fsp.readdir(path.join(tmp, 'pc-crash'))).sort()).toEqual(['MAGIK_DATA_DUMP', 'pc-run.json', 'pc.log']);
    const bad = cli('pc', '--exec', `${exec} fail`, '--input', input, '--out', 'pc-fail');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/exited with status 3 and wrote no/);
  });
});
