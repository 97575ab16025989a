/**
 * Test helpers for running the built CLI as a child process: spawn, wait for exit, sample the
 * child's peak RSS (VmHWM in /proc/<pid>/status, Linux), list files recursively.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const up = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The worktree root (also when this file runs compiled from dist/golden/). */
export const repoRoot = path.basename(up) === 'dist' ? path.dirname(up) : up;
export const CLI = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Largest VmHWM seen while the child ran, kB (0 where /proc is not available). */
  peakRssKb: number;
}

/** Starts `node [nodeArgs] CLI args` with NO_COLOR=1. */
export function startCli(args: string[], o: { cwd?: string; nodeArgs?: string[] } = {}): { child: ChildProcess; done: Promise<ChildResult> } {
  const child = spawn('node', [...(o.nodeArgs ?? []), CLI, ...args], { cwd: o.cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  let stdout = '';
  let stderr = '';
  let peak = 0;
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]));
    } catch {
      /* exited */
    }
  };
  const timer = setInterval(sample, 20);
  const done = new Promise<ChildResult>((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      // let the pipes drain
      setTimeout(() => resolve({ code, signal, stdout, stderr, peakRssKb: peak }), 50);
    });
  });
  return { child, done };
}

/** Every file under `dir` (relative path -> md5); `.tmp-` names included so callers can look for them. */
export function md5Tree(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = path.join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(path.relative(dir, p), createHash('md5').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

/** Waits until `pred()` is true (polling every `ms`), or `limitMs` passed; returns whether it became true. */
export async function waitFor(pred: () => boolean, limitMs = 60_000, ms = 2): Promise<boolean> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > limitMs) return false;
    await new Promise((r) => setTimeout(r, ms));
  }
  return true;
}
