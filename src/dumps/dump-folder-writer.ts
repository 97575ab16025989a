/**
 * The one writer of dump folders (FORMATS.md §5): our `float_model/`, `ptq_model/`,
 * `ptq_model_dequantize/`, golden and benchmark folders, and vendor-style `MAGIK_DATA_DUMP/`.
 *
 * - Every file is written atomically (temporary name + rename, src/io/atomic.ts).
 * - Each tensor file's md5 is computed from the same bytes while they are written, or supplied
 *   by the caller (e.g. a promise of another thread hashing the same buffer, so hashing
 *   overlaps the next tensor's preparation).
 * - A file can also be written by another thread ({@link DumpFolderWriter.delegate}: name and
 *   manifest entry fixed at once, temporary written elsewhere, renamed here).
 * - File names are sanitized tensor names; collisions (case-insensitive) and reserved stems get
 *   a stable `_<k>` suffix, recorded in {@link DumpFolderWriter.renamed} and in the manifest's
 *   `file` field (src/dumps/stem-allocator.ts).
 * - Tensors deliberately not written are listed in the manifest's `skipped`.
 * - Non-tensor files (input_uint8.bin, model_node_info.json, ...) go through {@link DumpFolderWriter.writeExtra}.
 * - `manifest.json` is written last by {@link DumpFolderWriter.finish}, so its presence means the
 *   folder is complete; a vendor-style folder can omit it and write the vendor's dump log instead.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { AtomicFile, DelegatedFile, prepareOutDir, writeFileAtomic } from '../io/atomic.js';
import { byteSize, elementCount, type DType } from '../tensor/dtype.js';
import { TOOL_NAME, toolVersion } from '../version.js';
import { isPlainFileName, MANIFEST_FILE, validateManifest } from './manifest.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestSkipped, type ManifestTensor } from './manifest-types.js';
import { baseStem, RESERVED_STEMS, StemAllocator, stemOfFile } from './stem-allocator.js';
import type { Layout } from './types.js';
import { formatDumpLogLine } from './vendor-log.js';

/** Writes `<dir>/manifest.json` atomically (validated first: a bad manifest is a bug). */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  validateManifest(manifest, 'manifest being written');
  await writeFileAtomic(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
}

/** What a producer says about one tensor it is writing. */
export interface TensorMeta {
  /** Original (unsanitized) tensor name. */
  tensorName: string;
  /** ONNX node that produced it ('' for a graph input). */
  nodeName: string;
  /** ONNX op type ('Input' for a graph input). */
  opType: string;
  dtype: DType;
  /** Logical shape as written (NHWC for 4-D). */
  shape: readonly number[];
  layout: Layout;
  /** Integer tensors: real value = (q - zeroPoint) * scale. */
  scale?: number;
  zeroPoint?: number;
  role?: 'input' | 'layer';
}

/** Per-tensor options of {@link DumpFolderWriter.add}. */
export interface AddOptions {
  /**
   * The file's md5 (lowercase hex), or a promise of it being computed elsewhere from the same
   * bytes (awaited by finish()). When absent the writer hashes the bytes as it writes them.
   */
  md5?: string | Promise<string>;
  /**
   * Exact file stem (file = `<stem>.bin`) instead of the sanitized tensor name, e.g. `input`
   * or the vendor's `input_data_shape_1_384_640_3`. May be a reserved stem; throws when taken.
   */
  stem?: string;
}

/** The vendor's dump log written next to a vendor-style folder (see {@link DumpFolderWriterOptions.log}). */
export interface DumpLogOptions {
  /** Where to write the log (absolute, or relative to the working directory); usually next to MAGIK_DATA_DUMP/. */
  file: string;
  /** Folder as logged (default `./MAGIK_DATA_DUMP`). */
  dir?: string;
  /** ANSI colour codes around each line, like a captured terminal. Default false. */
  color?: boolean;
}

