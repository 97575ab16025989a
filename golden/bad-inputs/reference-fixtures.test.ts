/**
 * The corpus fixtures kept for the `reference` command (not on main yet) are checked against
 * the parsers it will use, so its corpus rows can be added one line each: every broken
 * ptq_config.json is a UserError naming the file, every junk calibration entry is skipped with a
 * reason, and the good config and folder load.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import * as path from 'node:path';
import { tmpDir } from '../temp-golden.js';
import { makeBadInputFixtures } from './make-fixtures.js';
import { loadPtqConfig, listCalibrationImages } from '../../reference/config/index.js';
import { UserError } from '../../src/errors.js';

let fx = '';
beforeAll(async () => {
  fx = path.join(tmpDir('magik-ref-fx-'), 'fx');
  await makeBadInputFixtures(fx);
});

describe('reference fixtures of the bad-input corpus', () => {
  it('the good config loads', async () => {
    const c = await loadPtqConfig(path.join(fx, 'config', 'ok.json'));
    expect(c.width).toBe(8);
  });

  it.each([
    ['not-json', /not-json\.json.*invalid JSON/],
    ['missing-key', /width/],
    ['wrong-type', /width/],
    ['unknown-key', /widht/],
    ['bad-format', /RGBA/],
    ['bad-bits', /feature_quantize_bits|3/],
    ['mean-count', /mean/],
    ['var-zero', /var/],
    ['array', /array\.json/],
    ['empty', /empty\.json/],
  ])('%s.json is a UserError naming the file and the value', async (name, re) => {
    const file = path.join(fx, 'config', `${name}.json`);
    const e = await loadPtqConfig(file).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).message).toContain(`${name}.json`);
    expect((e as UserError).message).toMatch(re);
    expect((e as UserError).hint).toBeTruthy();
  });

  it('calibration: junk entries are skipped with a reason, a missing folder is a UserError', async () => {
    const ok = await listCalibrationImages(path.join(fx, 'calib-ok'), 2);
    expect(ok.images.map((f) => path.basename(f))).toEqual(['a.jpg', 'b.jpg']);
    const junk = await listCalibrationImages(path.join(fx, 'calib-junk'), 1);
    expect(junk.images.map((f) => path.basename(f))).toEqual(['a.jpg']);
    expect(junk.skipped.map((s) => path.basename(s.file)).sort()).toEqual(['dangling.jpg', 'empty.png', 'fake.jpg', 'folder.jpg', 'notes.txt']);
    for (const s of junk.skipped) expect(s.reason.length).toBeGreaterThan(5);
    await expect(listCalibrationImages(path.join(fx, 'calib-missing'), 1)).rejects.toBeInstanceOf(UserError);
  });
});
