/**
 * Golden vendor-side folders: a PC `MAGIK_DATA_DUMP/` with its log, a PC folder with every bad
 * case, and the board copy of the PC folder (with `_out` names, a 4-channel input, auxiliary
 * files and one corrupted layer).
 */
import type { DType } from '../src/tensor/dtype.js';
import { encodeRaw } from './encode.js';
import type { BoardCase, ExpectedEntry, PcBadCase, PcCase } from './golden-types.js';
import type { Prng } from './prng.js';
import { green, md5, nhwcOf, product, put } from './write-util.js';

interface Layer {
  name: string;
  original?: string;
  shape: number[];
  dtype: DType;
  role?: 'input';
  /** The PC program crashed while writing it (0-byte file). */
  crashed?: boolean;
  /** Only on the PC (float node): no board file. */
  pcOnly?: boolean;
}

/** The yolov5s-like layer list of the PC and board cases, in execution order. */
export const PC_LAYERS: Layer[] = [
  { name: 'input_data_shape_1_8_8_3', shape: [1, 8, 8, 3], dtype: 'uint8', role: 'input' },
  { name: '411_Quantize', shape: [1, 8, 8, 4], dtype: 'uint8' },
  { name: '414_Quantize', shape: [1, 4, 4, 8], dtype: 'uint8' },
  { name: '427', shape: [1, 4, 4, 8], dtype: 'float32', pcOnly: true },
  { name: '432_0_Quantize', shape: [1, 4, 4, 4], dtype: 'uint16' },
  { name: '432_1_Quantize', shape: [1, 4, 4, 6], dtype: 'uint4' },
  { name: 'backbone_relu_1', original: 'backbone/relu_1', shape: [1, 2, 2, 16], dtype: 'uint8' },
  { name: '440_Quantize', shape: [1, 2, 2, 16], dtype: 'uint16', crashed: true },
];

function valuesFor(rng: Prng, l: Layer): number[] {
  const n = product(l.shape);
  switch (l.dtype) {
    case 'float32':
      return rng.floats(n, -2, 2);
    case 'uint16':
      return rng.ints(n, 0, 1023); // 10-bit feature
    case 'uint4':
      return rng.ints(n, 0, 15);
    default:
      return rng.ints(n, 0, 255);
  }
}

/** The dump line formats the log mixes (all seen in or implied by FORMATS.md §1). */
function logLine(i: number, file: string, shape: number[]): string {
  const s = `[${shape.join(',')}]`;
  switch (i % 6) {
    case 0:
      return green(`Log: Data dumping to:./MAGIK_DATA_DUMP/${file}--->shape:${s}`) + '\n';
    case 1:
      return green(`Log: Data dumping to::./MAGIK_DATA_DUMP/${file}--->shape:${s}`) + '\r\n';
    case 2:
      return green(`Log: Data dumping to:./MAGIK_DATA_DUMP/${file}->shape:${s}`) + '\n';
    case 3:
      return `\x1b[1;32mLog: Data dumping to: /home/user/run/MAGIK_DATA_DUMP/${file} ------> shape: [${shape.join(', ')}]\x1b[0m\r\n`;
    case 4:
      return green(`Log: Data dumping to:${file}--->shape:${s}`) + '\n';
    default:
      return green(`Log: Data dumping to:./MAGIK_DATA_DUMP/${file}---->shape:${s}`) + '\n';
  }
}

export interface PcData {
  pc: PcCase;
  /** Layer bytes by name (the crashed layer's full bytes, as the board holds them). */
  bytes: Map<string, Uint8Array>;
}

export async function makePc(out: string, rng: Prng): Promise<PcData> {
  const dumpDir = 'pc/MAGIK_DATA_DUMP';
  const bytes = new Map<string, Uint8Array>();
  const entries: ExpectedEntry[] = [];
  let log = green('Log: magik inference start, MAGIK_CPP_DUMPDATA=true') + '\n';
  let uint4: PcCase['uint4'] | null = null;
  for (let i = 0; i < PC_LAYERS.length; i++) {
    const l = PC_LAYERS[i]!;
    const vals = valuesFor(rng, l);
    const full = encodeRaw(l.dtype, vals);
    bytes.set(l.name, full);
    const onDisk = l.crashed ? new Uint8Array(0) : full;
    const file = `${dumpDir}/${l.name}.bin`;
    const w = await put(out, file, onDisk);
    log += green(`Log: run node ${l.original ?? l.name}`) + '\n';
    log += logLine(i, `${l.name}.bin`, l.shape);
    if (l.dtype === 'uint4') uint4 = { name: l.name, firstValues: vals.slice(0, 8), firstBytes: [...full.subarray(0, 4)] };
    entries.push({
      name: l.name,
      file,
      role: l.role ?? 'layer',
      dtype: l.crashed ? null : l.dtype,
      shape: l.shape,
      shapeSource: 'log',
      size: w.size,
      md5: w.md5,
      ...(l.original ? { originalName: l.original } : {}),
      ...(l.crashed ? { problem: { code: 'empty-file' as const, actualBytes: 0 } } : {}),
    });
  }
  log += 'Segmentation fault (core dumped)\n';
  await put(out, 'pc/pc.log', log);
  return { pc: { dir: 'pc', dumpDir, log: 'pc/pc.log', entries, uint4: uint4! }, bytes };
}

