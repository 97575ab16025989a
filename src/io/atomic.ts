/**
 * Atomic output: every file is written under a temporary name in its final folder and renamed
 * into place, so an interrupted run never leaves a half-written file under a real name
 * (FORMATS.md §5). Temporary names contain `.tmp-` and are removed on failure and on exit.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp, openSync, closeSync, writeSync, renameSync, unlinkSync, fsyncSync, linkSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { fsError, UserError } from '../errors.js';

const pending = new Set<string>();
/** Asynchronous writes whose file operations are still in flight (settled or not yet). */
const inflight = new Set<Promise<unknown>>();
/** Set by {@link stopWrites}: no file is renamed into place any more. */
let stopping = false;
/**
 * Set to 1 by {@link stopWrites}, shared with the threads that write {@link DelegatedFile}
 * temporaries: they read it (Atomics.load) before creating each one and skip the file once set.
 */
export const stopFlag = new Int32Array(new SharedArrayBuffer(4));
let hooked = false;
const never = (): Promise<never> => new Promise<never>(() => undefined);

function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => cleanupTemporaries());
}

/** Removes every temporary file this process still has open (called on exit and on signals). */
export function cleanupTemporaries(): void {
  for (const p of pending) {
    try {
      unlinkSync(p);
    } catch {
      /* already gone */
    }
  }
  pending.clear();
}

/**
 * Stops all atomic writes (on SIGINT / SIGTERM): temporaries are removed now, no write renames
 * its file into place any more, and the returned promise settles once the asynchronous writes
 * in flight have settled and their temporaries are gone too. A temporary created by an open()
 * still running in the thread pool when the signal arrived would otherwise survive the exit.
 */
export async function stopWrites(): Promise<void> {
  stopping = true;
  Atomics.store(stopFlag, 0, 1);
  cleanupTemporaries();
  await Promise.allSettled([...inflight]);
  cleanupTemporaries();
}