export interface DumpFolderWriterOptions {
  /** Manifest producer: 'float' | 'reference' | 'reference-dequantize' | 'golden' | ... */
  producer: string;
  model?: { file: string; md5: string };
  /** md5 of the input_uint8.bin the folder is made from. */
  inputMd5?: string;
  /** Defaults to magik-parity and its version. */
  tool?: { name: string; version: string };
  /** Write manifest.json in finish() (default true; false for a vendor-style folder). */
  manifest?: boolean;
  /** Stems automatic names never take (default RESERVED_STEMS). */
  reserved?: readonly string[];
  /**
   * File stems from the sanitized tensor name (default) or from the producing node's name
   * (`'node'`: the transform tool's debug folder, FORMATS.md §3; a graph input, or a node with
   * several outputs, falls back to / suffixes as usual).
   */
  fileNames?: 'tensor' | 'node';
  /** Also write the vendor's dump log (one `Data dumping to:` line per tensor, in add() order) in finish(). */
  log?: DumpLogOptions;
}

/** A tensor whose sanitized name was taken: the file it was written to instead. */
export interface RenamedTensor {
  tensorName: string;
  /** The stem it would have had (its sanitized name). */
  wanted: string;
  /** The file actually written (`<wanted>_<k>.bin`). */
  file: string;
}

/** Writes one dump folder. The folder must exist (see {@link DumpFolderWriter.create} / prepareOutDir). */
export class DumpFolderWriter {
  /** Absolute folder. */
  readonly dir: string;
  /** Tensors written under a suffixed name because their sanitized name was taken, in add() order. */
  readonly renamed: RenamedTensor[] = [];
  private readonly opts: DumpFolderWriterOptions;
  private readonly stems: StemAllocator;
  private readonly tensors: ManifestTensor[] = [];
  private readonly skipped: ManifestSkipped[] = [];
  private readonly pendingMd5: Promise<void>[] = [];
  private readonly logLines: string[] = [];
  private finished = false;

  constructor(dir: string, opts: DumpFolderWriterOptions) {
    this.dir = path.resolve(dir);
    this.opts = opts;
    this.stems = new StemAllocator(opts.reserved ?? RESERVED_STEMS);
    if (opts.manifest !== false) this.stems.claim(stemOfFile(MANIFEST_FILE));
  }

  /**
   * Prepares `dir` (created; must be empty unless `force`, see prepareOutDir) and returns a
   * writer for it.
   */
  static async create(dir: string, opts: DumpFolderWriterOptions & { force?: boolean }): Promise<DumpFolderWriter> {
    const abs = path.resolve(dir);
    await prepareOutDir(abs, Boolean(opts.force), opts.manifest === false ? undefined : MANIFEST_FILE);
    return new DumpFolderWriter(abs, opts);
  }

