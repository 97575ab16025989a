/**
 * Runs the vendor's PC inference program (e.g. `pc_inference_bin model.mgk image 640 384`) with
 * dumping on, and collects its per-layer dumps (FORMATS.md §1):
 * - the program runs via `/bin/sh -c` in a fresh working folder (`<out>/.pc-work-*`, on the same
 *   file system as `--out`, removed afterwards) with `MAGIK_CPP_DUMPDATA=true`;
 * - its stdout and stderr, interleaved as they arrive and kept byte for byte (ANSI colours
 *   included, the dump reader needs the shape lines), become `<out>/pc.log`;
 * - `./MAGIK_DATA_DUMP/` is moved to `<out>/MAGIK_DATA_DUMP/` with one rename, so no
 *   half-copied folder ever sits under the final name; `<out>/pc-run.json` records the command,
 *   exit status and what was collected.
 * A non-zero exit or a crash is not fatal when dumps exist (the vendor library aborts on 16-bit
 * nodes, leaving a 0-byte file): it becomes a warning naming the status. No dumps at all is a
 * UserError (EXEC_FAILED), after the log has been saved.
 */
import { spawn } from 'node:child_process';
import { promises as fsp, rmSync } from 'node:fs';
import * as path from 'node:path';
import { UserError, fsError } from '../errors.js';
import { AtomicFile, prepareOutDir, writeFileAtomic } from '../io/atomic.js';
import { readInputU8 } from '../input/input-file.js';
import { stripAnsi } from '../names.js';

/** The folder the vendor library writes into, relative to its working folder. */
export const PC_DUMP_DIR = 'MAGIK_DATA_DUMP';
/** File names written into `--out`. */
export const PC_LOG_NAME = 'pc.log';
export const PC_RUN_NAME = 'pc-run.json';

export interface RunPcOptions {
  /** Command template; `{input}`, `{model}`, `{width}`, `{height}` are substituted (paths shell-quoted, absolute). */
  exec: string;
  /** The network input file handed to the program as `{input}`. */
  input: string;
  /** Model file for `{model}` (required when the template uses it). */
  model?: string;
  /** Pixels, for `{width}` / `{height}`; default from the input's shape. */
  width?: number;
  height?: number;
  /** NHWC shape of the input when its name does not carry it. */
  inputShape?: number[];
  /** Output folder: receives MAGIK_DATA_DUMP/, pc.log and pc-run.json. Created; must be empty unless `force`. */
  outDir: string;
  force?: boolean;
  /** Extra environment for the program (MAGIK_CPP_DUMPDATA is always "true"). */
  env?: Record<string, string | undefined>;
  /** Called with each chunk of the program's output as it arrives (to echo it). */
  onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
}

export interface RunPcResult {
  outDir: string;
  /** `<out>/MAGIK_DATA_DUMP`. */
  dumpDir: string;
  /** `<out>/pc.log`. */
  logFile: string;
  /** The command run (after substitution). */
  command: string;
  /** Exit status, or null when killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Files collected in MAGIK_DATA_DUMP/. */
  dumpFiles: number;
  /** Of those, the 0-byte ones (sorted). */
  emptyFiles: string[];
  /** `Data dumping to:` lines in the log. */
  dumpLines: number;
  warnings: string[];
  durationMs: number;
}

const PLACEHOLDER = /\{(input|model|width|height)\}/g;

/** POSIX shell single-quoting. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:=+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Human wording of how a process ended. */
export function describeExit(exitCode: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `was killed by ${signal}`;
  if (exitCode !== null && exitCode > 128 && exitCode < 160) return `exited with status ${exitCode} (signal ${exitCode - 128}, as reported by the shell)`;
  return `exited with status ${exitCode}`;
}

async function mustExist(file: string, what: string): Promise<string> {
  const abs = path.resolve(file);
  try {
    await fsp.stat(abs);
  } catch (e) {
    throw fsError(e, file, `find the ${what}`);
  }
  return abs;
}

/** Substitutes the placeholders; throws when one is used without its value. */
async function buildCommand(o: RunPcOptions): Promise<string> {
  if (!o.exec || o.exec.trim() === '') throw new UserError('USAGE', '--exec is empty', 'give the vendor command, e.g. --exec "./pc_inference_bin {model} {input} {width} {height}"');
  const used = new Set([...o.exec.matchAll(PLACEHOLDER)].map((m) => m[1]!));
  const input = await mustExist(o.input, 'input');
  const values: Record<string, string> = { input: shellQuote(input) };
  if (used.has('model')) {
    if (!o.model) throw new UserError('USAGE', '--exec uses {model} but no --model was given', 'pass --model FILE or write the model path into --exec');
    values.model = shellQuote(await mustExist(o.model, 'model'));
  }
  if (used.has('width') || used.has('height')) {
    let w = o.width;
    let h = o.height;
    if (w === undefined || h === undefined) {
      let shape: number[];
      try {
        shape = (await readInputU8(input, { shape: o.inputShape })).shape;
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        throw new UserError('USAGE', `--exec uses {width}/{height} but the size of ${o.input} is unknown (${e.message})`, 'pass --width and --height (the model input size), or --input-shape for a raw input');
      }
      w ??= shape[2];
      h ??= shape[1];
    }
    for (const [k, v] of [['width', w], ['height', h]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new UserError('USAGE', `{${k}} would be ${v}: not a positive whole number`, `pass --${k}`);
    }
    values.width = String(w);
    values.height = String(h);
  }
  return o.exec.replace(PLACEHOLDER, (_, k: string) => values[k]!);
}

const liveWorkDirs = new Set<string>();
let exitHooked = false;
function trackWorkDir(dir: string): void {
  liveWorkDirs.add(dir);
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const d of liveWorkDirs) rmSync(d, { recursive: true, force: true });
  });
}

