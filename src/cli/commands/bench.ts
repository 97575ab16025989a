/**
 * `magik-parity bench`: median integer reference inference time vs onnxruntime's float run of the
 * same model on the same input and thread count (src/ptq/bench-inference.ts).
 */
import type { CommandModule } from 'yargs';
import { runCommand, type CommonArgs } from '../run.js';
import { EXIT } from '../../errors.js';
import type { KernelChoice } from '../../ptq/run-reference.js';
import { checkThreads, kernelOptions } from './kernel-options.js';

interface BenchArgs extends CommonArgs {
  model: string;
  input: string;
  params?: string;
  config?: string;
  mean?: string;
  var?: string;
  repeat: number;
  kernels: KernelChoice;
  threads?: number;
  json: boolean;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'time the integer reference inference against onnxruntime float (same input, same threads; medians after a warm-up)',
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'float .onnx model' })
      .option('input', { type: 'string', demandOption: true, describe: 'input_uint8.bin: uint8 NHWC' })
      .option('params', { type: 'string', describe: 'params.json of an earlier reference run (no calibration)' })
      .option('config', { type: 'string', describe: 'ptq_config.json: calibrate with it when --params is not given (also gives mean/var and skip lists)' })
      .option('mean', { type: 'string', describe: 'per-channel mean (default: the config\'s, else 0)' })
      .option('var', { type: 'string', describe: 'per-channel divisor (default: the config\'s, else 1)' })
      .option('repeat', { type: 'number', default: 5, describe: 'timed runs per side (the median is reported)' })
      .options(kernelOptions)
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object (reference_ms, ort_float_ms, ratio, gmacs, per_op, ...)' })
      .example('$0 bench --model m.onnx --params ref/params.json --input input_uint8.bin', '')
      .example('$0 bench --model m.onnx --input input_uint8.bin --json', 'no --params/--config: MAX_ABS 8-bit calibration on the input itself') as never,
  handler: runCommand<BenchArgs>(async (args) => {
    // heavy modules (onnxruntime, sharp, protobuf) load only when this command runs
    const { benchInference } = await import('../../ptq/bench-inference.js');
    const r = await benchInference({
      model: args.model,
      input: args.input,
      params: args.params,
      config: args.config,
      mean: args.mean,
      var: args.var,
      repeat: args.repeat,
      threads: checkThreads(args.threads),
      kernels: args.kernels,
    });
    for (const w of r.warnings) process.stderr.write(`magik-parity: warning: ${w}\n`);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return EXIT.OK;
    }
    const top = Object.entries(r.per_op).slice(0, 6).map(([op, ms]) => `${op} ${ms.toFixed(1)}`).join(', ');
    process.stdout.write(
      `bench ${r.model}: integer reference (${r.kernels} kernels, ${r.threads} thread${r.threads === 1 ? '' : 's'}, params: ${r.calibration}) ${r.reference_ms.toFixed(1)} ms; ` +
        `onnxruntime float ${r.ort_float_ms.toFixed(1)} ms; ratio ${r.ratio.toFixed(2)}; ${(r.macs / 1e9).toFixed(3)} GMAC -> ${r.gmacs.toFixed(1)} GMAC/s (median of ${r.repeat})\n` +
        `  time per op type (ms): ${top}\n`,
    );
    return EXIT.OK;
  }),
};