  /**
   * Writes one tensor file, `<stem>.bin`, and records it (order = number of tensors added
   * before). `data` is raw little-endian bytes in `meta.layout` order: one Uint8Array, any typed
   * array (its bytes as they are in memory, little-endian on every platform Node runs on), or an
   * iterable of Uint8Array chunks. The bytes are written before add() returns, so the caller may
   * reuse the buffer afterwards. Throws (leaving no file, the name free) when the byte count does
   * not match `meta.shape` and `meta.dtype`, or on a file-system error (UserError).
   */
  add(meta: TensorMeta, data: ArrayBufferView | Iterable<Uint8Array>, o: AddOptions = {}): ManifestTensor {
    // A promised md5 is settled by finish(); if this call throws first, its rejection must not go unhandled.
    const later = o.md5 !== undefined && typeof o.md5 !== 'string' ? Promise.resolve(o.md5) : null;
    later?.catch(() => undefined);
    if (this.finished) throw new Error('DumpFolderWriter: add() after finish()');
    const want = byteSize(meta.dtype, elementCount(meta.shape));
    const stem = this.allocate(this.opts.fileNames === 'node' && meta.nodeName ? meta.nodeName : meta.tensorName, o.stem);
    const file = `${stem}.bin`;
    const chunks: Iterable<Uint8Array> = ArrayBuffer.isView(data) ? [new Uint8Array(data.buffer, data.byteOffset, data.byteLength)] : data;
    const hash = o.md5 === undefined ? createHash('md5') : null;
    let out: AtomicFile | null = null;
    let logLine: string | null = null;
    let n = 0;
    try {
      // The parser refuses an empty shape: a scalar is logged as [1] (same element count).
      if (this.opts.log) logLine = formatDumpLogLine(file, meta.shape.length === 0 ? [1] : meta.shape, this.opts.log);
      out = new AtomicFile(path.join(this.dir, file));
      for (const c of chunks) {
        out.write(c);
        hash?.update(c);
        n += c.byteLength;
      }
      if (n !== want) {
        throw new Error(`DumpFolderWriter: tensor "${meta.tensorName}" ${meta.dtype} [${meta.shape.join(',')}] needs ${want} bytes, got ${n}`);
      }
      out.commit();
    } catch (e) {
      out?.abort();
      this.stems.release(stem);
      if (o.stem === undefined && this.renamed.at(-1)?.file === file) this.renamed.pop();
      throw e;
    }
    const t = manifestEntry(this.tensors.length, file, meta, hash ? hash.digest('hex') : typeof o.md5 === 'string' ? o.md5 : '');
    if (later) {
      const p = later.then((m) => void (t.md5 = m));
      p.catch(() => undefined); // surfaced by finish(); never an unhandled rejection
      this.pendingMd5.push(p);
    }
    this.tensors.push(t);
    if (logLine !== null) this.logLines.push(logLine);
    return t;
  }

  /**
   * Records a tensor whose file another thread writes (e.g. io/tensor-file-threads.ts): its file
   * name and manifest entry are fixed now (order = tensors added before), and `start` is called
   * with the temporary file to create and write (io/atomic.ts DelegatedFile); it returns promises
   * of the file written and closed, and of its md5. The file is renamed into place once written;
   * finish() waits for every delegated file and md5. `bytes` (what will be written) is checked
   * against `meta` first; `o.stem` as in {@link AddOptions.stem}. Returns a promise settled when the file is in place (rejected with a
   * UserError on a file-system error; finish() then rejects too).
   */
  delegate(meta: TensorMeta, bytes: number, start: (tmpPath: string) => { written: Promise<void>; md5: Promise<string> }, o: { stem?: string } = {}): Promise<void> {
    if (this.finished) throw new Error('DumpFolderWriter: delegate() after finish()');
    const want = byteSize(meta.dtype, elementCount(meta.shape));
    if (bytes !== want) throw new Error(`DumpFolderWriter: tensor "${meta.tensorName}" ${meta.dtype} [${meta.shape.join(',')}] needs ${want} bytes, got ${bytes}`);
    const stem = this.allocate(this.opts.fileNames === 'node' && meta.nodeName ? meta.nodeName : meta.tensorName, o.stem);
    const file = `${stem}.bin`;
    const logLine = this.opts.log ? formatDumpLogLine(file, meta.shape.length === 0 ? [1] : meta.shape, this.opts.log) : null;
    const target = new DelegatedFile(path.join(this.dir, file));
    const job = start(target.tmpPath);
    const t = manifestEntry(this.tensors.length, file, meta, '');
    this.tensors.push(t);
    if (logLine !== null) this.logLines.push(logLine);
    const placed = target.settle(job.written);
    const hashed = job.md5.then((m) => void (t.md5 = m));
    const both = Promise.all([placed, hashed]).then(() => undefined);
    both.catch(() => undefined); // surfaced by finish() and the returned promise; never unhandled
    this.pendingMd5.push(both);
    return both;
  }

  /** Records a model tensor deliberately not written (listed in the manifest's `skipped`). */
  skip(s: ManifestSkipped): void {
    if (this.finished) throw new Error('DumpFolderWriter: skip() after finish()');
    this.skipped.push({ ...s, shape: [...s.shape] });
  }

