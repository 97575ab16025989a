/**
 * Golden folders of our own side: a transform-tool debug folder whose three sub-folders agree
 * (ptq = quantize(float), dequantize = (q - zp) * scale), `.npy` files (good and bad headers),
 * and a folder written with DumpFolderWriter.
 */
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { DumpFolderWriter } from '../src/dumps/dump-folder-writer.js';
import { sanitizeName } from '../src/names.js';
import { encodeNpy, encodeRaw } from './encode.js';
import type { DebugCase, DebugNode, ManifestCase, NpyCase, NpyCaseFile } from './golden-types.js';
import type { Prng } from './prng.js';
import { md5, product, put } from './write-util.js';

const DEBUG_NODES: { node: string; opType: string; shape: number[]; bits: 8 | 10; scale: number; zeroPoint: number }[] = [
  { node: 'functional_1/conv2d/Conv2D', opType: 'Conv', shape: [1, 8, 8, 4], bits: 8, scale: 0.03125, zeroPoint: 128 },
  { node: 'functional_1/conv2d/Relu', opType: 'Relu', shape: [1, 8, 8, 4], bits: 8, scale: 0.015625, zeroPoint: 0 },
  { node: 'functional_1/max_pooling2d/MaxPool', opType: 'MaxPool', shape: [1, 4, 4, 4], bits: 8, scale: 0.015625, zeroPoint: 0 },
  { node: 'functional_1/conv2d_1/Conv2D', opType: 'Conv', shape: [1, 4, 4, 8], bits: 10, scale: 0.00390625, zeroPoint: 512 },
  { node: 'functional_1/add/add', opType: 'Add', shape: [1, 4, 4, 8], bits: 8, scale: 0.0625, zeroPoint: 100 },
];

/**
 * Debug folder. Quantization: q = clamp(round(x / scale) + zp, 0, 2^bits - 1) with round half
 * away from zero; the floats are drawn inside the representable range so nothing is clamped.
 */
export async function makeDebug(out: string, rng: Prng): Promise<DebugCase> {
  const dir = 'debug';
  const nodes: DebugNode[] = [];
  const info: Record<string, string[]> = { all_type: [] };
  for (const d of DEBUG_NODES) {
    const qmax = 2 ** d.bits - 1;
    const n = product(d.shape);
    const lo = (0 - d.zeroPoint) * d.scale;
    const hi = (qmax - d.zeroPoint) * d.scale;
    const x = rng.floats(n, lo, hi);
    const q = x.map((v) => {
      const r = v / d.scale;
      const rounded = Math.sign(r) * Math.round(Math.abs(r));
      return Math.min(qmax, Math.max(0, rounded + d.zeroPoint));
    });
    const deq = q.map((v) => Math.fround((v - d.zeroPoint) * d.scale));
    let maxErr = 0;
    for (let i = 0; i < n; i++) maxErr = Math.max(maxErr, Math.abs(x[i]! - deq[i]!));
    const file = `${sanitizeName(d.node)}.bin`;
    const ptqDtype = d.bits === 8 ? 'uint8' : 'uint16';
    await put(out, `${dir}/float_model/${file}`, encodeRaw('float32', x));
    await put(out, `${dir}/ptq_model/${file}`, encodeRaw(ptqDtype, q));
    await put(out, `${dir}/ptq_model_dequantize/${file}`, encodeRaw('float32', deq));
    if (!info.all_type!.includes(d.opType)) info.all_type!.push(d.opType);
    (info[d.opType] ??= []).push(d.node);
    nodes.push({ node: d.node, opType: d.opType, file, shape: d.shape, ptqDtype, scale: d.scale, zeroPoint: d.zeroPoint, maxAbsDequantError: maxErr });
  }
  const shape = [1, 8, 8, 3];
  const u8 = rng.ints(product(shape), 0, 255);
  const mean = 127.5;
  const std = 128;
  await put(out, `${dir}/input_uint8.bin`, new Uint8Array(u8));
  await put(out, `${dir}/input.bin`, encodeRaw('float32', u8.map((v) => (v - mean) / std)));
  await put(out, `${dir}/model_node_info.json`, JSON.stringify(info, null, 1));
  const shapesFile = 'debug-shapes.json';
  await put(out, shapesFile, JSON.stringify(Object.fromEntries(nodes.map((n) => [n.node, n.shape])), null, 1));
  return { dir, nodes, input: { u8: `${dir}/input_uint8.bin`, float: `${dir}/input.bin`, shape, mean, std }, allTypes: info.all_type!, shapesFile };
}