/** Runs the program, saving its output to `log`; resolves when it has ended. */
function runShell(command: string, cwd: string, env: NodeJS.ProcessEnv, log: AtomicFile, onOutput?: RunPcOptions['onOutput']): Promise<{ exitCode: number | null; signal: NodeJS.Signals | null; tail: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const tail: string[] = [];
    let writeError: unknown = null;
    const take = (stream: 'stdout' | 'stderr') => (buf: Buffer): void => {
      if (writeError === null) {
        try {
          log.write(buf);
        } catch (e) {
          writeError = e; // reported when the program ends; keep draining its pipes meanwhile
        }
      }
      const text = buf.toString('utf8');
      for (const l of text.split(/\r?\n/)) if (l.trim()) tail.push(stripAnsi(l).trim());
      if (tail.length > 20) tail.splice(0, tail.length - 20);
      onOutput?.(text, stream);
    };
    child.stdout.on('data', take('stdout'));
    child.stderr.on('data', take('stderr'));
    child.on('error', (e) => reject(new UserError('EXEC_FAILED', `cannot start /bin/sh for --exec (${e.message})`, 'check that /bin/sh exists')));
    child.on('close', (exitCode, signal) => (writeError !== null ? reject(writeError) : resolve({ exitCode, signal, tail })));
  });
}

/** Runs the vendor's PC program and collects MAGIK_DATA_DUMP/ and its log into `outDir`. */
export async function runPcProgram(o: RunPcOptions): Promise<RunPcResult> {
  const command = await buildCommand(o);
  const outDir = path.resolve(o.outDir);
  await prepareOutDir(outDir, Boolean(o.force), PC_LOG_NAME);
  let work: string;
  try {
    work = await fsp.mkdtemp(path.join(outDir, '.pc-work-'));
  } catch (e) {
    throw fsError(e, outDir, 'create a working folder');
  }
  trackWorkDir(work);
  const started = Date.now();
  const logFile = path.join(outDir, PC_LOG_NAME);
  const dumpDir = path.join(outDir, PC_DUMP_DIR);
  try {
    const log = new AtomicFile(logFile);
    let ended: Awaited<ReturnType<typeof runShell>>;
    try {
      ended = await runShell(command, work, { ...process.env, ...o.env, MAGIK_CPP_DUMPDATA: 'true' }, log, o.onOutput);
    } catch (e) {
      log.abort();
      throw e;
    }
    log.commit();
    const { exitCode, signal, tail } = ended;
    const durationMs = Date.now() - started;

    const produced = path.join(work, PC_DUMP_DIR);
    let names: string[] = [];
    try {
      names = (await fsp.readdir(produced)).filter((n) => !n.startsWith('.'));
    } catch {
      names = [];
    }
    const how = describeExit(exitCode, signal);
    if (names.length === 0) {
      const last = tail.length ? ` Last output: "${tail[tail.length - 1]!.slice(0, 160)}".` : '';
      throw new UserError(
        'EXEC_FAILED',
        `the PC program ${how} and wrote no ./${PC_DUMP_DIR}/ (output saved to ${logFile}).${last}`,
        `check --exec (ran: ${command.slice(0, 200)}); the program must write ./${PC_DUMP_DIR}/ in the working folder it is started in when MAGIK_CPP_DUMPDATA=true (do not cd elsewhere inside --exec; use absolute paths)`,
      );
    }
    const emptyFiles: string[] = [];
    for (const n of names) {
      const st = await fsp.stat(path.join(produced, n));
      if (st.isFile() && st.size === 0) emptyFiles.push(n);
    }
    emptyFiles.sort();

    // Move the folder in with one rename; an older copy (with --force) is swapped out first.
    let old: string | null = null;
    try {
      await fsp.stat(dumpDir);
      old = path.join(work, `.old-${PC_DUMP_DIR}`);
      await fsp.rename(dumpDir, old);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(e, dumpDir, 'replace the earlier dump folder');
    }
    try {
      await fsp.rename(produced, dumpDir);
    } catch (e) {
      throw fsError(e, dumpDir, 'move the dumps into place');
    }

    const logText = await fsp.readFile(logFile, 'utf8');
    const dumpLines = stripAnsi(logText).split(/\r?\n/).filter((l) => l.includes('Data dumping to')).length;
    const warnings: string[] = [];
    if (exitCode !== 0 || signal) {
      warnings.push(
        `the PC program ${how}; kept its ${names.length} dump files${emptyFiles.length ? `, ${emptyFiles.length} of them empty (${emptyFiles.slice(0, 3).join(', ')}${emptyFiles.length > 3 ? ', ...' : ''}): the vendor library's 16-bit crash leaves such files` : ''}`,
      );
    } else if (emptyFiles.length) {
      warnings.push(`${emptyFiles.length} dump files are empty (${emptyFiles.slice(0, 3).join(', ')}${emptyFiles.length > 3 ? ', ...' : ''})`);
    }
    if (dumpLines === 0) warnings.push(`${logFile} has no "Data dumping to" lines: layer shapes will be unknown`);

    const result: RunPcResult = { outDir, dumpDir, logFile, command, exitCode, signal, dumpFiles: names.length, emptyFiles, dumpLines, warnings, durationMs };
    await writeFileAtomic(
      path.join(outDir, PC_RUN_NAME),
      `${JSON.stringify({ command, exec: o.exec, cwd: '(a temporary folder, removed)', exitCode, signal, durationMs, dumpFiles: names.length, emptyFiles, dumpLines, warnings }, null, 2)}\n`,
    );
    if (old) await fsp.rm(old, { recursive: true, force: true });
    return result;
  } finally {
    await fsp.rm(work, { recursive: true, force: true });
    liveWorkDirs.delete(work);
  }
}
