/**
 * Writes one dump folder's tensor files and its manifest: each file atomically (AtomicFile),
 * md5 computed from the same bytes while writing, manifest.json written last.
 * A minimal writer local to the float runner; the shared ManifestBuilder (src/dumps/manifest.ts)
 * is meant to replace it.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { AtomicFile, writeFileAtomic } from '../io/atomic.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type Manifest, type ManifestSkipped, type ManifestTensor } from '../dumps/manifest-types.js';
import { sanitizeName } from '../names.js';
import { TOOL_NAME, toolVersion } from '../version.js';

/** File stems the float folder uses for its own files (a tensor cannot take them). */
export const RESERVED_STEMS = ['input', 'input_uint8', 'model_node_info', 'manifest'] as const;

/**
 * Gives each name a unique file stem: its sanitized form, or `<sanitized>_<k>` (k = 1, 2, ...)
 * when another tensor or a reserved name already took it. Returns stems in the same order.
 */
export function uniqueStems(names: readonly string[], reserved: readonly string[] = RESERVED_STEMS): string[] {
  const used = new Set<string>(reserved.map((r) => r.toLowerCase()));
  return names.map((n) => {
    const base = sanitizeName(n);
    let stem = base;
    // Case-insensitive: the folder may be copied to a case-insensitive file system.
    for (let k = 1; used.has(stem.toLowerCase()); k++) stem = `${base}_${k}`;
    used.add(stem.toLowerCase());
    return stem;
  });
}

export interface DumpWriterInit {
  dir: string;
  producer: string;
  model?: { file: string; md5: string };
  inputMd5?: string;
}

export class DumpWriter {
  readonly dir: string;
  private readonly tensors: ManifestTensor[] = [];
  private readonly skipped: ManifestSkipped[] = [];
  private readonly init: DumpWriterInit;
  private readonly pendingMd5: Promise<void>[] = [];
  constructor(init: DumpWriterInit) {
    this.init = init;
    this.dir = init.dir;
  }

  /** Writes `bytes` to `<dir>/<file>` atomically and returns its md5 (lowercase hex). */
  writeFile(file: string, bytes: Uint8Array): string {
    const f = new AtomicFile(path.join(this.dir, file));
    try {
      f.write(bytes);
      f.commit();
    } catch (e) {
      f.abort();
      throw e;
    }
    return createHash('md5').update(bytes).digest('hex');
  }

  /**
   * Writes a tensor file and records it (order = position among recorded tensors). `md5`, when
   * given, is the file's md5 being computed elsewhere (a worker hashing the same bytes); it is
   * awaited by {@link finish}.
   */
  addTensor(entry: Omit<ManifestTensor, 'order' | 'md5'>, bytes: Uint8Array, md5?: Promise<string>): ManifestTensor {
    const t: ManifestTensor = { order: this.tensors.length, ...entry, md5: '' };
    if (md5) {
      const f = new AtomicFile(path.join(this.dir, entry.file));
      try {
        f.write(bytes);
        f.commit();
      } catch (e) {
        f.abort();
        throw e;
      }
      const p = md5.then((m) => void (t.md5 = m));
      p.catch(() => undefined); // surfaced by finish(); never an unhandled rejection
      this.pendingMd5.push(p);
    } else t.md5 = this.writeFile(entry.file, bytes);
    this.tensors.push(t);
    return t;
  }

  /** Records a tensor deliberately not written. */
  skip(s: ManifestSkipped): void {
    this.skipped.push(s);
  }

  /** The manifest as it stands (md5s still being computed are ''). */
  manifest(): Manifest {
    const m: Manifest = {
      format: MANIFEST_FORMAT,
      version: MANIFEST_VERSION,
      producer: this.init.producer,
      tool: { name: TOOL_NAME, version: toolVersion() },
      tensors: this.tensors,
    };
    if (this.init.model) m.model = this.init.model;
    if (this.init.inputMd5) m.inputMd5 = this.init.inputMd5;
    if (this.skipped.length > 0) m.skipped = this.skipped;
    return m;
  }

  /** Writes manifest.json (last, so its presence means the folder is complete). */
  async finish(): Promise<Manifest> {
    await Promise.all(this.pendingMd5);
    const m = this.manifest();
    await writeFileAtomic(path.join(this.dir, 'manifest.json'), `${JSON.stringify(m, null, 1)}\n`);
    return m;
  }
}
