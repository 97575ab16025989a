/**
 * `magik-parity inspect model.onnx`: the model's header facts and every node in topological
 * order, one tab-separated line each (index, node, op, outputs, output shapes NCHW), or JSON.
 */
import type { CommandModule } from 'yargs';
import { runCommand, type CommonArgs } from '../run.js';
import { EXIT, UserError } from '../../errors.js';
import { parseShapeOption } from '../../input/input-file.js';

interface InspectArgs extends CommonArgs {
  model: string;
  'input-shape'?: string;
  json: boolean;
  run: boolean;
}

export const inspectCommand: CommandModule<object, InspectArgs> = {
  command: 'inspect <model>',
  describe: 'list the nodes of an ONNX model in topological order with their output shapes',
  builder: (y) =>
    y
      .positional('model', { type: 'string', demandOption: true, describe: '.onnx model' })
      .option('input-shape', { type: 'string', describe: 'NHWC input shape for models with dynamic dimensions, e.g. 1,416,416,3' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object instead of text' })
      .option('run', { type: 'boolean', default: true, describe: 'run onnxruntime once on a zero input to get every shape (--no-run: value_info shapes only)' }) as never,
  handler: runCommand<InspectArgs>(async (args) => {
    // heavy modules (onnxruntime, sharp, protobuf) load only when this command runs
    const { loadModel } = await import('../../onnx/load.js');
    const { describeModel, formatDescription } = await import('../../onnx/describe.js');
    const model = await loadModel(args.model);
    let inputShape: number[] | undefined;
    if (args['input-shape']) {
      const nhwc = parseShapeOption(args['input-shape']);
      if (nhwc.length !== 4) throw new UserError('USAGE', `--input-shape ${args['input-shape']}: expected 4 values N,H,W,C`, 'e.g. --input-shape 1,416,416,3');
      const [n, h, w, c] = nhwc as [number, number, number, number];
      inputShape = [n, c, h, w];
    }
    const d = await describeModel(model, { inputShape, noRun: !args.run });
    process.stdout.write(args.json ? `${JSON.stringify(d, null, 1)}\n` : formatDescription(d));
    return EXIT.OK;
  }),
};
