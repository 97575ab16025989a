/**
 * Vitest global set-up: every test process of one run gets a private temp root (TMPDIR, which
 * os.tmpdir() and the CLI subprocesses read), removed with everything in it when the run ends.
 * The test helpers (temp-golden.ts tmpDir / goldenTmp) and several tests make temp folders they
 * never delete; before this, /tmp here had collected ~60 GB of them over a few days of runs
 * (3,160 `magik-dumps-*` folders alone), until a test failed with ENOSPC.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'magik-test-run-'));
  const before = process.env.TMPDIR;
  // set before the test processes are forked (pool 'forks'): they inherit it
  process.env.TMPDIR = root;
  return () => {
    if (before === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = before;
    rmSync(root, { recursive: true, force: true });
  };
}