export function tempNameFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  const base = path.basename(finalPath);
  return path.join(dir, `.${base.slice(0, 80)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes `data` to `finalPath` atomically (temp file + rename). */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array): Promise<void> {
  hookExit();
  // after a signal (stopWrites) nothing new is written and the caller never resumes: the process exits
  if (stopping) return never();
  const tmp = tempNameFor(finalPath);
  pending.add(tmp);
  const io = (async (): Promise<'ok' | 'stopped'> => {
    try {
      await fsp.writeFile(tmp, data);
      if (stopping) throw new Error('stopped');
      await fsp.rename(tmp, finalPath);
      return 'ok';
    } catch (e) {
      // the temporary file may not exist, or its folder may not (ENOTDIR): nothing to remove then
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      if (stopping) return 'stopped';
      throw e;
    } finally {
      pending.delete(tmp);
    }
  })();
  return awaitWrite(io, finalPath);
}

/**
 * Awaits a write's file operations, kept in {@link inflight} until they settle (stopWrites waits
 * for them); a file-system error becomes a UserError naming `finalPath`; a write stopped by
 * {@link stopWrites} never settles (the process exits).
 */
async function awaitWrite(io: Promise<'ok' | 'stopped'>, finalPath: string): Promise<void> {
  inflight.add(io);
  const forget = (): void => void inflight.delete(io);
  io.then(forget, forget);
  let r: 'ok' | 'stopped';
  try {
    r = await io;
  } catch (e) {
    throw fsError(e, finalPath, 'write');
  }
  if (r === 'stopped') return never();
}

/** Synchronous variant of {@link writeFileAtomic}. */
export function writeFileAtomicSync(finalPath: string, data: string | Uint8Array): void {
  hookExit();
  const tmp = tempNameFor(finalPath);
  pending.add(tmp);
  let fd = -1;
  try {
    fd = openSync(tmp, 'w');
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.byteLength) off += writeSync(fd, buf, off, buf.byteLength - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, finalPath);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* ignore */
    }
    throw fsError(e, finalPath, 'write');
  } finally {
    pending.delete(tmp);
  }
}

/**
 * A file being written in pieces (streamed tensors): `write()` appends, `commit()` renames it
 * into place, `abort()` removes it. Nothing appears under the final name before `commit()`.
 */
export class AtomicFile {
  readonly finalPath: string;
  readonly tmpPath: string;
  private fd: number;
  private done = false;
  constructor(finalPath: string) {
    hookExit();
    this.finalPath = finalPath;
    this.tmpPath = tempNameFor(finalPath);
    try {
      this.fd = openSync(this.tmpPath, 'w');
    } catch (e) {
      throw fsError(e, finalPath, 'create');
    }
    pending.add(this.tmpPath);
  }
  write(data: Uint8Array): void {
    let off = 0;
    try {
      while (off < data.byteLength) off += writeSync(this.fd, data, off, data.byteLength - off);
    } catch (e) {
      this.abort();
      throw fsError(e, this.finalPath, 'write');
    }
  }
  commit(): void {
    if (this.done) return;
    if (stopping) return this.abort();
    this.done = true;
    try {
      closeSync(this.fd);
      renameSync(this.tmpPath, this.finalPath);
    } catch (e) {
      try {
        unlinkSync(this.tmpPath);
      } catch {
        /* ignore */
      }
      throw fsError(e, this.finalPath, 'write');
    } finally {
      pending.delete(this.tmpPath);
    }
  }
  /**
   * Like {@link commit}, but never replaces an existing file: the temporary file is hard-linked
   * to the final name (fails when it exists) and then removed. Throws UserError OUTPUT_EXISTS.
   */
  commitExclusive(): void {
    if (this.done) return;
    if (stopping) return this.abort();
    this.done = true;
    try {
      closeSync(this.fd);
      try {
        linkSync(this.tmpPath, this.finalPath);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new UserError('OUTPUT_EXISTS', `${this.finalPath}: already exists; refusing to overwrite it`, 'choose another --out, or remove the file first');
        // file systems without hard links: rename when the name is still free
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw e;
        if (existsSync(this.finalPath)) throw new UserError('OUTPUT_EXISTS', `${this.finalPath}: already exists; refusing to overwrite it`, 'choose another --out, or remove the file first');
        renameSync(this.tmpPath, this.finalPath);
      }
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw fsError(e, this.finalPath, 'write');
    } finally {
      try {
        unlinkSync(this.tmpPath);
      } catch {
        /* already renamed or gone */
      }
      pending.delete(this.tmpPath);
    }
  }
  abort(): void {
    if (this.done) return;
    this.done = true;
    try {
      closeSync(this.fd);
    } catch {
      /* ignore */
    }
    try {
      unlinkSync(this.tmpPath);
    } catch {
      /* ignore */
    }
    pending.delete(this.tmpPath);
  }
}

/**
 * A temporary file that another thread creates and writes (e.g. io/tensor-file-threads.ts), renamed
 * into place here: the temporary name is registered now, so it is removed on exit and by
 * {@link stopWrites} like any other; {@link DelegatedFile.settle} tracks the other thread's write
 * (stopWrites waits for it) and renames the file once it is closed. The writing thread must read
 * {@link stopFlag} before creating the file and skip it once set.
 */
export class DelegatedFile {
  readonly finalPath: string;
  readonly tmpPath: string;
  constructor(finalPath: string) {
    hookExit();
    this.finalPath = finalPath;
    this.tmpPath = tempNameFor(finalPath);
    pending.add(this.tmpPath);
  }

  /**
   * `written` settles when the other thread has closed the temporary (fulfilled), failed or
   * skipped it (rejected; it removes what it created). Renames the temporary into place, or
   * removes it; a file-system error becomes a UserError naming the final path. After
   * {@link stopWrites} nothing is renamed and the returned promise never settles (the process exits).
   */
  async settle(written: Promise<void>): Promise<void> {
    const io = (async (): Promise<'ok' | 'stopped'> => {
      try {
        await written;
        if (stopping) throw new Error('stopped');
        renameSync(this.tmpPath, this.finalPath);
        return 'ok';
      } catch (e) {
        try {
          unlinkSync(this.tmpPath);
        } catch {
          /* not created, or already removed */
        }
        if (stopping) return 'stopped';
        throw e;
      } finally {
        pending.delete(this.tmpPath);
      }
    })();
    return awaitWrite(io, this.finalPath);
  }
}

/**
 * `mkdir -p` that cannot hang: Node 20's `mkdir(dir, { recursive: true })` loops forever when a
 * parent refuses creation with ENOENT (e.g. `/proc/x/y`, found by the bad-input corpus). Creates
 * the missing folders one at a time from the deepest existing ancestor; throws the raw fs error.
 */
export async function makeDirs(dir: string): Promise<void> {
  const abs = path.resolve(dir);
  const missing: string[] = [];
  let p = abs;
  for (;;) {
    try {
      const st = await fsp.stat(p);
      if (!st.isDirectory()) {
        // like mkdir: the folder itself exists as a file -> EEXIST; a parent is a file -> ENOTDIR
        const code = p === abs ? 'EEXIST' : 'ENOTDIR';
        throw Object.assign(new Error(`${code}: mkdir '${abs}'`), { code, path: p });
      }
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      missing.push(p);
      const parent = path.dirname(p);
      if (parent === p) break;
      p = parent;
    }
  }
  for (const d of missing.reverse()) {
    try {
      await fsp.mkdir(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/**
 * Prepares an output folder: creates it, or accepts it when empty; refuses a folder holding
 * other files unless `force` (then files are replaced one by one, atomically).
 */
export async function prepareOutDir(dir: string, force: boolean, ownMarker = 'manifest.json'): Promise<void> {
  let entries: string[] = [];
  try {
    entries = await fsp.readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      try {
        await makeDirs(dir);
      } catch (e2) {
        throw fsError(e2, dir, 'create the output folder');
      }
      return;
    }
    throw fsError(e, dir, 'open the output folder');
  }
  const visible = entries.filter((n) => !n.startsWith('.'));
  if (visible.length > 0 && !force) {
    const hint = visible.includes(ownMarker)
      ? 'it holds an earlier run: pass --force to replace it, or choose another --out'
      : 'choose an empty or new folder with --out, or pass --force';
    throw new UserError('FOLDER_NOT_EMPTY', `${dir}: output folder is not empty (${visible.length} entries, e.g. ${visible[0]})`, hint);
  }
  try {
    await fsp.access(dir, 2 /* W_OK */);
  } catch (e) {
    throw fsError(e, dir, 'write into the output folder');
  }
}
