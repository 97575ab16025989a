/**
 * `magik-parity debug` through the built CLI (`npm run build` first, as CI does): exit codes
 * (0 parity, 1 diverged, 2 bad input), the printed table read back by the vendor-table reader,
 * --json, --params reuse, the open:false note. YuNet, one calibration photo.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
import { parseVendorTable } from '../../diagnose/vendor-table.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CLI = path.join(repoRoot, 'dist/src/cli/main.js');
const data = (p: string) => path.resolve(repoRoot, '../shared/data', p);
const MODEL = data('models/yunet_n_320_320.onnx');
const IMAGE = data('images/faces_1.jpg');
let tmp: string;
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

async function writeConfig(name: string, debug: Record<string, unknown> | null): Promise<string> {
  const cfg: Record<string, unknown> = { format: 'BGR', width: 320, height: 320, path: data('images/calib'), used_image_num: 1, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS' };
  if (debug) cfg.debug = debug;
  const f = path.join(tmp, name);
  await fsp.writeFile(f, JSON.stringify(cfg));
  return f;
}

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-debug-cli-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('magik-parity debug (CLI)', () => {
  let tableRows: { name: string; cosineAvg: number }[] = [];

  it('diverged YuNet: exit 1, the table first (read back by the vendor-table reader), then the triage', async () => {
    const cfg = await writeConfig('ptq_config.json', { open: false, debug_input_path: IMAGE, debug_output_dir: './dump_data' });
    const r = cli('debug', '--model', MODEL, '--config', cfg);
    expect(r.stderr).toContain('note: ');
    expect(r.stderr).toContain('"debug.open" is false');
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n')[0]).toMatch(/^<<<.*ptq model compute distance.*>>>$/);
    const t = parseVendorTable(r.stdout, 'stdout');
    expect(t.rows.length).toBeGreaterThan(100);
    expect(t.rows[0]!.name).toBe('Conv_0');
    expect(t.rows[0]!.cosineAvg).toBeGreaterThan(0.999);
    tableRows = t.rows;
    expect(r.stdout).toContain('[B] float~ptq');
    expect(r.stdout).toContain('verdict: diverged');
    expect(r.stdout).toContain(path.join(tmp, 'dump_data', 'report.html'));
    expect(await fsp.readFile(path.join(tmp, 'dump_data', 'distance.txt'), 'utf8')).toBe(r.stdout.slice(0, r.stdout.indexOf('\ntriage')));
  });

  it('--json with --params of the first run: the same numbers at full precision', async () => {
    const cfg = path.join(tmp, 'ptq_config.json');
    const r = cli('debug', '--model', MODEL, '--config', cfg, '--out', 'again', '--params', path.join(tmp, 'dump_data', 'params.json'), '--json');
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.out).toBe(path.join(tmp, 'again'));
    expect(j.verdicts).toEqual(['diverged']);
    expect(j.columns).toEqual(['feature name', 'cosine_avg', 'cosine_min', 'cosine_max', 'euc_distan', 'stand_devi', 'max_absolu', 'max_abs_0~1']);
    expect(j.rows.map((x: { name: string }) => x.name)).toEqual(tableRows.map((x) => x.name));
    j.rows.forEach((x: { cosine_avg: number }, i: number) => expect(Number(x.cosine_avg.toFixed(5))).toBe(tableRows[i]!.cosineAvg));
  });

  it('within lax thresholds: exit 0', async () => {
    const lax = path.join(tmp, 'lax.json');
    await fsp.writeFile(lax, JSON.stringify({ cosineOk: 0.3, cosineMiddle: 0.3, headCosineOk: 0.3, lastBad: 0.3, firstMaxAbsRel: 1000, cliffDrop: 0.9 }));
    const r = cli('debug', '--model', MODEL, '--config', path.join(tmp, 'ptq_config.json'), '--out', 'lax', '--params', path.join(tmp, 'dump_data', 'params.json'), '--thresholds', lax);
    expect(r.stdout).toContain('verdict: parity');
    expect(r.status).toBe(0);
  });

  it('bad input: exit 2 with a one-line error and a hint', async () => {
    const none = await writeConfig('nodebug.json', null);
    const cases: [string[], RegExp][] = [
      [['--config', none, '--out', 'x'], /no "debug" section with "debug_input_path".*and no --input/],
      [['--config', none, '--input', 'missing.jpg', '--out', 'x'], /--input .*missing\.jpg: not found/],
      [['--config', path.join(tmp, 'ptq_config.json')], /dump_data: output folder is not empty/],
      [['--config', path.join(tmp, 'ptq_config.json'), '--threads', '0'], /--threads 0/],
    ];
    for (const [args, re] of cases) {
      const r = cli('debug', '--model', MODEL, ...args);
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).toMatch(/\n {2}hint: /);
    }
  });
});