/** A PC folder with every bad case a reader must survive. */
export async function makePcBad(out: string, rng: Prng): Promise<PcBadCase> {
  const dumpDir = 'pc-bad/MAGIK_DATA_DUMP';
  const lines: string[] = [];
  const entries: ExpectedEntry[] = [];
  const f = (n: string) => `${dumpDir}/${n}`;
  const add = async (name: string, data: Uint8Array) => put(out, f(name), data);
  const logL = (file: string, shape: string) => lines.push(green(`Log: Data dumping to:./MAGIK_DATA_DUMP/${file}--->shape:${shape}`));

  const inp = await add('input_data_shape_1_4_4_3.bin', new Uint8Array(rng.ints(48, 0, 255)));
  lines.push(green('Log: start'));
  logL('input_data_shape_1_4_4_3.bin', '[1,4,4,3]');
  entries.push({ name: 'input_data_shape_1_4_4_3', file: f('input_data_shape_1_4_4_3.bin'), role: 'input', dtype: 'uint8', shape: [1, 4, 4, 3], shapeSource: 'log', size: 48, md5: inp.md5 });
  const conv = await add('conv1.bin', new Uint8Array(rng.ints(128, 0, 255)));
  logL('conv1.bin', '[1,4,4,8]');
  entries.push({ name: 'conv1', file: f('conv1.bin'), role: 'layer', dtype: 'uint8', shape: [1, 4, 4, 8], shapeSource: 'log', size: 128, md5: conv.md5 });
  logL('missing_layer.bin', '[1,4,4,8]'); // no such file
  entries.push({ name: 'missing_layer', file: f('missing_layer.bin'), role: 'layer', dtype: null, shape: [1, 4, 4, 8], shapeSource: 'log', size: 0, problem: { code: 'missing-file' } });
  const dupFirst = lines.length + 1;
  logL('dup.bin', '[1,2,2,4]'); // first write: 16 uint16 values
  const dup = await add('dup.bin', new Uint8Array(rng.ints(32, 0, 255)));
  const trunc = await add('trunc.bin', new Uint8Array(rng.ints(100, 0, 255)));
  logL('trunc.bin', '[1,4,4,8]');
  entries.push({
    name: 'trunc',
    file: f('trunc.bin'),
    role: 'layer',
    dtype: null,
    shape: [1, 4, 4, 8],
    shapeSource: 'log',
    size: 100,
    md5: trunc.md5,
    problem: { code: 'size-mismatch', expectedBytes: 128, actualBytes: 100 },
  });
  const huge = await add('huge.bin', new Uint8Array(16));
  logL('huge.bin', '[99999999,99999999,99999999,99]');
  entries.push({ name: 'huge', file: f('huge.bin'), role: 'layer', dtype: null, shape: [99999999, 99999999, 99999999, 99], shapeSource: 'log', size: 16, md5: huge.md5, problem: { code: 'shape-overflow' } });
  const malformed = lines.length + 1;
  lines.push(green('Log: Data dumping to:./MAGIK_DATA_DUMP/bad.bin--->shape:[1,x,4,4]'));
  const badF = await add('bad.bin', new Uint8Array(rng.ints(64, 0, 255)));
  const hostileLine = lines.length + 1;
  lines.push(green('Log: Data dumping to:../../etc/passwd.bin--->shape:[1,1,1,4]'));
  entries.push({ name: 'passwd', file: f('passwd.bin'), role: 'layer', dtype: null, shape: [1, 1, 1, 4], shapeSource: 'log', size: 0, problem: { code: 'missing-file' } });
  await add('crash.bin', new Uint8Array(0));
  logL('crash.bin', '[1,4,4,8]');
  entries.push({ name: 'crash', file: f('crash.bin'), role: 'layer', dtype: null, shape: [1, 4, 4, 8], shapeSource: 'log', size: 0, md5: md5(new Uint8Array(0)), problem: { code: 'empty-file', actualBytes: 0 } });
  const dupLast = lines.length + 1;
  logL('dup.bin', '[1,4,4,2]'); // last write wins: 32 uint8 values
  entries.push({ name: 'dup', file: f('dup.bin'), role: 'layer', dtype: 'uint8', shape: [1, 4, 4, 2], shapeSource: 'log', size: 32, md5: dup.md5 });
  lines.push('Aborted');
  // files with no log line, listed after the logged ones in natural order
  entries.push({ name: 'bad', file: f('bad.bin'), role: 'layer', dtype: null, shape: null, size: 64, md5: badF.md5 });
  for (const n of ['unlogged_9', 'unlogged_10', 'unlogged_a']) {
    const w = await add(`${n}.bin`, new Uint8Array(rng.ints(8, 0, 255)));
    entries.push({ name: n, file: f(`${n}.bin`), role: 'layer', dtype: null, shape: null, size: 8, md5: w.md5 });
  }
  await put(out, 'pc-bad/notes.txt', 'not a dump\n');
  await put(out, 'pc-bad/MAGIK_DATA_DUMP/readme.txt', 'not a dump either\n');
  await put(out, 'pc-bad/pc-bad.log', lines.join('\n') + '\n');
  return {
    dir: 'pc-bad',
    dumpDir,
    log: 'pc-bad/pc-bad.log',
    entries,
    malformedLines: [malformed],
    duplicate: { file: 'dup.bin', lines: [dupFirst, dupLast], keptShape: [1, 4, 4, 2] },
    warningsContain: [
      `pc-bad.log:${malformed}: cannot parse dump line`,
      `pc-bad.log:${hostileLine}: logged path "../../etc/passwd.bin" is not inside MAGIK_DATA_DUMP/`,
      'missing_layer.bin is logged but not in',
      'passwd.bin is logged but not in',
      `dup.bin is logged twice (lines ${dupFirst} and ${dupLast})`,
      'bad.bin has no line in',
      'unlogged_9.bin has no line in',
      'unlogged_10.bin has no line in',
      'unlogged_a.bin has no line in',
    ],
  };
}

