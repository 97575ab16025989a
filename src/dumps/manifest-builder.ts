/**
 * Writing our own dump folders (FORMATS.md §5): each tensor file is written atomically while
 * its md5 is computed, then `manifest.json` records order, names, dtype, shape, layout,
 * quantization parameters and md5. Sanitized-name collisions get a stable `_1`, `_2` suffix so
 * nothing is overwritten; the manifest's `file` field says which file holds which tensor.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { AtomicFile, writeFileAtomic } from '../io/atomic.js';
import { sanitizeName } from '../names.js';
import { byteSize, elementCount, type DType } from '../tensor/dtype.js';
import { TOOL_NAME, toolVersion } from '../version.js';
import { MANIFEST_FILE, validateManifest } from './manifest.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestTensor } from './manifest-types.js';
import type { Layout } from './types.js';

/** Writes `<dir>/manifest.json` atomically (validated first: a bad manifest is a bug). */
export async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  validateManifest(manifest, 'manifest being written');
  await writeFileAtomic(path.join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** What a producer says about one tensor it is writing. */
export interface TensorMeta {
  /** Original (unsanitized) tensor name. */
  tensorName: string;
  nodeName: string;
  opType: string;
  dtype: DType;
  /** Logical shape as written (NHWC for 4-D). */
  shape: number[];
  layout: Layout;
  scale?: number;
  zeroPoint?: number;
  role?: 'input' | 'layer';
}

export interface ManifestBuilderOptions {
  /** 'float' | 'reference' | 'reference-dequantize' | 'golden' | ... */
  producer: string;
  model?: { file: string; md5: string };
  inputMd5?: string;
  /** Defaults to magik-parity and its version. */
  tool?: { name: string; version: string };
}

/**
 * Builds a dump folder: `add()` writes each tensor file (atomically, md5 computed on the way),
 * `finish()` writes manifest.json. The folder must already exist (see prepareOutDir).
 */
export class ManifestBuilder {
  readonly dir: string;
  private readonly opts: ManifestBuilderOptions;
  private readonly tensors: ManifestTensor[] = [];
  /** Lower-cased file names already used (case-insensitive file systems). */
  private readonly usedFiles = new Set<string>([MANIFEST_FILE]);
  /** Collisions resolved so far: tensor name -> file actually written. */
  readonly renamed: { tensorName: string; file: string }[] = [];
  private finished = false;

  constructor(dir: string, opts: ManifestBuilderOptions) {
    this.dir = path.resolve(dir);
    this.opts = opts;
  }

  /** File name for a tensor: `<sanitized>.bin`, or `<sanitized>_<k>.bin` on a collision. */
  private fileFor(tensorName: string): string {
    const base = sanitizeName(tensorName) || '_';
    let name = `${base}.bin`;
    for (let k = 1; this.usedFiles.has(name.toLowerCase()); k++) name = `${base}_${k}.bin`;
    this.usedFiles.add(name.toLowerCase());
    if (name !== `${base}.bin`) this.renamed.push({ tensorName, file: name });
    return name;
  }

  /**
   * Writes one tensor's bytes (raw little-endian, in `meta.layout` order) and records it.
   * `bytes` may be one array or an iterable of chunks. Throws (and leaves no file) when the
   * byte count does not match shape and dtype.
   */
  add(meta: TensorMeta, bytes: Uint8Array | Iterable<Uint8Array>): ManifestTensor {
    if (this.finished) throw new Error('ManifestBuilder: add() after finish()');
    const want = byteSize(meta.dtype, elementCount(meta.shape));
    const file = this.fileFor(meta.tensorName);
    const out = new AtomicFile(path.join(this.dir, file));
    const h = createHash('md5');
    let n = 0;
    try {
      const chunks: Iterable<Uint8Array> = bytes instanceof Uint8Array ? [bytes] : bytes;
      for (const c of chunks) {
        out.write(c);
        h.update(c);
        n += c.byteLength;
      }
      if (n !== want) {
        throw new Error(`ManifestBuilder: tensor "${meta.tensorName}" ${meta.dtype} [${meta.shape.join(',')}] needs ${want} bytes, got ${n}`);
      }
      out.commit();
    } catch (e) {
      out.abort();
      this.usedFiles.delete(file.toLowerCase());
      throw e;
    }
    const t: ManifestTensor = {
      order: this.tensors.length,
      file,
      tensorName: meta.tensorName,
      nodeName: meta.nodeName,
      opType: meta.opType,
      dtype: meta.dtype,
      shape: [...meta.shape],
      layout: meta.layout,
      ...(meta.scale !== undefined ? { scale: meta.scale } : {}),
      ...(meta.zeroPoint !== undefined ? { zeroPoint: meta.zeroPoint } : {}),
      md5: h.digest('hex'),
      ...(meta.role !== undefined ? { role: meta.role } : {}),
    };
    this.tensors.push(t);
    return t;
  }

  /** The manifest as it stands. */
  manifest(): Manifest {
    return {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      producer: this.opts.producer,
      tool: this.opts.tool ?? { name: TOOL_NAME, version: toolVersion() },
      ...(this.opts.model ? { model: this.opts.model } : {}),
      ...(this.opts.inputMd5 ? { inputMd5: this.opts.inputMd5 } : {}),
      tensors: this.tensors.map((t) => ({ ...t, shape: [...t.shape] })),
    };
  }

  /** Writes manifest.json (atomically) and returns it. */
  async finish(): Promise<Manifest> {
    const m = this.manifest();
    await writeManifest(this.dir, m);
    this.finished = true;
    return m;
  }
}
