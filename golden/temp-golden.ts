/**
 * Test helpers: golden data generated into a fresh temp folder (once per test process), and a
 * snapshot of a folder tree to prove that readers never modify their input.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeGolden } from './fixtures.js';
import type { GoldenIndex } from './golden-types.js';

let cached: Promise<{ dir: string; index: GoldenIndex }> | null = null;

/** Golden data in a temp folder (generated on first call). */
export function goldenTmp(): Promise<{ dir: string; index: GoldenIndex }> {
  cached ??= (async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'magik-golden-'));
    return { dir, index: await makeGolden(dir) };
  })();
  return cached;
}

/** A fresh empty temp folder. */
export function tmpDir(prefix = 'magik-dumps-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface TreeItem {
  path: string;
  size: number;
  mtimeMs: number;
  mode: number;
  md5: string | null;
}

/** Every file and folder under `dir` with size, mtime, mode and md5 (sorted by path). */
export async function snapshotTree(dir: string): Promise<TreeItem[]> {
  const out: TreeItem[] = [];
  const walk = async (d: string) => {
    const st = await fsp.stat(d);
    out.push({ path: path.relative(dir, d), size: 0, mtimeMs: st.mtimeMs, mode: st.mode, md5: null });
    for (const n of (await fsp.readdir(d)).sort()) {
      const p = path.join(d, n);
      const s = await fsp.stat(p);
      if (s.isDirectory()) await walk(p);
      else out.push({ path: path.relative(dir, p), size: s.size, mtimeMs: s.mtimeMs, mode: s.mode, md5: createHash('md5').update(await fsp.readFile(p)).digest('hex') });
    }
  };
  await walk(dir);
  return out;
}