/** `.npy` files: every supported version and several dtypes, plus three bad files. */
export async function makeNpy(out: string, rng: Prng): Promise<NpyCase> {
  const dir = 'npy';
  const files: NpyCaseFile[] = [];
  const good = async (file: string, version: 1 | 2 | 3, descr: string, dtype: NpyCaseFile['dtype'] & string, shape: number[], values: number[]) => {
    const bytes = encodeNpy(descr, shape, encodeRaw(dtype as Parameters<typeof encodeRaw>[0], values), { version });
    await put(out, `${dir}/${file}`, bytes);
    const dataOffset = bytes.length - encodeRaw(dtype as Parameters<typeof encodeRaw>[0], values).length;
    files.push({ file: `${dir}/${file}`, version, descr, dtype, shape, dataOffset, size: bytes.length, values: values.slice(0, 6) });
  };
  await good('a_f4.npy', 1, '<f4', 'float32', [1, 2, 3, 4], rng.floats(24, -1, 1));
  await good('b_u1.npy', 2, '|u1', 'uint8', [5], rng.ints(5, 0, 255));
  await good('c_i2.npy', 3, '<i2', 'int16', [2, 3], rng.ints(6, -32768, 32767));
  await good('d_f8_scalar.npy', 1, '<f8', 'float64', [], [Math.PI]);
  await good('e_i8.npy', 1, '<i8', 'int64', [3], [-5, 0, 2 ** 40]);
  // bad: big-endian, fortran order, truncated data
  const be = encodeNpy('>f4', [2, 2], new Uint8Array(16));
  await put(out, `${dir}/x_bigendian.npy`, be);
  files.push({ file: `${dir}/x_bigendian.npy`, version: 1, descr: '>f4', dtype: null, shape: [2, 2], dataOffset: 0, size: be.length, problem: { code: 'bad-header', reasonContains: 'big-endian' } });
  const fo = encodeNpy('<f4', [2, 2], new Uint8Array(16), { fortran: true });
  await put(out, `${dir}/y_fortran.npy`, fo);
  files.push({ file: `${dir}/y_fortran.npy`, version: 1, descr: '<f4', dtype: null, shape: [2, 2], dataOffset: 0, size: fo.length, problem: { code: 'bad-header', reasonContains: 'fortran_order' } });
  const tr = encodeNpy('<f4', [4, 4], new Uint8Array(10));
  await put(out, `${dir}/z_truncated.npy`, tr);
  const trOff = tr.length - 10;
  files.push({
    file: `${dir}/z_truncated.npy`,
    version: 1,
    descr: '<f4',
    dtype: 'float32',
    shape: [4, 4],
    dataOffset: trOff,
    size: tr.length,
    problem: { code: 'size-mismatch', reasonContains: 'needs', expectedBytes: trOff + 64, actualBytes: tr.length },
  });
  await put(out, `${dir}/README.txt`, 'golden npy files\n');
  return { dir, files };
}

/** A folder written by DumpFolderWriter, with a sanitized-name collision. */
export async function makeManifest(out: string, rng: Prng): Promise<ManifestCase> {
  const dir = 'manifest';
  const abs = path.join(out, dir);
  await fsp.mkdir(abs, { recursive: true });
  const b = new DumpFolderWriter(abs, { producer: 'golden', tool: { name: 'magik-parity-golden', version: '1' } });
  const tensors: ManifestCase['tensors'] = [];
  const add = (t: Omit<ManifestCase['tensors'][number], 'file' | 'md5' | 'size'>, bytes: Uint8Array, chunked = false, opType = 'Conv') => {
    const chunks = chunked ? [bytes.subarray(0, 3), bytes.subarray(3)] : bytes;
    const rec = b.add(
      { tensorName: t.tensorName, nodeName: t.role === 'input' ? '' : `${t.tensorName}_node`, opType: t.role === 'input' ? 'Input' : opType, dtype: t.dtype, shape: t.shape, layout: t.shape.length === 4 ? 'NHWC' : 'row-major', scale: t.scale, zeroPoint: t.zeroPoint, role: t.role },
      chunks,
    );
    tensors.push({ ...t, file: rec.file, md5: md5(bytes), size: bytes.length });
  };
  add({ tensorName: 'images', dtype: 'uint8', shape: [1, 8, 8, 3], role: 'input' }, new Uint8Array(rng.ints(192, 0, 255)));
  add({ tensorName: 'backbone/conv1', dtype: 'float32', shape: [1, 4, 4, 8], role: 'layer' }, encodeRaw('float32', rng.floats(128, -3, 3)));
  add({ tensorName: 'backbone:conv1', dtype: 'float32', shape: [1, 4, 4, 8], role: 'layer' }, encodeRaw('float32', rng.floats(128, -3, 3)), true);
  add({ tensorName: 'head/q', dtype: 'uint8', shape: [1, 2, 2, 4], role: 'layer', scale: 0.1, zeroPoint: 3 }, new Uint8Array(rng.ints(16, 0, 255)), true, 'QuantizeLinear');
  add({ tensorName: 'flat/fc', dtype: 'float32', shape: [10], role: 'layer' }, encodeRaw('float32', rng.floats(10, -1, 1)), false, 'Gemm');
  await b.finish();
  return { dir, tensors, renamed: [{ tensorName: 'backbone:conv1', file: 'backbone_conv1_1.bin' }] };
}
