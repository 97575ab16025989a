/**
 * Golden dump folders with known answers, generated deterministically (seeded PRNG):
 * (a) vendor PC `pc/MAGIK_DATA_DUMP/` + `pc/pc.log`, (a') `pc-bad/` with every bad case,
 * (b) `board/` + `board.log`, (c) `debug/`, (d) `npy/`, (e) `manifest/`; `index.json`
 * describes each case and the answers a reader must give (see golden-types.ts).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../src/io/atomic.js';
import { makeBoard, makePc, makePcBad } from './fixtures-vendor.js';
import { makeDebug, makeManifest, makeNpy } from './fixtures-other.js';
import type { GoldenIndex } from './golden-types.js';
import { Prng } from './prng.js';

export type { GoldenIndex } from './golden-types.js';
export * from './golden-types.js';

/** Seed of the golden data (changing it changes every md5 in index.json). */
export const GOLDEN_SEED = 20240611;

/** What makeGolden writes at the top of `outDir` (removed first, so reruns are identical). */
const OWNED = ['pc', 'pc-bad', 'board', 'board.log', 'debug', 'debug-shapes.json', 'npy', 'manifest', 'index.json'];

/** Writes every golden case into `outDir` and returns (and writes) the index. */
export async function makeGolden(outDir: string): Promise<GoldenIndex> {
  const out = path.resolve(outDir);
  await fsp.mkdir(out, { recursive: true });
  for (const n of OWNED) await fsp.rm(path.join(out, n), { recursive: true, force: true });
  // one generator per case, so adding a case never changes the others' data
  const pcData = await makePc(out, new Prng(GOLDEN_SEED));
  const pcBad = await makePcBad(out, new Prng(GOLDEN_SEED + 1));
  const board = await makeBoard(out, new Prng(GOLDEN_SEED + 2), pcData);
  const debug = await makeDebug(out, new Prng(GOLDEN_SEED + 3));
  const npy = await makeNpy(out, new Prng(GOLDEN_SEED + 4));
  const manifest = await makeManifest(out, new Prng(GOLDEN_SEED + 5));
  const index: GoldenIndex = { format: 'magik-parity-golden', version: 1, seed: GOLDEN_SEED, pc: pcData.pc, pcBad, board, debug, npy, manifest };
  await writeFileAtomic(path.join(out, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return index;
}
