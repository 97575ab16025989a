import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDumpSet } from '../src/dumps/open.js';
import { readDebugFolder } from '../src/dumps/debug-folder.js';
import { loadShapesMap } from '../src/dumps/shapes-map.js';
import { md5File, readEntryBytes, readEntryValues } from '../src/dumps/read.js';
import { decodeInto } from '../src/tensor/dtype.js';
import { makeGolden } from './fixtures.js';
import { stripExpected, viewEntry } from './expect-entries.js';
import { goldenTmp, snapshotTree, tmpDir } from './temp-golden.js';

describe('golden fixtures', () => {
  it('are deterministic: two runs write identical trees and indexes', async () => {
    const { dir, index } = await goldenTmp();
    const other = tmpDir();
    const again = await makeGolden(other);
    expect(again).toEqual(index);
    const strip = (t: Awaited<ReturnType<typeof snapshotTree>>) => t.map((x) => [x.path, x.size, x.md5]);
    expect(strip(await snapshotTree(other))).toEqual(strip(await snapshotTree(dir)));
    const onDisk = JSON.parse(await fsp.readFile(path.join(dir, 'index.json'), 'utf8'));
    expect(onDisk).toEqual(index);
    // rerunning into the same folder replaces its own output and gives the same result
    expect(await makeGolden(other)).toEqual(index);
  });

  it('pc: the reader gives the indexed entries, md5s and uint4 values', async () => {
    const { dir, index } = await goldenTmp();
    const before = await snapshotTree(path.join(dir, 'pc'));
    const set = await openDumpSet(path.join(dir, index.pc.dir));
    expect(set.kind).toBe('vendor-pc');
    expect(set.entries.map((e) => viewEntry(e, dir))).toEqual(index.pc.entries.map(stripExpected));
    expect(set.warnings).toEqual([`using the dump log ${path.join(dir, index.pc.log)} found next to MAGIK_DATA_DUMP/ (pass --pc-log to choose another)`]);
    for (const [i, e] of set.entries.entries()) expect(await md5File(e.file)).toBe(index.pc.entries[i]!.md5);
    const explicit = await openDumpSet(path.join(dir, index.pc.dumpDir), { log: path.join(dir, index.pc.log) });
    expect(explicit.warnings).toEqual([]);
    expect(explicit.entries.map((e) => viewEntry(e, dir))).toEqual(index.pc.entries.map(stripExpected));
    const u4 = set.entries.find((e) => e.name === index.pc.uint4.name)!;
    expect(u4.dtype).toBe('uint4');
    const bytes = readEntryBytes(u4);
    expect([...bytes.subarray(0, 4)]).toEqual(index.pc.uint4.firstBytes);
    const vals = new Float64Array(8);
    decodeInto('uint4', bytes, vals, 8);
    expect([...vals]).toEqual(index.pc.uint4.firstValues);
    // high nibble first
    expect(bytes[0]).toBe((index.pc.uint4.firstValues[0]! << 4) | index.pc.uint4.firstValues[1]!);
    expect(await snapshotTree(path.join(dir, 'pc'))).toEqual(before);
  });

  it('pc-bad: every bad case is an entry problem or a warning, never a crash', async () => {
    const { dir, index } = await goldenTmp();
    const c = index.pcBad;
    const set = await openDumpSet(path.join(dir, c.dumpDir), { log: path.join(dir, c.log) });
    expect(set.entries.map((e) => viewEntry(e, dir))).toEqual(c.entries.map(stripExpected));
    for (const w of c.warningsContain) expect(set.warnings.some((x) => x.includes(w)), w).toBe(true);
    expect(set.warnings).toHaveLength(c.warningsContain.length);
    expect(set.ignored.map((i) => path.basename(i.file))).toEqual(['readme.txt']);
  });

  it('board: entries with and without the log, ignored files, the corrupted layer and the input', async () => {
    const { dir, index } = await goldenTmp();
    const b = index.board;
    const before = await snapshotTree(path.join(dir, b.dir));
    const withLog = await openDumpSet(path.join(dir, b.dir), { log: path.join(dir, b.log) });
    expect(withLog.kind).toBe('board');
    expect(withLog.warnings).toEqual([]);
    expect(withLog.entries.map((e) => viewEntry(e, dir))).toEqual(b.entries.map(stripExpected));
    for (const [i, e] of withLog.entries.entries()) expect(await md5File(e.file)).toBe(b.entries[i]!.md5);
    const ign = withLog.ignored.map((i) => ({ file: path.relative(dir, i.file), reason: i.reason }));
    expect(ign.map((i) => i.file)).toEqual(b.ignored.map((i) => i.file));
    ign.forEach((i, k) => expect(i.reason).toContain(b.ignored[k]!.reasonContains));
    const noLog = await openDumpSet(path.join(dir, b.dir));
    expect(noLog.entries.map((e) => e.name)).toEqual(b.namesWithoutLog);
    expect(noLog.entries.filter((e) => e.role === 'layer').every((e) => e.shape === null && e.dtype === null)).toBe(true);
    for (const m of b.missingOnBoard) expect(withLog.entries.some((e) => e.name === `${m}_out`)).toBe(false);

    const pc = await openDumpSet(path.join(dir, index.pc.dumpDir), { log: path.join(dir, index.pc.log) });
    const find = (s: typeof pc, n: string) => s.entries.find((e) => e.name === n)!;
    const cor = b.corrupted;
    const pv = readEntryValues(find(pc, cor.pcName));
    const bv = readEntryValues(find(withLog, cor.boardName));
    const diff = [...pv.keys()].filter((i) => pv[i] !== bv[i]);
    expect(diff).toEqual(cor.changedPositions);
    expect(diff.length).toBe(cor.mismatchCount);
    expect(diff[0]).toBe(cor.firstMismatch.index);
    const [n, h, w, c] = cor.firstMismatch.nhwc;
    const [, H, W, C] = cor.shape as [number, number, number, number];
    expect(((n * H + h) * W + w) * C + c).toBe(cor.firstMismatch.index);
    expect([pv[cor.firstMismatch.index], bv[cor.firstMismatch.index]]).toEqual([cor.firstMismatch.pc, cor.firstMismatch.board]);
    for (const name of b.identical) expect(await md5File(find(pc, name).file)).toBe(await md5File(find(withLog, `${name}_out`).file));

    const bin = find(withLog, b.input.name);
    expect(bin.shape).toEqual(b.input.shape);
    const four = readEntryBytes(bin);
    const three = readEntryBytes(find(pc, b.input.pcName));
    for (let p = 0; p < three.length / 3; p++) {
      expect(four[p * 4 + 3]).toBe(0);
      for (let k = 0; k < 3; k++) expect(four[p * 4 + k]).toBe(three[p * 3 + k]);
    }
    expect(await snapshotTree(path.join(dir, b.dir))).toEqual(before);
  });

  it('debug: three consistent sub-folders; ptq = quantize(float), dequantize = (q - zp) * scale', async () => {
    const { dir, index } = await goldenTmp();
    const d = index.debug;
    const root = path.join(dir, d.dir);
    const all = await readDebugFolder(root);
    expect(all.inputU8).toBe(path.join(dir, d.input.u8));
    expect(all.inputFloat).toBe(path.join(dir, d.input.float));
    expect(all.nodeInfo!.allTypes).toEqual(d.allTypes);
    const shapes = await loadShapesMap(path.join(dir, d.shapesFile));
    expect(shapes).toEqual(Object.fromEntries(d.nodes.map((n) => [n.node, n.shape])));
    const open = (sub: 'float_model' | 'ptq_model' | 'ptq_model_dequantize') => openDumpSet(root, { sub, shapes });
    const [fl, pq, dq] = await Promise.all([open('float_model'), open('ptq_model'), open('ptq_model_dequantize')]);
    for (const node of d.nodes) {
      const name = node.file.replace(/\.bin$/, '');
      const f = fl.entries.find((e) => e.name === name)!;
      const q = pq.entries.find((e) => e.name === name)!;
      const z = dq.entries.find((e) => e.name === name)!;
      for (const e of [f, q, z]) {
        expect(e.opType).toBe(node.opType);
        expect(e.nodeName).toBe(node.node);
        expect(e.shape).toEqual(node.shape);
        expect(e.shapeSource).toBe('shapes-map');
        expect(e.problem).toBeUndefined();
      }
      expect([f.dtype, q.dtype, z.dtype]).toEqual(['float32', node.ptqDtype, 'float32']);
      // without a shape the ptq dtype comes from the size ratio against float_model
      expect(all.ptq.entries.find((e) => e.name === name)!.dtype).toBe(node.ptqDtype);
      const fv = readEntryValues(f);
      const qv = readEntryValues(q);
      const zv = readEntryValues(z);
      let maxErr = 0;
      for (let i = 0; i < fv.length; i++) {
        expect(zv[i]).toBe(Math.fround((qv[i]! - node.zeroPoint) * node.scale));
        maxErr = Math.max(maxErr, Math.abs(fv[i]! - zv[i]!));
      }
      expect(maxErr).toBe(node.maxAbsDequantError);
      expect(maxErr).toBeLessThanOrEqual(node.scale / 2 + 1e-6);
    }
    const inp = fl.entries[0]!;
    expect([inp.role, inp.name, inp.dtype]).toEqual(['input', 'input_uint8', 'uint8']);
  });

  it('npy: headers of every version, and bad files as entry problems', async () => {
    const { dir, index } = await goldenTmp();
    const set = await openDumpSet(path.join(dir, index.npy.dir));
    expect(set.kind).toBe('npy');
    expect(set.entries.map((e) => path.relative(dir, e.file))).toEqual(index.npy.files.map((f) => f.file));
    for (const [i, f] of index.npy.files.entries()) {
      const e = set.entries[i]!;
      expect(e.size).toBe(f.size);
      if (f.problem) {
        expect(e.problem?.code).toBe(f.problem.code);
        expect(e.problem?.reason).toContain(f.problem.reasonContains);
        if (f.problem.expectedBytes !== undefined) expect([e.problem?.expectedBytes, e.problem?.actualBytes]).toEqual([f.problem.expectedBytes, f.problem.actualBytes]);
        continue;
      }
      expect([e.dtype, e.shape, e.dataOffset, e.problem]).toEqual([f.dtype, f.shape, f.dataOffset, undefined]);
      expect([...readEntryValues(e).subarray(0, 6)]).toEqual(f.values);
    }
  });

  it('manifest: DumpFolderWriter output reads back with md5s and the collision suffix', async () => {
    const { dir, index } = await goldenTmp();
    const set = await openDumpSet(path.join(dir, index.manifest.dir));
    expect(set.kind).toBe('manifest');
    expect(set.warnings).toEqual([]);
    expect(set.entries.map((e) => [e.originalName, path.basename(e.file), e.dtype, e.shape, e.size, e.role, e.recordedMd5, e.scale, e.zeroPoint])).toEqual(
      index.manifest.tensors.map((t) => [t.tensorName, t.file, t.dtype, t.shape, t.size, t.role, t.md5, t.scale, t.zeroPoint]),
    );
    for (const e of set.entries) expect(await md5File(e.file)).toBe(e.recordedMd5);
    for (const r of index.manifest.renamed) expect(set.entries.find((e) => e.originalName === r.tensorName)!.file).toBe(path.join(dir, index.manifest.dir, r.file));
  });
});
