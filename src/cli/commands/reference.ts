/**
 * `magik-parity reference`: the PC integer reference (calibration driven by the guide's
 * ptq_config.json, integer inference, vendor-style dumps).
 */
import type { CommandModule } from 'yargs';
import cliProgress from 'cli-progress';
import { runCommand, type CommonArgs } from '../run.js';
import { EXIT } from '../../errors.js';
import type { KernelChoice, ReferencePhase } from '../../ptq/run-reference.js';
import { checkThreads, kernelOptions } from './kernel-options.js';

interface ReferenceArgs extends CommonArgs {
  model: string;
  config: string;
  input: string;
  out: string;
  params?: string;
  quant: boolean;
  mean?: string;
  var?: string;
  force: boolean;
  kernels: KernelChoice;
  threads?: number;
}

const LABELS: Record<ReferencePhase, string> = { calibrate: 'calibration images', 'bias-correction': 'bias correction images', run: 'inference nodes' };

/** One cli-progress bar per phase on stderr, only on a TTY. */
function progress(): { update: (phase: ReferencePhase, done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  let bar: cliProgress.SingleBar | null = null;
  let current: ReferencePhase | null = null;
  const stop = (): void => {
    bar?.stop();
    bar = null;
  };
  return {
    update(phase, done, total) {
      if (phase !== current) {
        stop();
        current = phase;
        bar = new cliProgress.SingleBar({ stream: process.stderr, format: `${phase.padEnd(15)} [{bar}] {value}/{total} ${LABELS[phase]}`, hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic);
        bar.start(total, 0);
      }
      bar?.update(done);
    },
    stop,
  };
}

export const referenceCommand: CommandModule<object, ReferenceArgs> = {
  command: 'reference',
  describe: 'PC integer reference: calibrate with ptq_config.json, run integer inference, write ptq_model/, MAGIK_DATA_DUMP/ and params.json',
  builder: (y) =>
    y
      .option('model', { type: 'string', demandOption: true, describe: 'float .onnx model' })
      .option('config', { type: 'string', demandOption: true, describe: 'the guide\'s ptq_config.json (calibration folder, methods, bits, skip lists)' })
      .option('input', { type: 'string', demandOption: true, describe: 'input_uint8.bin: uint8 NHWC, channels in the model\'s order' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder (created; must be empty unless --force)' })
      .option('params', { type: 'string', describe: 'reuse the params.json of an earlier run (skips calibration)' })
      .option('quant', { type: 'boolean', default: true, describe: 'quantize (--no-quant: the same executor in float)' })
      .option('mean', { type: 'string', describe: 'per-channel mean (overrides the config), e.g. 0,0,0' })
      .option('var', { type: 'string', describe: 'per-channel divisor (overrides the config), e.g. 255,255,255' })
      .option('force', { type: 'boolean', default: false, describe: 'replace files in a non-empty output folder' })
      .options(kernelOptions)
      .example('$0 reference --model m.onnx --config ptq_config.json --input input_uint8.bin --out ref', '')
      .example('$0 compare --float float_model --ptq ref', 'then compare it with the float run') as never,
  handler: runCommand<ReferenceArgs>(async (args) => {
    // heavy modules (onnxruntime, sharp, protobuf) load only when this command runs
    const { runReference } = await import('../../ptq/run-reference.js');
    const bar = progress();
    let r;
    try {
      r = await runReference({
        model: args.model,
        config: args.config,
        input: args.input,
        out: args.out,
        params: args.params,
        noQuant: !args.quant,
        mean: args.mean,
        var: args.var,
        force: args.force,
        kernels: args.kernels,
        threads: checkThreads(args.threads),
        onProgress: bar.update,
      });
    } finally {
      bar.stop();
    }
    for (const w of r.warnings) process.stderr.write(`magik-parity: warning: ${w}\n`);
    const bc = r.params?.biasCorrection;
    if (bc && bc.cosineBefore !== null) process.stdout.write(`bias correction: vali final-output cosine ${bc.cosineBefore.toFixed(6)} -> ${bc.cosineAfter!.toFixed(6)}\n`);
    const cos = Object.entries(r.outputCosine).map(([k, v]) => `${k} ${v.toFixed(6)}`).join(', ');
    const modes = Object.entries(r.modes).map(([k, v]) => `${v} ${k}`).join(', ');
    process.stdout.write(
      `reference: ${r.params ? 'integer' : 'float (--no-quant)'} run, ${r.written} tensors to ${r.out} (nodes: ${modes})${r.params ? `; final-output cosine vs float: ${cos}` : ''}; ` +
        `calibration ${(r.timings.calibrateMs / 1000).toFixed(1)} s, inference ${(r.timings.runMs / 1000).toFixed(1)} s, total ${(r.timings.totalMs / 1000).toFixed(1)} s\n`,
    );
    return EXIT.OK;
  }),
};
