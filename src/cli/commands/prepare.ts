/**
 * `magik-parity prepare`: photo -> uint8 NHWC network input (magik_input_nhwc_1_H_W_3.bin), the
 * way the vendor's OpenCV-based tools prepare it (see src/prepare/prepare-image.ts).
 */
import type { CommandModule } from 'yargs';
import { runCommand, type CommonArgs } from '../run.js';
import { UserError, EXIT } from '../../errors.js';
import { formatGeometry, type LetterboxRule } from '../../prepare/letterbox.js';

interface PrepareArgs extends CommonArgs {
  image: string;
  width: number;
  height: number;
  format: string;
  letterbox?: boolean;
  stretch?: boolean;
  'pad-value': number;
  geometry: string;
  out?: string;
}

function parseRule(text: string): LetterboxRule {
  const t = String(text).trim().toLowerCase();
  if (t === 'vendor' || t === 'centered') return t;
  throw new UserError('USAGE', `--geometry "${text}": unknown letterbox rule`, 'use vendor (the board sample\'s rule, default) or centered');
}

export const prepareCommand: CommandModule<object, PrepareArgs> = {
  command: 'prepare',
  describe: 'Turn a photo into the network input (uint8 NHWC) as the vendor\'s OpenCV tools do',
  builder: (y) =>
    y
      .option('image', { type: 'string', demandOption: true, describe: 'JPEG/PNG/BMP photo (decoded like cv::imread: EXIF orientation applied, ICC profile ignored)' })
      .option('width', { type: 'number', demandOption: true, describe: 'model input width (pixels)' })
      .option('height', { type: 'number', demandOption: true, describe: 'model input height (pixels)' })
      .option('format', {
        type: 'string',
        default: 'BGR',
        describe: 'channel order WRITTEN = the model\'s order (vendor config "format"); BGR is what cv::imread gives',
      })
      .option('letterbox', { type: 'boolean', describe: 'keep the aspect ratio and pad (default)' })
      .option('stretch', { type: 'boolean', describe: 'plain resize to width x height, no padding' })
      .option('pad-value', { type: 'number', default: 0, describe: 'letterbox border value 0..255 (YOLOX uses 114)' })
      .option('geometry', { type: 'string', default: 'vendor', describe: 'letterbox rule: vendor (board sample: even sizes and pads) or centered' })
      .option('out', { type: 'string', describe: 'output file, or an existing folder / a path ending in / for magik_input_nhwc_1_H_W_3.bin (default: current folder)' }) as never,
  handler: runCommand<PrepareArgs>(async (args) => {
    // heavy modules (onnxruntime, sharp, protobuf) load only when this command runs
    const { parseChannelOrder } = await import('../../prepare/decode.js');
    const { prepareImage, writePreparedInput } = await import('../../prepare/prepare-image.js');
    if (args.letterbox && args.stretch) {
      throw new UserError('USAGE', '--letterbox and --stretch both given', 'choose one');
    }
    const format = parseChannelOrder(args.format);
    const rule = parseRule(args.geometry);
    const padValue = Number(args['pad-value']);
    const prepared = await prepareImage({
      image: args.image,
      width: Number(args.width),
      height: Number(args.height),
      format,
      mode: args.stretch ? 'stretch' : 'letterbox',
      rule,
      padValue,
    });
    const file = await writePreparedInput(prepared, args.out);
    process.stdout.write(`${formatGeometry(prepared.geometry)}\n`);
    if (prepared.geometry.mode === 'letterbox') process.stdout.write(`pad value: ${padValue}, letterbox rule: ${rule}\n`);
    process.stdout.write(`channel order: ${format}\nwrote ${file} (${prepared.data.length} bytes, uint8 NHWC [${prepared.shape.join(',')}])\n`);
    return EXIT.OK;
  }),
};
