/**
 * Test fixtures for the diagnosis stage, made through the real pipeline: float dumps of a shared
 * model from runFloat, a copy of the model with one Conv's weights perturbed (so the error
 * propagates downstream like a badly quantized layer), and dump-level noise with a known cosine.
 */
import onnxProto from 'onnx-proto';
import { readFileSync, writeFileSync, cpSync } from 'node:fs';
import * as path from 'node:path';
import { mulberry32 } from '../../scripts/synthetic-input.js';

const { onnx } = onnxProto;

/** Manifest rows the tests read (written by runFloat). */
export interface ManifestTensor {
  file: string;
  opType: string;
  tensorName: string;
  nodeName: string;
  order: number;
  role?: string;
}

export function readManifest(dir: string): ManifestTensor[] {
  const m = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { tensors: ManifestTensor[] };
  return m.tensors;
}

/** Standard normal from a uniform PRNG (Box-Muller). */
function gaussian(rnd: () => number): () => number {
  return () => {
    const u = (rnd() + 1) / 4294967297;
    const v = rnd() / 4294967296;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}

/**
 * Writes a copy of `model` where the `convIndex`-th Conv (node order) has Gaussian noise of
 * `relStd` x the weights' RMS added to its weight initializer (raw_data float32). Returns the file
 * and the Conv's node and output tensor names.
 */
export function perturbConvWeights(model: string, outFile: string, convIndex: number, relStd: number, seed = 3): { file: string; nodeName: string; tensorName: string } {
  const m = onnx.ModelProto.decode(readFileSync(model));
  const conv = m.graph!.node!.filter((n) => n.opType === 'Conv')[convIndex]!;
  const init = m.graph!.initializer!.find((t) => t.name === conv.input![1])!;
  const raw = init.rawData as Uint8Array;
  const bytes = new Uint8Array(raw); // aligned copy
  const w = new Float32Array(bytes.buffer, 0, bytes.length / 4);
  let ss = 0;
  for (const x of w) ss += x * x;
  const rms = Math.sqrt(ss / w.length);
  const g = gaussian(mulberry32(seed));
  for (let i = 0; i < w.length; i++) w[i] = w[i]! + g() * relStd * rms;
  init.rawData = bytes;
  writeFileSync(outFile, onnx.ModelProto.encode(m).finish());
  return { file: outFile, nodeName: conv.name!, tensorName: conv.output![0]! };
}

/**
 * Adds Gaussian noise to a float32 dump so that its cosine against the original is about
 * `cosine`: noise std = RMS * sqrt(1/cosine^2 - 1) (independent noise: cos = 1/sqrt(1+s^2)).
 */
export function addNoise(file: string, cosine: number, seed: number): void {
  const buf = readFileSync(file);
  const f = new Float32Array(buf.buffer, buf.byteOffset, buf.length / 4);
  let ss = 0;
  for (const x of f) ss += x * x;
  const s = Math.sqrt(ss / f.length) * Math.sqrt(1 / (cosine * cosine) - 1);
  const g = gaussian(mulberry32(seed));
  for (let i = 0; i < f.length; i++) f[i] = f[i]! + g() * s;
  writeFileSync(file, buf);
}

/** A recursive copy of a dump folder. */
export function copyDir(from: string, to: string): string {
  cpSync(from, to, { recursive: true });
  return to;
}
