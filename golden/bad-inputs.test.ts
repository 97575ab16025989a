/**
 * The bad-input corpus (golden/bad-inputs/cases.jsonl) through the built CLI
 * (`node dist/src/cli/main.js`, NO_COLOR=1): exit code, one error line naming the file/value plus
 * a hint, no stack trace without --verbose (and one with it), input files byte-identical, no
 * `.tmp-` file anywhere and no output under a final name after a failure.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBadInputFixtures } from './bad-inputs/make-fixtures.js';
import { readCorpus, expandArgs, type BadInputCase } from './bad-inputs/corpus.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(repoRoot, 'dist', 'src', 'cli', 'main.js');
const cases = readCorpus(path.join(repoRoot, 'golden', 'bad-inputs', 'cases.jsonl'));

/** md5 of every file (lstat: links are recorded by target text) under `dir`, names as raw bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: Buffer) => {
    for (const n of readdirSync(d, { encoding: 'buffer' })) {
      const p = Buffer.concat([d, Buffer.from('/'), n]);
      const st = lstatSync(p);
      const key = p.toString('latin1');
      if (st.isDirectory()) {
        out.set(key, `dir ${st.mode}`);
        walk(p);
      } else if (st.isSymbolicLink()) out.set(key, 'link');
      else out.set(key, `${st.mode} ${createHash('md5').update(readFileSync(p)).digest('hex')}`);
    }
  };
  walk(Buffer.from(dir));
  return out;
}

/** Every name under `dir` containing `.tmp-`. */
function tempFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  const walk = (d: Buffer) => {
    for (const n of readdirSync(d, { encoding: 'buffer' })) {
      const p = Buffer.concat([d, Buffer.from('/'), n]);
      if (n.includes('.tmp-')) found.push(p.toString('latin1'));
      // a case running at the same time may remove its entry between readdir and lstat
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (st?.isDirectory()) walk(p);
    }
  };
  walk(Buffer.from(dir));
  return found;
}

function get(v: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((o, k) => (o === null || o === undefined ? undefined : (o as Record<string, unknown>)[k]), v);
}

let base = '';
let fx = '';
let full = '';
let before: Map<string, string>;

function tryTmpfs(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32k', 'tmpfs', dir], { stdio: 'ignore' });
    // fill it: any further write fails with ENOSPC
    try {
      writeFileSync(path.join(dir, 'filler'), Buffer.alloc(64 * 1024));
    } catch {
      /* partly written: the device is full */
    }
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  const res = spawnSync('node', [CLI, '--version'], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`the CLI is not built (${CLI}); run npm run build first`);
  base = mkdtempSync(path.join(os.tmpdir(), 'magik-bad-inputs-'));
  fx = path.join(base, 'fx');
  await makeBadInputFixtures(fx);
  full = path.join(base, 'full');
  if (!tryTmpfs(full)) full = '';
  before = snapshot(fx);
});

afterAll(() => {
  if (full) {
    const left = tempFiles(full);
    spawnSync('umount', [full]);
    expect(left, 'temporary files left on the full file system').toEqual([]);
  }
  if (base) rmSync(base, { recursive: true, force: true });
});

/** Runs the CLI (async, so cases run two at a time; each has its own output and working folder). */
function spawnCli(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolve) => {
    const child = spawn('node', [CLI, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', (error) => resolve({ status: null, stdout, stderr, error }));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function run(c: BadInputCase, verbose: boolean) {
  const out = path.join(base, 'out', `${c.id}${verbose ? '-v' : ''}`);
  const cwd = path.join(base, 'cwd', `${c.id}${verbose ? '-v' : ''}`);
  mkdirSync(cwd, { recursive: true });
  mkdirSync(path.dirname(out), { recursive: true });
  const args = expandArgs(c.cmd, { fx, out, full });
  const r = await spawnCli([...args, ...(verbose ? ['--verbose'] : [])], cwd);
  return { ...r, out, cwd, args };
}

describe.concurrent('bad-input corpus', () => {
  it('has at least 50 distinct cases covering every command on main', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
    const commands = new Set(cases.map((c) => c.command ?? c.cmd[0]));
    for (const cmd of ['prepare', 'header', 'float', 'pc', 'compare', 'triage', 'match', 'inspect', 'diff', 'bundle', 'reference', 'debug', 'demo']) expect(commands, cmd).toContain(cmd);
  });

  for (const c of cases) {
    it(`${c.id}: ${c.given}`, async (ctx) => {
      if (c.needs === 'tmpfs' && !full) {
        ctx.skip(); // mount needs root / CAP_SYS_ADMIN; see README.md
        return;
      }
      const r = await run(c, false);
      const where = `${c.id}: ${r.args.join(' ')}\nstderr: ${r.stderr}\nstdout: ${r.stdout.slice(0, 500)}`;
      expect(r.error, where).toBeUndefined();
      expect(r.status, where).toBe(c.exit);
      expect(r.stderr, where).not.toMatch(/internal error/);
      expect(r.stderr.split('\n').filter((l) => /^\s{4}at /.test(l)), where).toEqual([]);
      const re = new RegExp(c.expect, 'i');
      if (c.exit === 2) {
        const errs = r.stderr.split('\n').filter((l) => l.startsWith('magik-parity: error: '));
        expect(errs.length, where).toBe(1);
        expect(errs[0], where).toMatch(re);
        expect(r.stderr, where).toMatch(/\n {2}hint: \S/);
        // no output under a final name after a failure
        if (!c.keepsOutput) expect(existsSync(r.out) && readdirSync(r.out).length > 0, `${where}\n${r.out} was left behind`).toBe(false);
        expect(readdirSync(r.cwd), where).toEqual([]);
      } else {
        expect(`${r.stderr}\n${r.stdout}`, where).toMatch(re);
      }
      if (c.layer || c.report) {
        const rep = JSON.parse(readFileSync(path.join(r.out, 'report.json'), 'utf8'));
        if (c.layer) {
          const layers = (rep.edges as { layers: { name: string; status: string; reason?: string }[] }[]).flatMap((e) => e.layers);
          const l = layers.find((x) => x.name === c.layer!.name);
          expect(l, `${where}\nlayer ${c.layer.name} in ${layers.map((x) => x.name).join(', ')}`).toBeDefined();
          expect(l!.status, where).toBe(c.layer.status);
          if (c.layer.reason) expect(l!.reason ?? '', where).toMatch(new RegExp(c.layer.reason, 'i'));
        }
        if (c.report) expect(JSON.stringify(get(rep, c.report.path)) ?? 'undefined', where).toMatch(new RegExp(c.report.match, 'i'));
      }
      // this case's own folders and the shared fixtures (other cases run at the same time)
      // (the full tmpfs, shared by several cases, is checked once in afterAll)
      const mine = tempFiles(path.dirname(r.out)).filter((f) => f.includes(c.id));
      expect([...tempFiles(fx), ...tempFiles(r.cwd), ...mine], where).toEqual([]);
      expect(snapshot(fx), `${where}\nan input file changed`).toEqual(before);
      if (c.verbose) {
        const v = await run(c, true);
        expect(v.status, where).toBe(c.exit);
        expect(v.stderr.split('\n').some((l) => /^\s{4}at /.test(l)), `${where}\n--verbose shows no stack:\n${v.stderr}`).toBe(true);
      }
    });
  }
});
