/**
 * `magik-parity reference` end to end on YuNet (small and fast): calibration on 2 shared
 * calibration photos, the output folder's layout, bit-identical reruns, --params reuse,
 * --no-quant against the float executor, `compare` and the vendor-PC reader on the result, and
 * every bad input as a UserError with nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { runReference, type ReferenceOptions } from './run-reference.js';
import { loadModel } from '../onnx/load.js';
import { runGraph } from '../../reference/executor.js';
import { floatTensor } from '../../reference/tensor.js';
import { openVendorPc, parseDumpLog, readManifest } from '../dumps/index.js';
import { compare } from '../compare/compare.js';
import { runFloat } from '../float/run-float.js';
import { buildModel } from '../onnx/build.js';
import { toNhwc } from '../tensor/layout.js';
import type { OnnxModel } from '../onnx/types.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = (p: string) => path.resolve(repoRoot, '../shared/data', p);
const MODEL = data('models/yunet_n_320_320.onnx');

let tmp: string;
let model: OnnxModel;
let cfgFile: string;
let inputFile: string;
let first: string;

async function writeConfig(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const f = path.join(tmp, name);
  const cfg = { format: 'BGR', width: 320, height: 320, path: data('images/calib'), used_image_num: 2, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS', ...extra };
  await fsp.writeFile(f, JSON.stringify(cfg));
  return f;
}

async function listAll(dir: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const walk = async (d: string, rel: string): Promise<void> => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      if (e.isDirectory()) await walk(path.join(d, e.name), `${rel}${e.name}/`);
      else out.set(`${rel}${e.name}`, await fsp.readFile(path.join(d, e.name)));
    }
  };
  await walk(dir, '');
  return out;
}

const run = (o: Partial<ReferenceOptions>) => runReference({ model, config: cfgFile, input: inputFile, out: path.join(tmp, 'unused'), ...o });

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-reference-'));
  model = await loadModel(MODEL);
  cfgFile = await writeConfig('ptq_config.json');
  const px = await sharp(data('images/faces_1.jpg')).removeAlpha().resize(320, 320, { fit: 'fill' }).raw().toBuffer();
  for (let i = 0; i < px.length; i += 3) [px[i], px[i + 2]] = [px[i + 2]!, px[i]!];
  inputFile = path.join(tmp, 'input_uint8.bin');
  await fsp.writeFile(inputFile, px);
  first = path.join(tmp, 'run1');
  await run({ out: first });
}, 120_000);

afterAll(async () => {
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('magik-parity reference (YuNet, 2 calibration images, MAX_ABS 8-bit)', () => {
  it('writes ptq_model/, ptq_model_dequantize/, MAGIK_DATA_DUMP/ + pc.log, input_uint8.bin, params.json', async () => {
    const top = (await fsp.readdir(first)).sort();
    expect(top).toEqual(['MAGIK_DATA_DUMP', 'input_uint8.bin', 'params.json', 'pc.log', 'ptq_model', 'ptq_model_dequantize']);
    const m = await readManifest(path.join(first, 'ptq_model'));
    const layers = m.tensors.filter((t) => t.role !== 'input');
    expect(layers.length).toBeGreaterThan(100);
    for (const t of m.tensors) {
      expect(t.dtype).toBe('uint8');
      expect(t.scale).toBeGreaterThan(0);
      expect(Number.isInteger(t.zeroPoint)).toBe(true);
    }
    const deq = await readManifest(path.join(first, 'ptq_model_dequantize'));
    expect(deq.tensors.map((t) => t.file)).toEqual(m.tensors.map((t) => t.file));
    expect(deq.tensors.every((t) => t.dtype === 'float32')).toBe(true);
    // dequantized file = (q − zp) · scale of the ptq file
    const t0 = layers[5]!;
    const q = await fsp.readFile(path.join(first, 'ptq_model', t0.file));
    const f = new Float32Array((await fsp.readFile(path.join(first, 'ptq_model_dequantize', t0.file))).buffer.slice(0));
    for (let i = 0; i < q.length; i += 97) expect(f[i]).toBe(Math.fround((q[i]! - t0.zeroPoint!) * t0.scale!));
    // vendor layout: log lines name every dump file once, in order, input first
    const log = parseDumpLog(await fsp.readFile(path.join(first, 'pc.log'), 'utf8'));
    const files = (await fsp.readdir(path.join(first, 'MAGIK_DATA_DUMP'))).sort();
    expect(log.malformed).toEqual([]);
    expect(log.records.map((r) => r.file).sort()).toEqual(files);
    expect(log.records[0]!.file).toBe('input_data_shape_1_320_320_3.bin');
    expect(files.filter((f) => f.endsWith('_Quantize.bin')).length).toBe(layers.length);
    expect((await fsp.readFile(path.join(first, 'pc.log'), 'utf8')).split('\n')[1]).toMatch(/^\x1b\[32mLog: Data dumping to:\.\/MAGIK_DATA_DUMP\/\S+_Quantize\.bin--->shape:\[1,\d+,\d+,\d+\]\x1b\[0m$/);
    const pc = await openVendorPc(first);
    expect(pc.entries.length).toBe(files.length);
  });

  it('is bit-identical across runs, with and without --params', async () => {
    const a = await listAll(first);
    const again = path.join(tmp, 'run2');
    await run({ out: again });
    const reuse = path.join(tmp, 'run3');
    // --params skips calibration: an image loader that fails is never called
    await run({ out: reuse, params: path.join(first, 'params.json'), loadImage: () => Promise.reject(new Error('calibration ran')) });
    for (const other of [again, reuse]) {
      const b = await listAll(other);
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [k, v] of a) expect(b.get(k)!.equals(v), k).toBe(true);
    }
  }, 120_000);

  it('compare --float F --ptq DIR works on the output (F from `magik-parity float`)', async () => {
    const floatDir = path.join(tmp, 'float');
    await runFloat({ model, input: inputFile, mean: '0', var: '1', out: floatDir, threads: 1 });
    const rep = await compare({ float: floatDir, ptq: first, threads: 1 });
    const e = rep.edges[0]!;
    expect(e.summary.layers).toBeGreaterThan(100);
    expect(e.unmatched.a.length + e.unmatched.b.length).toBeLessThan(5);
    const finals = e.layers.filter((l) => /^(cls|obj|bbox|kps)_\d+$/.test(l.name));
    expect(finals.length).toBe(12);
  }, 120_000);

  it('--no-quant equals the float executor on every tensor, bit for bit', async () => {
    const out = path.join(tmp, 'noquant');
    const r = await runReference({ model, config: cfgFile, input: inputFile, out, noQuant: true });
    expect(r.params).toBeNull();
    expect(existsSync(path.join(out, 'params.json'))).toBe(false);
    const px = new Uint8Array(await fsp.readFile(inputFile));
    const x = new Float32Array(3 * 320 * 320);
    for (let p = 0; p < 320 * 320; p++) for (let c = 0; c < 3; c++) x[c * 320 * 320 + p] = px[p * 3 + c]!;
    const all = await runGraph(model, new Map([['input', floatTensor([1, 3, 320, 320], x)]]), { keep: 'all' });
    const m = await readManifest(path.join(out, 'ptq_model'));
    let checked = 0;
    for (const t of m.tensors) {
      if (t.role === 'input') continue;
      const want = all.get(t.tensorName)!;
      const nhwc = toNhwc(want.data as Float32Array, want.dims);
      const got = await fsp.readFile(path.join(out, 'ptq_model', t.file));
      expect(Buffer.from(nhwc.buffer, nhwc.byteOffset, nhwc.byteLength).equals(got), t.tensorName).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
  }, 60_000);

  it('4-bit features are dumped packed, high nibble first (node_quantize_bits)', async () => {
    const cfg4 = await writeConfig('cfg4.json', { node_quantize_bits: { [model.graph.nodes[0]!.name]: { feature: 4 } } });
    const out = path.join(tmp, 'bits4');
    await runReference({ model, config: cfg4, input: inputFile, out });
    const m = await readManifest(path.join(out, 'ptq_model'));
    const t = m.tensors.find((e) => e.nodeName === model.graph.nodes[0]!.name)!;
    expect(t.dtype).toBe('uint4');
    const count = t.shape.reduce((a, b) => a * b, 1);
    const bytes = await fsp.readFile(path.join(out, 'ptq_model', t.file));
    expect(bytes.length).toBe(Math.ceil(count / 2));
    const deq = new Float32Array((await fsp.readFile(path.join(out, 'ptq_model_dequantize', t.file))).buffer.slice(0));
    for (let i = 0; i < count; i += 101) {
      const v = i % 2 === 0 ? bytes[i >> 1]! >> 4 : bytes[i >> 1]! & 15;
      expect(deq[i]).toBe(Math.fround((v - t.zeroPoint!) * t.scale!));
    }
  }, 60_000);
});

describe('bad input: one UserError, nothing written', () => {
  const expectUserError = async (p: Promise<unknown>, code: string, re: RegExp, out: string): Promise<void> => {
    await expect(p).rejects.toMatchObject({ name: 'UserError', code, message: expect.stringMatching(re) });
    expect(existsSync(out)).toBe(false);
  };
  it('params.json of another model / missing tensors', async () => {
    const p = JSON.parse(await fsp.readFile(path.join(first, 'params.json'), 'utf8'));
    const wrongMd5 = path.join(tmp, 'p-md5.json');
    await fsp.writeFile(wrongMd5, JSON.stringify({ ...p, model: { ...p.model, md5: '0'.repeat(32) } }));
    let out = path.join(tmp, 'bad1');
    await expectUserError(run({ out, params: wrongMd5 }), 'PARAMS_FORMAT', /made for model .*md5 0{32}/, out);
    const missing = { ...p, features: { ...p.features } };
    delete missing.features[Object.keys(p.features)[10]!];
    const missingFile = path.join(tmp, 'p-missing.json');
    await fsp.writeFile(missingFile, JSON.stringify(missing));
    out = path.join(tmp, 'bad2');
    await expect(run({ out, params: missingFile })).rejects.toMatchObject({ code: 'PARAMS_FORMAT', message: expect.stringMatching(/without quantization parameters/) });
    const garbage = path.join(tmp, 'p-garbage.json');
    await fsp.writeFile(garbage, '{"format": "something"}');
    out = path.join(tmp, 'bad3');
    await expectUserError(run({ out, params: garbage }), 'PARAMS_FORMAT', /not a params file/, out);
  });
  it('bits outside 4..16 in the config', async () => {
    const f = await writeConfig('bits.json', { feature_quantize_bits: 3 });
    const out = path.join(tmp, 'bad4');
    await expectUserError(runReference({ model, config: f, input: inputFile, out }), 'CONFIG_FORMAT', /feature_quantize_bits/, out);
  });
  it('calibration folder missing or without images', async () => {
    let f = await writeConfig('nofolder.json', { path: path.join(tmp, 'no-such-folder') });
    let out = path.join(tmp, 'bad7');
    await expectUserError(runReference({ model, config: f, input: inputFile, out }), 'CONFIG_FORMAT', /no-such-folder: folder not found/, out);
    const empty = path.join(tmp, 'empty-calib');
    await fsp.mkdir(empty);
    await fsp.writeFile(path.join(empty, 'notes.txt'), 'not an image');
    f = await writeConfig('noimages.json', { path: empty });
    out = path.join(tmp, 'bad8');
    await expectUserError(runReference({ model, config: f, input: inputFile, out }), 'CONFIG_FORMAT', /no JPEG\/PNG\/BMP image found/, out);
  });
  it('--input of the wrong size', async () => {
    const small = path.join(tmp, 'small.bin');
    await fsp.writeFile(small, new Uint8Array(100 * 100 * 3));
    const out = path.join(tmp, 'bad5');
    await expectUserError(run({ out, input: small }), 'SHAPE_MISMATCH', /small\.bin/, out);
  });
  it('a model with an unsupported op', async () => {
    const bytes = buildModel({
      nodes: [{ opType: 'Einsum', inputs: ['x'], outputs: ['y'], attrs: { equation: 'nchw->nchw' }, name: 'e' }],
      inputs: [{ name: 'x', dims: [1, 3, 320, 320] }],
      outputs: [{ name: 'y', dims: [1, 3, 320, 320] }],
    });
    const f = path.join(tmp, 'einsum.onnx');
    await fsp.writeFile(f, bytes);
    const out = path.join(tmp, 'bad6');
    await expectUserError(runReference({ model: f, config: cfgFile, input: inputFile, out }), 'UNSUPPORTED_OP', /Einsum \(node "e"\)/, out);
  });
});
