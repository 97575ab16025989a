/**
 * `magik-parity pc`: run the vendor's PC inference program with dumping on and collect
 * MAGIK_DATA_DUMP/ + pc.log into --out (see src/vendor/run-pc.ts).
 */
import type { CommandModule } from 'yargs';
import { runCommand, type CommonArgs } from '../run.js';
import { EXIT } from '../../errors.js';
import { parseShapeOption } from '../../input/input-file.js';
import { runPcProgram } from '../../vendor/run-pc.js';

interface PcArgs extends CommonArgs {
  exec: string;
  input: string;
  model?: string;
  width?: number;
  height?: number;
  'input-shape'?: string;
  out: string;
  force: boolean;
  'show-output': boolean;
}

export const pcCommand: CommandModule<object, PcArgs> = {
  command: 'pc',
  describe: 'run the vendor\'s PC inference with MAGIK_CPP_DUMPDATA=true and collect MAGIK_DATA_DUMP/ and its log',
  builder: (y) =>
    y
      .option('exec', {
        type: 'string',
        demandOption: true,
        describe: 'command run by /bin/sh -c in a fresh folder; {input} {model} {width} {height} become shell-quoted absolute paths / numbers',
      })
      .option('input', { type: 'string', demandOption: true, describe: 'the input file handed to the program as {input}' })
      .option('model', { type: 'string', describe: 'model file for {model}' })
      .option('width', { type: 'number', describe: '{width} (default: from the input\'s shape)' })
      .option('height', { type: 'number', describe: '{height} (default: from the input\'s shape)' })
      .option('input-shape', { type: 'string', describe: 'NHWC shape of the input when its name does not carry it, e.g. 1,384,640,3' })
      .option('out', { type: 'string', demandOption: true, describe: 'output folder for MAGIK_DATA_DUMP/, pc.log, pc-run.json (created; must be empty unless --force)' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an earlier run in --out' })
      .option('show-output', { type: 'boolean', default: false, describe: 'echo the program\'s output while it runs' })
      .example('$0 pc --exec "./pc_inference_bin {model} {input} {width} {height}" --model model_quant.mgk --input magik_input_nhwc_1_384_640_3.bin --out pc', '') as never,
  handler: runCommand<PcArgs>(async (args) => {
    const r = await runPcProgram({
      exec: args.exec,
      input: args.input,
      model: args.model,
      width: args.width,
      height: args.height,
      inputShape: args['input-shape'] ? parseShapeOption(args['input-shape']) : undefined,
      outDir: args.out,
      force: args.force,
      onOutput: args['show-output'] ? (chunk, stream) => (stream === 'stdout' ? process.stdout : process.stderr).write(chunk) : undefined,
    });
    for (const w of r.warnings) process.stderr.write(`magik-parity: warning: ${w}\n`);
    const status = r.signal ? `signal ${r.signal}` : `exit status ${r.exitCode}`;
    process.stdout.write(
      `pc: ${r.dumpFiles} dump files (${r.dumpLines} shape lines in the log) in ${r.dumpDir}, log ${r.logFile}, ${status}, ${(r.durationMs / 1000).toFixed(2)} s\n`,
    );
    return EXIT.OK;
  }),
};
