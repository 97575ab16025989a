/**
 * `magik-parity float`: run the float ONNX model on input_uint8.bin and write every tensor in
 * the vendor's float_model layout (float32 NHWC files + manifest.json).
 */
import type { CommandModule } from 'yargs';
import { runCommand, type CommonArgs } from '../run.js';
import { EXIT } from '../../errors.js';
import { parseShapeOption } from '../../input/input-file.js';

interface FloatArgs extends CommonArgs {
  model: string;
  input: string;
  mean: string;
  var: string;
  'swap-rb': boolean;
  'input-shape'?: string;
  out: string;
  force: boolean;
  threads?: number;
  'non-float': 'skip' | 'write';
}

export const floatCommand: CommandModule<object, FloatArgs> = {
  command: 'float',
  describe: 'run the float ONNX model and dump every tensor (float32 NHWC, vendor float_model layout)',
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'float .onnx model' })
      .option('input', { type: 'string', demandOption: true, describe: 'input_uint8.bin: uint8 NHWC, channels already in the model\'s order (a 4-channel board input uses channels 0-2)' })
      .option('mean', { type: 'string', demandOption: true, describe: 'per-channel mean, comma list (one value = all channels): x = (u8 - mean) / var' })
      .option('var', { type: 'string', demandOption: true, describe: 'per-channel divisor, comma list, non-zero' })
      .option('swap-rb', { type: 'boolean', default: false, describe: 'swap channels 0 and 2 of the input before mean/var (probe for a colour-order mix-up)' })
      .option('input-shape', { type: 'string', describe: 'NHWC shape of the input file, e.g. 1,416,416,3 (default: from the file name or the model)' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder (created; must be empty unless --force)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace files in a non-empty output folder' })
      .option('threads', { type: 'number', describe: 'onnxruntime intra-op threads (default: one per core)' })
      .option('non-float', { choices: ['skip', 'write'] as const, default: 'skip' as const, describe: 'int64/bool tensors (shape arithmetic): skip (listed in manifest.json) or write in their own type' })
      .example('$0 float --model m.onnx --input input_uint8.bin --mean 0,0,0 --var 255,255,255 --out float_model', '') as never,
  handler: runCommand<FloatArgs>(async (args) => {
    // heavy modules (onnxruntime, sharp, protobuf) load only when this command runs
    const { runFloat } = await import('../../float/run-float.js');
    const r = await runFloat({
      model: args.model,
      input: args.input,
      mean: args.mean,
      var: args.var,
      swapRb: args['swap-rb'],
      inputShape: args['input-shape'] ? parseShapeOption(args['input-shape']) : undefined,
      out: args.out,
      force: args.force,
      threads: args.threads,
      nonFloat: args['non-float'],
    });
    for (const w of r.warnings) process.stderr.write(`magik-parity: warning: ${w}\n`);
    const skipped = r.manifest.skipped?.length ?? 0;
    process.stdout.write(
      `float: wrote ${r.written} tensors (input.bin + ${r.written - 1} layers)${skipped ? `, skipped ${skipped} (see manifest.json)` : ''} to ${r.out} in ${(r.timings.totalMs / 1000).toFixed(2)} s\n`,
    );
    return EXIT.OK;
  }),
};
