/**
 * Large dump folders made quickly for memory and interrupt tests: each layer file is sparse
 * (ftruncate to its full size) with a seeded random float32 block written at its start and at
 * its end, so the bytes are real and differ between the two sides, yet creating hundreds of MB
 * takes milliseconds. A manifest.json describes them (md5 fields are placeholders: compare
 * recomputes md5 from the files and never trusts the recorded one).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { writeManifest } from '../src/dumps/dump-folder-writer.js';
import { MANIFEST_FORMAT, MANIFEST_VERSION, type ManifestTensor } from '../src/dumps/manifest-types.js';
import { Prng } from './prng.js';

export interface BigDumpOptions {
  /** Number of layer files. */
  layers: number;
  /** Elements per layer (float32), a multiple of 4096. */
  elements: number;
  seed: number;
}

/** Writes a sparse manifest folder into `dir` (created); returns its total size in bytes. */
export async function makeBigDumpSet(dir: string, o: BigDumpOptions): Promise<number> {
  await fsp.mkdir(dir, { recursive: true });
  const rng = new Prng(o.seed);
  const tensors: ManifestTensor[] = [];
  const block = 4096;
  const c = o.elements / (64 * 64);
  let total = 0;
  for (let i = 0; i < o.layers; i++) {
    const file = `layer_${String(i).padStart(3, '0')}.bin`;
    const fh = await fsp.open(path.join(dir, file), 'w');
    try {
      await fh.truncate(o.elements * 4);
      // the same base values on every side (seeded by layer), plus a side-specific perturbation
      const base = new Prng(1000 + i).floats(block, -1, 1);
      const head = Float32Array.from(base, (v) => v + 0.01 * (rng.next() - 0.5));
      await fh.write(new Uint8Array(head.buffer), 0, head.byteLength, 0);
      await fh.write(new Uint8Array(head.buffer), 0, head.byteLength, o.elements * 4 - head.byteLength);
    } finally {
      await fh.close();
    }
    total += o.elements * 4;
    tensors.push({ order: i, file, tensorName: `layer/${i}`, nodeName: `n${i}`, opType: 'Conv', dtype: 'float32', shape: [1, 64, 64, c], layout: 'NHWC', md5: '0'.repeat(32), role: 'layer' });
  }
  await writeManifest(dir, { format: MANIFEST_FORMAT, version: MANIFEST_VERSION, producer: 'golden', tool: { name: 'magik-parity', version: 'test' }, tensors });
  return total;
}