  /**
   * Writes a non-tensor file into the folder atomically (input_uint8.bin, model_node_info.json,
   * ...) and returns its md5 (lowercase hex). `file` is a plain file name whose stem is claimed
   * exactly (reserved stems allowed): a tensor added later gets a suffixed name instead; a stem
   * already used throws. Not listed in the manifest.
   */
  async writeExtra(file: string, data: string | Uint8Array): Promise<string> {
    if (this.finished) throw new Error('DumpFolderWriter: writeExtra() after finish()');
    if (!isPlainFileName(file) || file.startsWith('.') || file.toLowerCase() === MANIFEST_FILE) throw new Error(`DumpFolderWriter: "${file}" is not a plain file name for an extra file`);
    const stem = stemOfFile(file);
    this.stems.claim(stem);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    try {
      await writeFileAtomic(path.join(this.dir, file), bytes);
    } catch (e) {
      this.stems.release(stem);
      throw e;
    }
    return createHash('md5').update(bytes).digest('hex');
  }

  /** The manifest as it stands (a copy; md5s still being computed elsewhere are ''). */
  manifest(): Manifest {
    const m: Manifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      producer: this.opts.producer,
      tool: this.opts.tool ?? { name: TOOL_NAME, version: toolVersion() },
      ...(this.opts.model ? { model: { ...this.opts.model } } : {}),
      ...(this.opts.inputMd5 ? { inputMd5: this.opts.inputMd5 } : {}),
      tensors: this.tensors.map((t) => ({ ...t, shape: [...t.shape] })),
    };
    if (this.skipped.length > 0) m.skipped = this.skipped.map((s) => ({ ...s, shape: [...s.shape] }));
    return m;
  }

  /** The vendor dump log so far (one line per tensor, `\n`-terminated); '' without the `log` option. */
  logText(): string {
    return this.logLines.map((l) => `${l}\n`).join('');
  }

  /**
   * Completes the folder (the writer accepts nothing after this call): waits for md5s supplied
   * as promises (a rejected one rejects finish() and nothing more is written), writes the dump
   * log when asked, then manifest.json (validated) unless `manifest: false`. Returns the
   * manifest (also when none is written).
   */
  async finish(): Promise<Manifest> {
    if (this.finished) throw new Error('DumpFolderWriter: finish() called twice');
    this.finished = true;
    // every file and md5 settles before a failure is reported: no thread still writes after finish()
    const settled = await Promise.allSettled(this.pendingMd5);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    const m = this.manifest();
    if (this.opts.log) await writeFileAtomic(path.resolve(this.opts.log.file), this.logText());
    if (this.opts.manifest !== false) await writeManifest(this.dir, m);
    return m;
  }

  /** Stem for a tensor: the explicit one (claimed exactly) or a unique sanitized one. */
  private allocate(tensorName: string, explicit: string | undefined): string {
    if (explicit !== undefined) {
      // A leading dot would make a hidden file, which every reader skips.
      if (explicit === '' || explicit.startsWith('.') || !isPlainFileName(`${explicit}.bin`)) {
        throw new Error(`DumpFolderWriter: stem "${explicit}" is not a plain file name`);
      }
      this.stems.claim(explicit);
      return explicit;
    }
    const stem = this.stems.unique(tensorName);
    const wanted = baseStem(tensorName);
    if (stem !== wanted) this.renamed.push({ tensorName, wanted, file: `${stem}.bin` });
    return stem;
  }
}

/** The manifest entry of tensor `meta` written as `file` (optional fields only when set). */
function manifestEntry(order: number, file: string, meta: TensorMeta, md5: string): ManifestTensor {
  return {
    order,
    file,
    tensorName: meta.tensorName,
    nodeName: meta.nodeName,
    opType: meta.opType,
    dtype: meta.dtype,
    shape: [...meta.shape],
    layout: meta.layout,
    ...(meta.scale !== undefined ? { scale: meta.scale } : {}),
    ...(meta.zeroPoint !== undefined ? { zeroPoint: meta.zeroPoint } : {}),
    md5,
    ...(meta.role !== undefined ? { role: meta.role } : {}),
  };
}
