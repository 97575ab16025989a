/**
 * `magik-parity header`: write the board's 4-channel C header (img_input.h) from a uint8 input,
 * or check a header against an input (`--check img_input.h input_uint8.bin`).
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { CommandModule } from 'yargs';
import { runCommand, type CommonArgs } from '../run.js';
import { UserError, EXIT, fsError } from '../../errors.js';
import { parseShapeOption, readInputU8 } from '../../input/input-file.js';
import { writeFileAtomic } from '../../io/atomic.js';
import { checkBoardHeader, describeHeaderCheck, parseBoardHeader, renderBoardHeader } from '../../prepare/header.js';

interface HeaderArgs extends CommonArgs {
  file?: string;
  input?: string;
  out?: string;
  check?: string;
  'input-shape'?: string;
}

async function outPath(out: string): Promise<string> {
  const target = path.resolve(out);
  try {
    if ((await fsp.stat(target)).isDirectory()) return path.join(target, 'img_input.h');
  } catch {
    /* a new file */
  }
  return target;
}

export const headerCommand: CommandModule<object, HeaderArgs> = {
  command: 'header [file]',
  describe: 'write the board input C header (img_input.h) from input_uint8.bin, or --check one against it',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'with --check: the uint8 input to compare with (same as --input)' })
      .option('input', { type: 'string', describe: 'uint8 NHWC input (input_uint8.bin, magik_input_nhwc_1_H_W_3.bin, input_data_shape_1_H_W_3.bin)' })
      .option('out', { type: 'string', describe: 'header file to write (a folder gets img_input.h)' })
      .option('check', { type: 'string', describe: 'header to check against the input: exit 0 equal, 1 different, 2 bad input' })
      .option('input-shape', { type: 'string', describe: 'NHWC shape of the input, e.g. 1,384,640,3 (default: from the file name)' })
      .example('$0 header --input magik_input_nhwc_1_384_640_3.bin --out img_input.h', '')
      .example('$0 header --check img_input.h magik_input_nhwc_1_384_640_3.bin', '') as never,
  handler: runCommand<HeaderArgs>(async (args) => {
    if (args.file && args.input && path.resolve(args.file) !== path.resolve(args.input)) {
      throw new UserError('USAGE', `two inputs given: ${args.file} and --input ${args.input}`, 'give the input once');
    }
    const inputFile = args.input ?? args.file;
    if (!inputFile) throw new UserError('USAGE', 'no input given', 'pass --input input_uint8.bin (or the file after --check HEADER)');
    const hints = { shape: args['input-shape'] ? parseShapeOption(args['input-shape']) : undefined };

    if (args.check !== undefined) {
      if (args.out) throw new UserError('USAGE', '--check and --out both given', 'check a header or write one, not both');
      let text: string;
      try {
        text = await fsp.readFile(args.check, 'utf8');
      } catch (e) {
        throw fsError(e, args.check, 'read the header');
      }
      const header = parseBoardHeader(text, args.check);
      const input = await readInputU8(inputFile, hints);
      const r = checkBoardHeader(header.values, input.data, input.shape);
      process.stdout.write(`${describeHeaderCheck(r, args.check, inputFile)}\n`);
      return r.equal ? EXIT.OK : EXIT.DIVERGED;
    }

    if (!args.out) throw new UserError('USAGE', 'no --out given', 'pass --out img_input.h (or --check HEADER to compare)');
    const input = await readInputU8(inputFile, hints);
    if (input.channel3NonZero > 0) {
      process.stderr.write(`magik-parity: warning: ${inputFile}: channel 3 is not zero at ${input.channel3NonZero} pixels; the header gets 0 there\n`);
    }
    const target = await outPath(args.out);
    await writeFileAtomic(target, renderBoardHeader(input.data, input.shape));
    const [n, h, w] = input.shape;
    process.stdout.write(`wrote ${target}: unsigned char image[${n * h * w * 4}] (${h}x${w}x4, channel 3 = 0) from ${inputFile}\n`);
    return EXIT.OK;
  }),
};
