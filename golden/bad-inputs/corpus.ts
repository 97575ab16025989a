/**
 * The bad-input corpus: one case per line of `cases.jsonl` (see README.md in this folder), read
 * and checked here; the test (`golden/bad-inputs.test.ts`) runs each through the built CLI.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One corpus case. */
export interface BadInputCase {
  /** Stable id (kebab-case), unique. */
  id: string;
  /** Command line after `magik-parity`; placeholders `{fx}` fixtures, `{out}` a fresh output path of this case, `{full}` a full file system. */
  cmd: string[];
  /** What is wrong with the input, in words. */
  given: string;
  /** Expected exit code (2 = bad input; 1 when the right answer is a report with a cannot-compare / diverged layer; 0 when a warning is the right answer). */
  exit: 0 | 1 | 2;
  /** Regular expression (case-insensitive) the error line (exit 2) or stderr/stdout must match. */
  expect: string;
  /** Exit 1/0 cases: a layer of `{out}/report.json` that must have this status and a reason matching `reason`. */
  layer?: { name: string; status: 'cannot-compare' | 'diverged' | 'ok'; reason?: string };
  /** Exit 1/0 cases: a JSON path in `{out}/report.json` (dots, numeric indices) whose JSON text must match `match`. */
  report?: { path: string; match: string };
  /** Also run with --verbose and expect the stack trace. */
  verbose?: boolean;
  /** Exit 2 cases that deliberately keep what they wrote for the user (e.g. `pc` keeps the program's log in --out). */
  keepsOutput?: boolean;
  /** Needs a facility the machine may lack (the case is skipped with a note when it does). */
  needs?: 'tmpfs';
  /** The command this row belongs to (for coverage), e.g. 'compare'. Defaults to cmd[0]. */
  command?: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Path of cases.jsonl in the source tree (works from src and from dist). */
export function casesFile(): string {
  const parts = HERE.split(path.sep);
  const i = parts.lastIndexOf('dist');
  const root = i >= 0 ? parts.slice(0, i).join(path.sep) : path.resolve(HERE, '..', '..');
  return path.join(root, 'golden', 'bad-inputs', 'cases.jsonl');
}

/** Reads and validates the corpus (blank lines and lines starting with `//` are skipped). */
export function readCorpus(file = casesFile()): BadInputCase[] {
  const out: BadInputCase[] = [];
  const ids = new Set<string>();
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      const t = line.trim();
      if (!t || t.startsWith('//')) return;
      let c: BadInputCase;
      try {
        c = JSON.parse(t) as BadInputCase;
      } catch (e) {
        throw new Error(`${file}:${i + 1}: not JSON: ${(e as Error).message}`);
      }
      if (typeof c.id !== 'string' || !Array.isArray(c.cmd) || typeof c.expect !== 'string' || ![0, 1, 2].includes(c.exit) || typeof c.given !== 'string') {
        throw new Error(`${file}:${i + 1}: a case needs id, cmd[], given, exit (0|1|2) and expect`);
      }
      if (ids.has(c.id)) throw new Error(`${file}:${i + 1}: duplicate id ${c.id}`);
      ids.add(c.id);
      out.push(c);
    });
  return out;
}

/** Replaces the placeholders of a command line. */
export function expandArgs(cmd: readonly string[], vars: Record<string, string>): string[] {
  return cmd.map((a) => a.replace(/\{(fx|out|full)\}/g, (_, k: string) => vars[k] ?? `{${k}}`));
}
