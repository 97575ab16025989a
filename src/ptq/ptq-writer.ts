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
import { DumpFolderWriter } from '../dumps/dump-folder-writer.js';
import { DUMP_DIR_NAME } from '../dumps/vendor-pc.js';
import { vendorInputStem } from '../names.js';
import { fsError } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { toNhwc, dumpShape } from '../tensor/layout.js';
import type { FeatureQParams } from '../../reference/quant/feature-params.js';
import { featureDumpDType } from '../../reference/quant/feature-params.js';
import { dequantizeTensor, packUint4 } from '../../reference/quant/quantize-tensor.js';

type Typed = Float32Array | Uint8Array | Uint16Array;

function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export const PC_LOG_FILE = 'pc.log';

export interface PtqWriterInit {
  out: string;
  model: { file: string; md5: string };
  inputMd5: string;
  /** Write MAGIK_DATA_DUMP/ + pc.log (default true); false for the transform tool's debug layout. */
  pcDump?: boolean;
  /** ptq_model/ and ptq_model_dequantize/ file names: tensor (default) or node names. */
  fileNames?: 'tensor' | 'node';
}

export class PtqWriter {
  readonly ptqDir: string;
  readonly deqDir: string;
  readonly dumpDir: string;
  private readonly ptq: DumpFolderWriter;
  private readonly deq: DumpFolderWriter;
  /** The vendor-style folder: raw files, no manifest, and pc.log next to it. */
  private readonly vendor: DumpFolderWriter | null;
  private readonly inputStem: string | undefined;
  count = 0;

  private constructor(init: PtqWriterInit) {
    this.ptqDir = path.join(init.out, 'ptq_model');
    this.deqDir = path.join(init.out, 'ptq_model_dequantize');
    this.dumpDir = path.join(init.out, DUMP_DIR_NAME);
    const opts = { model: init.model, inputMd5: init.inputMd5, fileNames: init.fileNames };
    // debug layout: the quantized input is ptq_model/input.bin, the twin of float_model/input.bin
    this.inputStem = init.fileNames === 'node' ? 'input' : undefined;
    this.ptq = new DumpFolderWriter(this.ptqDir, { producer: 'reference', ...opts });
    this.deq = new DumpFolderWriter(this.deqDir, { producer: 'reference-dequantize', ...opts });
    this.vendor = init.pcDump === false ? null : new DumpFolderWriter(this.dumpDir, { producer: 'reference', fileNames: 'tensor', manifest: false, reserved: [], log: { file: path.join(init.out, PC_LOG_FILE), color: true } });
  }

  /** Creates the three sub-folders (the output folder itself must be prepared). */
  static async create(init: PtqWriterInit): Promise<PtqWriter> {
    const w = new PtqWriter(init);
    for (const d of w.vendor ? [w.ptqDir, w.deqDir, w.dumpDir] : [w.ptqDir, w.deqDir]) {
      try {
        await fsp.mkdir(d, { recursive: true });
      } catch (e) {
        throw fsError(e, d, 'create the output folder');
      }
    }
    return w;
  }

  /** The vendor's input dump: the uint8 NHWC input as given (3 channels). */
  addVendorInput(u8: Uint8Array, nhwc: readonly number[]): void {
    const [n, h, w, c] = nhwc as [number, number, number, number];
    this.vendor?.add({ tensorName: 'input', nodeName: '', opType: 'Input', dtype: 'uint8', shape: nhwc, layout: 'NHWC', role: 'input' }, u8, { stem: vendorInputStem([n, h, w, c]) });
  }

  /**
   * One tensor (NCHW for 4-D as the executor has it): codes with their parameters, or float32
   * with q = null.
   */
  add(meta: { tensorName: string; nodeName: string; opType: string; role?: 'input' | 'layer' }, dims: readonly number[], data: Typed, q: FeatureQParams | null): void {
    const layout = dims.length === 4 ? 'NHWC' : 'row-major';
    const shape = dumpShape(dims);
    const nhwc = toNhwc(data, dims);
    const base = { ...meta, shape, layout } as const;
    if (q) {
      const dtype: DType = featureDumpDType(q.bits);
      const bytes = dtype === 'uint4' ? packUint4(nhwc) : bytesOf(nhwc);
      const o = { stem: meta.role === 'input' ? this.inputStem : undefined };
      this.ptq.add({ ...base, dtype, scale: q.scale, zeroPoint: q.zeroPoint }, bytes, o);
      this.deq.add({ ...base, dtype: 'float32' }, bytesOf(dequantizeTensor(nhwc, q)), o);
      // the vendor names a quantized node's dump `<tensor>_Quantize.bin`
      if (meta.role !== 'input') this.vendor?.add({ ...base, tensorName: `${meta.tensorName}_Quantize`, dtype, scale: q.scale, zeroPoint: q.zeroPoint }, bytes);
    } else {
      const f = nhwc instanceof Float32Array ? nhwc : Float32Array.from(nhwc);
      const o = { stem: meta.role === 'input' ? this.inputStem : undefined };
      this.ptq.add({ ...base, dtype: 'float32' }, bytesOf(f), o);
      this.deq.add({ ...base, dtype: 'float32' }, bytesOf(f), o);
      if (meta.role !== 'input') this.vendor?.add({ ...base, dtype: 'float32' }, bytesOf(f));
    }
    this.count++;
  }

  /** Writes the manifests and pc.log. */
  async finish(): Promise<void> {
    await this.ptq.finish();
    await this.deq.finish();
    await this.vendor?.finish();
  }
}