/** The board copy of the PC case (FORMATS.md §2). */
export async function makeBoard(out: string, rng: Prng, pc: PcData): Promise<BoardCase> {
  const entries: ExpectedEntry[] = [];
  const identical: string[] = [];
  let log = '';
  let corrupted: BoardCase['corrupted'] | null = null;
  let lineNo = 0;
  let input: BoardCase['input'] | null = null;
  for (const l of PC_LAYERS) {
    if (l.pcOnly) continue;
    const boardName = `${l.name}_out`;
    let data = pc.bytes.get(l.name)!;
    let shape = l.shape;
    if (l.role === 'input') {
      const [n, h, w] = l.shape as [number, number, number, number];
      const four = new Uint8Array(n * h * w * 4);
      for (let p = 0; p < n * h * w; p++) for (let c = 0; c < 3; c++) four[p * 4 + c] = data[p * 3 + c]!;
      data = four;
      shape = [n, h, w, 4];
      input = { name: boardName, shape, pcName: l.name };
    } else if (l.name === '414_Quantize') {
      data = new Uint8Array(data);
      const positions = [37, 38, 64, 100, 127];
      for (const p of positions) data[p] = (data[p]! + 1 + rng.int(0, 200)) & 0xff;
      const first = positions[0]!;
      corrupted = {
        pcName: l.name,
        boardName,
        dtype: l.dtype,
        shape: l.shape,
        changedPositions: positions,
        mismatchCount: positions.length,
        firstMismatch: { index: first, nhwc: nhwcOf(first, l.shape), pc: pc.bytes.get(l.name)![first]!, board: data[first]! },
      };
    } else if (!l.crashed) {
      identical.push(l.name);
    }
    const file = `board/${boardName}.bin`;
    const w = await put(out, file, data);
    log += logLine(lineNo++, `${boardName}.bin`, l.shape); // the board logs the logical (3-channel) input shape
    entries.push({ name: boardName, file, role: l.role ?? 'layer', dtype: l.dtype, shape, shapeSource: 'log', size: w.size, md5: w.md5 });
  }
  const ignored = [
    { file: 'board/411_Quantize_bt.bin', reasonContains: '_bt' },
    { file: 'board/414_Quantize_weight.bin', reasonContains: '_weight' },
    { file: 'board/bn1_mean.bin', reasonContains: '_mean' },
    { file: 'board/bn1_variance.bin', reasonContains: '_variance' },
  ];
  for (const ig of ignored) await put(out, ig.file, new Uint8Array(rng.ints(16, 0, 255)));
  await put(out, 'board.log', log);
  // inputs first, then natural file-name order (digit runs compared as numbers)
  const namesWithoutLog = [
    'input_data_shape_1_8_8_3_out',
    '411_Quantize_out',
    '414_Quantize_out',
    '432_0_Quantize_out',
    '432_1_Quantize_out',
    '440_Quantize_out',
    'backbone_relu_1_out',
  ];
  return {
    dir: 'board',
    log: 'board.log',
    entries,
    namesWithoutLog,
    ignored,
    missingOnBoard: PC_LAYERS.filter((l) => l.pcOnly).map((l) => l.name),
    corrupted: corrupted!,
    input: input!,
    identical,
  };
}
