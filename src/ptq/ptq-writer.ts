/**
 * Writes the reference's dump folders while the integer run streams tensors (FORMATS.md §1, §3):
 *
 * - `ptq_model/`: feature codes, NHWC for 4-D, uint8 (≤ 8 bits, 5..8-bit values stored as uint8),
 *   uint16 (9..16 bits), 4-bit packed two per byte high nibble first; manifest.json with scale and
 *   zero point per tensor. Float tensors (features kept in float) as float32.
 * - `ptq_model_dequantize/`: the same tensors as float32, (q − zp) · scale.
 * - `MAGIK_DATA_DUMP/`: the vendor PC library's layout: `input_data_shape_1_h_w_c.bin` (the uint8
 *   input as given), `<sanitized tensor>_Quantize.bin` for quantized tensors (same bytes as in
 *   ptq_model/), `<sanitized tensor>.bin` for float ones; and `pc.log` next to it with one
 *   `Log: Data dumping to:./MAGIK_DATA_DUMP/<file>--->shape:[...]` line per file, in execution order,
 *   wrapped in the vendor's green ANSI colour.
 *
 * Every file is written atomically; manifests and the log last.
 */
import * as path from 'node:path';
import { promises as fsp } from 'node:fs';
import { AtomicFile, writeFileAtomic } from '../io/atomic.js';
import { ManifestBuilder } from '../dumps/manifest-builder.js';
import { DUMP_DIR_NAME } from '../dumps/vendor-pc.js';
import { sanitizeName } from '../names.js';
import { fsError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import type { FeatureQParams } from '../../reference/quant/feature-params.js';
import { featureDumpDType } from '../../reference/quant/feature-params.js';
import { dequantizeTensor, packUint4 } from '../../reference/quant/quantize-tensor.js';

type Typed = Float32Array | Uint8Array | Uint16Array;

/** NCHW → NHWC for any element type (other ranks unchanged). */
export function toNhwc<T extends Typed>(data: T, dims: readonly number[]): T {
  if (dims.length !== 4) return data;
  const [n, c, h, w] = dims as [number, number, number, number];
  const out = new (data.constructor as { new (len: number): T })(data.length);
  const hw = h * w;
  for (let b = 0; b < n; b++) {
    const base = b * c * hw;
    for (let ch = 0; ch < c; ch++) {
      const s = base + ch * hw;
      let d = base + ch;
      for (let p = 0; p < hw; p++, d += c) out[d] = data[s + p]!;
    }
  }
  return out;
}

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export const PC_LOG_FILE = 'pc.log';

/** The vendor log line for one dump file. */
export function vendorLogLine(file: string, shape: readonly number[]): string {
  return `\x1b[32mLog: Data dumping to:./${DUMP_DIR_NAME}/${file}--->shape:[${shape.join(',')}]\x1b[0m`;
}

export interface PtqWriterInit {
  out: string;
  model: { file: string; md5: string };
  inputMd5: string;
}

export class PtqWriter {
  readonly ptqDir: string;
  readonly deqDir: string;
  readonly dumpDir: string;
  private readonly ptq: ManifestBuilder;
  private readonly deq: ManifestBuilder;
  private readonly logLines: string[] = [];
  private readonly usedDump = new Set<string>();
  count = 0;

  private constructor(private readonly init: PtqWriterInit) {
    this.ptqDir = path.join(init.out, 'ptq_model');
    this.deqDir = path.join(init.out, 'ptq_model_dequantize');
    this.dumpDir = path.join(init.out, DUMP_DIR_NAME);
    const opts = { model: init.model, inputMd5: init.inputMd5 };
    this.ptq = new ManifestBuilder(this.ptqDir, { producer: 'reference', ...opts });
    this.deq = new ManifestBuilder(this.deqDir, { producer: 'reference-dequantize', ...opts });
  }

  /** Creates the three sub-folders (the output folder itself must be prepared). */
  static async create(init: PtqWriterInit): Promise<PtqWriter> {
    const w = new PtqWriter(init);
    for (const d of [w.ptqDir, w.deqDir, w.dumpDir]) {
      try {
        await fsp.mkdir(d, { recursive: true });
      } catch (e) {
        throw fsError(e, d, 'create the output folder');
      }
    }
    return w;
  }

  private dumpFile(stem: string): string {
    let name = `${stem}.bin`;
    for (let k = 1; this.usedDump.has(name.toLowerCase()); k++) name = `${stem}_${k}.bin`;
    this.usedDump.add(name.toLowerCase());
    return name;
  }

  private writeDump(file: string, bytes: Uint8Array, shape: readonly number[]): void {
    const f = new AtomicFile(path.join(this.dumpDir, file));
    try {
      f.write(bytes);
      f.commit();
    } catch (e) {
      f.abort();
      throw e;
    }
    this.logLines.push(vendorLogLine(file, shape));
  }

  /** The vendor's input dump: the uint8 NHWC input as given (3 channels). */
  addVendorInput(u8: Uint8Array, nhwc: readonly number[]): void {
    this.writeDump(this.dumpFile(`input_data_shape_${nhwc.join('_')}`), u8, nhwc);
  }

  /**
   * One tensor (NCHW for 4-D as the executor has it): codes with their parameters, or float32
   * with q = null.
   */
  add(meta: { tensorName: string; nodeName: string; opType: string; role?: 'input' | 'layer' }, dims: readonly number[], data: Typed, q: FeatureQParams | null): void {
    const layout = dims.length === 4 ? 'NHWC' : 'row-major';
    const shape = dims.length === 4 ? [dims[0]!, dims[2]!, dims[3]!, dims[1]!] : [...dims];
    const nhwc = toNhwc(data, dims);
    const base = { ...meta, shape, layout } as const;
    if (q) {
      const dtype: DType = featureDumpDType(q.bits);
      const bytes = dtype === 'uint4' ? packUint4(nhwc) : bytesOf(nhwc);
      this.ptq.add({ ...base, dtype, scale: q.scale, zeroPoint: q.zeroPoint }, bytes);
      this.deq.add({ ...base, dtype: 'float32' }, bytesOf(dequantizeTensor(nhwc, q)));
      if (meta.role !== 'input') this.writeDump(this.dumpFile(`${sanitizeName(meta.tensorName)}_Quantize`), bytes, shape);
    } else {
      const f = nhwc instanceof Float32Array ? nhwc : Float32Array.from(nhwc);
      this.ptq.add({ ...base, dtype: 'float32' }, bytesOf(f));
      this.deq.add({ ...base, dtype: 'float32' }, bytesOf(f));
      if (meta.role !== 'input') this.writeDump(this.dumpFile(sanitizeName(meta.tensorName)), bytesOf(f), shape);
    }
    this.count++;
  }

  /** Writes the manifests and pc.log. */
  async finish(): Promise<void> {
    await this.ptq.finish();
    await this.deq.finish();
    await writeFileAtomic(path.join(this.init.out, PC_LOG_FILE), `${this.logLines.join('\n')}\n`);
  }
}
