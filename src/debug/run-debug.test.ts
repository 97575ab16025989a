/**
 * `magik-parity debug` end to end on YuNet (small and fast): a config whose "debug" section points
 * at a folder of 2 real photos, calibration on 1 shared calibration photo. Checks the transform
 * tool's layout per image (read back with src/dumps), the inputs written, the aggregated table
 * against the per-image compare reports, the printed table's round trip through the vendor-table
 * reader, the one-image layout, and bad input. CLI exit codes: run-debug-cli.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fsp, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDebug, type DebugResult } from './run-debug.js';
import { loadModel } from '../onnx/load.js';
import type { OnnxModel } from '../onnx/types.js';
import { openDumpSet, readManifest } from '../dumps/index.js';
import { parseVendorTable } from '../diagnose/vendor-table.js';
import { fromJsonNumber } from '../metrics/json.js';
import { prepareImageLoader } from '../../reference/quantize/image-source.js';
import { fmtVendor } from './distance-table.js';
import { UserError } from '../errors.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const data = (p: string) => path.resolve(repoRoot, '../shared/data', p);
const MODEL = data('models/yunet_n_320_320.onnx');
const IMAGES = ['images/faces_1.jpg', 'images/calib/messi5.jpg'];

let tmp: string;
let model: OnnxModel;
let r: DebugResult;

async function writeConfig(name: string, debug: Record<string, unknown> | null, calib = 'images/calib'): Promise<string> {
  const f = path.join(tmp, name);
  const cfg: Record<string, unknown> = { format: 'BGR', width: 320, height: 320, path: data(calib), used_image_num: 1, feature_quantize_method: 'MAX_ABS', weight_quantize_method: 'MAX_ABS' };
  if (debug) cfg.debug = debug;
  await fsp.writeFile(f, JSON.stringify(cfg));
  return f;
}

async function errorOf(p: Promise<unknown>): Promise<UserError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return e as UserError;
  }
  throw new Error('expected a UserError');
}

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'mp-debug-'));
  model = await loadModel(MODEL);
  // the debug images, copied into a scratch folder (the shared folder is never written)
  await fsp.mkdir(path.join(tmp, 'test_image'));
  for (const im of IMAGES) await fsp.copyFile(data(im), path.join(tmp, 'test_image', path.basename(im)));
  await fsp.writeFile(path.join(tmp, 'test_image', 'notes.txt'), 'not an image');
  const cfg = await writeConfig('ptq_config.json', { open: true, debug_input_path: './test_image', debug_output_dir: './dump_data' });
  r = await runDebug({ model, config: cfg });
}, 300_000);

afterAll(async () => {
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('magik-parity debug (YuNet, 2 debug images, MAX_ABS 8-bit)', () => {
  it('resolves the images and output folder from the config; one sub-folder per image', async () => {
    expect(r.out).toBe(path.join(tmp, 'dump_data'));
    expect(r.images.map((i) => i.label)).toEqual(['faces_1.jpg', 'messi5.jpg']);
    expect(r.folders).toEqual([path.join(tmp, 'dump_data', 'faces_1'), path.join(tmp, 'dump_data', 'messi5')]);
    expect(r.notes).toEqual([]);
    expect(r.warnings.some((w) => w.includes('notes.txt'))).toBe(true);
    const top = (await fsp.readdir(r.out)).sort();
    expect(top).toEqual(['distance.json', 'distance.txt', 'faces_1', 'messi5', 'report.html', 'report.json', 'report.md']);
  });

  it("writes the transform tool's layout per image, which src/dumps reads back as a debug folder", async () => {
    for (let i = 0; i < 2; i++) {
      const dir = r.folders[i]!;
      const names = (await fsp.readdir(dir)).sort();
      for (const want of ['float_model', 'ptq_model', 'ptq_model_dequantize', 'input.bin', 'input_uint8.bin', 'model_node_info.json']) expect(names).toContain(want);
      expect(names).not.toContain('MAGIK_DATA_DUMP');
      const fl = await openDumpSet(dir, { sub: 'float_model' });
      const pq = await openDumpSet(dir, { sub: 'ptq_model' });
      expect(fl.kind).toBe('debug');
      expect(pq.kind).toBe('debug');
      // files named by node (FORMATS.md §3), labelled from model_node_info.json; ptq dtype from the size against float_model/
      const conv0 = pq.entries.find((e) => e.name === 'Conv_0')!;
      expect(conv0.nodeName).toBe('Conv_0');
      expect(conv0.opType).toBe('Conv');
      expect(conv0.dtype).toBe('uint8');
      const layers = pq.entries.filter((e) => e.role === 'layer');
      expect(layers.length).toBeGreaterThan(100);
      expect(layers.every((e) => e.dtype === 'uint8')).toBe(true);
      expect(fl.entries.find((e) => e.name === 'Conv_0')!.size).toBe(conv0.size * 4);
      expect(existsSync(path.join(dir, 'float_model', '458.bin'))).toBe(false); // not by tensor name
      // input_uint8.bin = the image prepared like a calibration image; input.bin = float32 after mean 0 / var 1
      const u8 = await fsp.readFile(path.join(dir, 'input_uint8.bin'));
      const want = await prepareImageLoader(data(IMAGES[i]!), 320, 320, 'BGR');
      expect(Buffer.compare(u8, Buffer.from(want))).toBe(0);
      const f32 = new Float32Array((await fsp.readFile(path.join(dir, 'input.bin'))).buffer.slice(0));
      expect(f32.length).toBe(u8.length);
      expect(Array.from(f32.subarray(0, 64))).toEqual(Array.from(u8.subarray(0, 64)));
      const info = JSON.parse(await fsp.readFile(path.join(dir, 'model_node_info.json'), 'utf8'));
      expect(info.all_type).toContain('Conv');
      expect(info.Conv[0]).toBe('Conv_0');
    }
    // calibrated once: both images ran with the same parameters
    const p0 = await readManifest(path.join(r.folders[0]!, 'ptq_model'));
    const p1 = await readManifest(path.join(r.folders[1]!, 'ptq_model'));
    expect(p1.tensors.map((t) => t.scale)).toEqual(p0.tensors.map((t) => t.scale));
  });

  it('aggregates each row as the mean/min/max of the per-image compare cosines, named by the producing node', () => {
    expect(r.table.rows.length).toBeGreaterThan(100);
    const perImage = r.reports.map((rep) => new Map(rep.edges.find((e) => e.id === 'float~ptq')!.layers.map((l) => [l.name, l])));
    for (const row of r.table.rows) {
      const ls = perImage.map((m) => m.get(row.tensor)!);
      const cos = ls.map((l) => fromJsonNumber(l.cosine));
      expect(row.images).toBe(2);
      expect(row.cosineAvg).toBeCloseTo((cos[0]! + cos[1]!) / 2, 12);
      expect(row.cosineMin).toBeCloseTo(Math.min(...cos), 12);
      expect(row.cosineMax).toBeCloseTo(Math.max(...cos), 12);
      expect(row.worstImage).toBe(cos[0]! <= cos[1]! ? 'faces_1.jpg' : 'messi5.jpg');
      expect(row.eucDistance).toBeCloseTo((fromJsonNumber(ls[0]!.euclidean) + fromJsonNumber(ls[1]!.euclidean)) / 2, 6);
      expect(row.maxAbs).toBeCloseTo(Math.max(fromJsonNumber(ls[0]!.maxAbs), fromJsonNumber(ls[1]!.maxAbs)), 12);
      expect(row.name).toBe(ls[0]!.nodeName);
      // std of a difference never exceeds its largest magnitude
      expect(row.stdDev).toBeLessThanOrEqual(row.maxAbs + 1e-12);
    }
    expect(r.table.rows[0]!.name).toBe('Conv_0');
    // YuNet quantized to 8 bits: the first layer is healthy, the sigmoid heads are not
    expect(r.table.rows[0]!.cosineAvg).toBeGreaterThan(0.999);
    expect(Math.min(...r.table.rows.map((x) => x.cosineMin))).toBeLessThan(0.9);
  });

  it('prints the table so that the vendor-table reader gets the same numbers back; saves it', async () => {
    const back = parseVendorTable(r.tableText, 'debug stdout');
    expect(back.warnings).toEqual([]);
    expect(back.rows.map((x) => x.name)).toEqual(r.table.rows.map((x) => x.name));
    back.rows.forEach((b, i) => {
      const w = r.table.rows[i]!;
      expect([b.cosineAvg, b.cosineMin, b.cosineMax, b.eucDistance, b.stdDev, b.maxAbs, b.maxAbs01]).toEqual([w.cosineAvg, w.cosineMin, w.cosineMax, w.eucDistance, w.stdDev, w.maxAbs, w.maxAbs01].map((x) => Number(fmtVendor(x))));
    });
    expect(r.tableText).toMatch(/\n\nworst image per layer \(lowest cosine over 2 images\):\n {2}Conv_0 +(faces_1|messi5)\.jpg\n/);
    expect(await fsp.readFile(path.join(r.out, 'distance.txt'), 'utf8')).toBe(r.tableText);
    const j = JSON.parse(await fsp.readFile(path.join(r.out, 'distance.json'), 'utf8'));
    expect(j.rows[0].cosine_avg).toBe(r.table.rows[0]!.cosineAvg);
    expect(j.rows[0].per_image.map((p: { image: string }) => p.image)).toEqual(['faces_1.jpg', 'messi5.jpg']);
  });

  it('triage: per-image reports, the worst image (lowest mean cosine) in the output folder', async () => {
    const means = r.reports.map((rep) => {
      const ls = rep.edges.find((e) => e.id === 'float~ptq')!.layers.filter((l) => l.cosine !== undefined);
      return ls.reduce((s, l) => s + fromJsonNumber(l.cosine), 0) / ls.length;
    });
    expect(r.worstImage).toBe(means[0]! <= means[1]! ? 0 : 1);
    const top = JSON.parse(await fsp.readFile(path.join(r.out, 'report.json'), 'utf8'));
    expect(top.sources[0].root).toBe(path.join(r.folders[r.worstImage]!, 'float_model'));
    for (const rep of r.reports) {
      expect(rep.inputs.consistent).toBe(true);
      expect(rep.findings.map((f) => f.code)).toContain('B');
    }
    for (const d of r.folders) expect(existsSync(path.join(d, 'report.md'))).toBe(true);
  });

  it('one image: the layout directly in --out; open: false is noted; --params reuses the parameters', async () => {
    const cfg = await writeConfig('closed.json', { open: false, debug_input_path: data(IMAGES[0]!) });
    const out = path.join(tmp, 'one');
    const one = await runDebug({ model, config: cfg, out, params: path.join(r.folders[0]!, 'params.json') });
    expect(one.folders).toEqual([out]);
    expect(one.notes.join('\n')).toContain('"debug.open" is false, so the transform tool would skip the debug run; running it anyway');
    const names = (await fsp.readdir(out)).sort();
    expect(names).toEqual(['distance.json', 'distance.txt', 'float_model', 'input.bin', 'input_uint8.bin', 'model_node_info.json', 'params.json', 'ptq_model', 'ptq_model_dequantize', 'report.html', 'report.json', 'report.md']);
    expect(one.tableText).not.toContain('worst image');
    // same image, same parameters: the same per-image cosines as in the two-image run
    const row = one.table.rows[5]!;
    const twin = r.table.rows.find((x) => x.tensor === row.tensor)!;
    expect(row.cosineAvg).toBe(twin.perImage[0]!.cosine);
    // the output folder now holds a run: refused without --force
    expect((await errorOf(runDebug({ model, config: cfg, out }))).code).toBe('FOLDER_NOT_EMPTY');
  }, 120_000);

  it('bad input: clear UserErrors, nothing written', async () => {
    const none = await writeConfig('nodebug.json', null);
    let e = await errorOf(runDebug({ model, config: none, out: path.join(tmp, 'x1') }));
    expect(e.message).toContain('no "debug" section with "debug_input_path"');
    expect(e.message).toContain('and no --input');
    expect(e.hint).toContain('guide §3.2');

    const missing = await writeConfig('missing.json', { open: true, debug_input_path: './no_such_folder', debug_output_dir: './x2' });
    e = await errorOf(runDebug({ model, config: missing }));
    expect(e.code).toBe('FILE_NOT_FOUND');
    expect(e.message).toBe(`"debug.debug_input_path" ${path.join(tmp, 'no_such_folder')}: not found`);

    const emptyDir = path.join(tmp, 'no_images');
    await fsp.mkdir(emptyDir);
    await fsp.writeFile(path.join(emptyDir, 'readme.txt'), 'x');
    e = await errorOf(runDebug({ model, config: none, input: emptyDir, out: path.join(tmp, 'x3') }));
    expect(e.message).toBe(`--input ${emptyDir}: no JPEG/PNG/BMP image in the folder`);

    e = await errorOf(runDebug({ model, config: none, input: path.join(emptyDir, 'readme.txt'), out: path.join(tmp, 'x4') }));
    expect(e.code).toBe('IMAGE_FORMAT');

    const noOut = await writeConfig('noout.json', { open: true, debug_input_path: data(IMAGES[0]!) });
    e = await errorOf(runDebug({ model, config: noOut }));
    expect(e.message).toContain('no "debug.debug_output_dir" and no --out');

    const noCalib = await writeConfig('nocalib.json', { open: true, debug_input_path: data(IMAGES[0]!) }, 'images/no_such_calib');
    e = await errorOf(runDebug({ model, config: noCalib, out: path.join(tmp, 'x5') }));
    expect(e.message).toContain('no_such_calib: folder not found');
    e = await errorOf(runDebug({ model, config: noCalib, out: path.join(tmp, 'x6'), params: path.join(tmp, 'no_params.json') }));
    expect(e.message).toContain('no_params.json');

    for (const d of ['x1', 'x2', 'x3', 'x4', 'x5', 'x6']) expect(existsSync(path.join(tmp, d))).toBe(false);
  });
});
