import { describe, it, expect } from 'vitest';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { applyOverrides, builtinProfile, CLASSIFICATION, DETECTION, loadThresholdsFile, resolveProfile } from './thresholds.js';
import { clusterOf, rangesText } from './integer.js';
import { tmpDir, goldenTmp } from '../../golden/temp-golden.js';
import { packageRoot } from '../version.js';
import { UserError } from '../errors.js';

const CLI = path.join(packageRoot(), 'dist', 'src', 'cli', 'main.js');

describe('threshold profiles', () => {
  it('built-ins carry the guide numbers; detection only relaxes the heads and widens the tail', () => {
    expect(CLASSIFICATION).toMatchObject({ cosineOk: 0.99, cosineMiddle: 0.98, lastBad: 0.95, headCosineOk: 0.99 });
    const diff = Object.keys(DETECTION).filter((k) => DETECTION[k as keyof typeof DETECTION] !== CLASSIFICATION[k as keyof typeof CLASSIFICATION]);
    expect(diff.sort()).toEqual(['headCosineOk', 'name', 'tailFraction']);
    expect(() => builtinProfile('segmentation')).toThrow(/"segmentation": unknown profile/);
  });

  it('partial overrides with extends; every bad key or value names the key, the value and what is allowed', () => {
    const p = applyOverrides(CLASSIFICATION, { extends: 'detection', cosineOk: 0.985, firstMaxAbs: 3 }, 'p.json');
    expect(p).toMatchObject({ name: 'detection+p.json', cosineOk: 0.985, headCosineOk: 0.98, firstMaxAbs: 3, lastBad: 0.95 });
    const bad: [unknown, RegExp][] = [
      [[1], /must be a JSON object/],
      [{ cosineOK: 0.9 }, /unknown key "cosineOK".*/],
      [{ cosineOk: '0.99' }, /"cosineOk" is "0.99"/],
      [{ cosineOk: -1 }, /"cosineOk" is -1/],
      [{ maxCulprits: 2.5 }, /"maxCulprits" is 2.5/],
      [{ gainCulprit: 0.5 }, /"gainCulprit" is 0.5/],
      [{ cliffDrop: null }, /"cliffDrop" is null/],
      [{ extends: 'x' }, /"extends" "x": unknown profile/],
      [{ cosineMiddle: 0.995 }, /"cosineMiddle" 0.995 is above "cosineOk" 0.99/],
    ];
    for (const [o, re] of bad) {
      let err: unknown;
      try {
        applyOverrides(CLASSIFICATION, o, 'p.json');
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(o)).toBeInstanceOf(UserError);
      expect((err as UserError).message).toMatch(re);
      expect((err as UserError).message).toContain('p.json');
    }
    expect(() => applyOverrides(CLASSIFICATION, { maxCulprits: 0 }, 'p.json')).toThrow(expect.objectContaining({ hint: 'allowed: an integer in [1, 1000]' }));
    expect(applyOverrides(CLASSIFICATION, { firstMaxAbs: null }, 'p.json').firstMaxAbs).toBeNull();
  });

  it('files: not found / not JSON -> UserError naming the file; --cosine-threshold lowers the dependent thresholds', () => {
    const dir = tmpDir('magik-th-');
    expect(() => loadThresholdsFile(path.join(dir, 'none.json'))).toThrow(/none\.json: not found/);
    writeFileSync(path.join(dir, 'bad.json'), '{cosineOk: 1');
    expect(() => loadThresholdsFile(path.join(dir, 'bad.json'))).toThrow(/bad\.json: not valid JSON/);
    const p = resolveProfile({ profile: 'detection', cosineOk: 0.9 });
    expect(p).toMatchObject({ cosineOk: 0.9, cosineMiddle: 0.9, headCosineOk: 0.9, lastBad: 0.9 });
  });
});

describe('mismatch clusters', () => {
  it('smallest set of positions holding >= clusterShare of the mismatches, in ranges', () => {
    expect(rangesText([0, 1, 2, 5, 7, 8])).toBe('0-2, 5, 7-8');
    const counts = new Array(64).fill(0);
    counts[12] = 30; counts[13] = 25; counts[14] = 20; counts[15] = 12; counts[40] = 13;
    const c = clusterOf(counts, 'channel', CLASSIFICATION)!;
    expect(c).toMatchObject({ positions: [12, 13, 14, 40], ranges: '12-14, 40', share: 0.88, of: 64, touched: 5, clustered: true });
    const spread = clusterOf(new Array(8).fill(3), 'row', CLASSIFICATION)!;
    expect(spread.clustered).toBe(false);
    expect(clusterOf([0, 0], 'row', CLASSIFICATION)).toBeNull();
  });
});

describe('compare --profile / --thresholds', () => {
  it('the profile used is in report.json and printed; a bad thresholds file exits 2', async () => {
    const g = await goldenTmp();
    const gi = g.index;
    const dir = tmpDir('magik-cmp-th-');
    const th = path.join(dir, 'th.json');
    writeFileSync(th, JSON.stringify({ clusterShare: 0.5 }));
    const args = ['compare', '--pc', path.join(g.dir, gi.pc.dir), '--pc-log', path.join(g.dir, gi.pc.log), '--board', path.join(g.dir, gi.board.dir)];
    const r = spawnSync(process.execPath, [CLI, ...args, '--profile', 'detection', '--thresholds', th, '--out', path.join(dir, 'o'), '--json'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(1);
    const rep = JSON.parse(r.stdout);
    expect(rep.diagnosis.profile).toMatchObject({ name: 'detection+th.json', clusterShare: 0.5, headCosineOk: 0.98 });
    expect(rep.findings[0]).toMatchObject({ code: 'D', edge: 'pc~board', layer: gi.board.corrupted.pcName });
    writeFileSync(th, JSON.stringify({ tailFraction: 0 }));
    const bad = spawnSync(process.execPath, [CLI, ...args, '--thresholds', th, '--out', path.join(dir, 'o2')], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`${th}: "tailFraction" is 0`);
    expect(bad.stderr).toContain('allowed: a number in (0, 1]');
  });
});
