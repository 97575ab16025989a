import type { CommandModule } from 'yargs';
import * as path from 'node:path';
import { runCommand, type CommonArgs } from '../run.js';
import { renderTerminal } from '../../report/terminal.js';
import { EXIT } from '../../errors.js';

interface DemoArgs extends CommonArgs {
  data?: string;
  out: string;
  force: boolean;
  'calib-images': number;
  verify: number;
}

export const demoCommand: CommandModule<object, DemoArgs> = {
  command: 'demo',
  describe: 'the whole flow on a real model and photo (YOLOX-nano, dog.jpg): prepare, float, reference, simulated board, compare, triage, reports',
  builder: (y) =>
    y
      .option('data', { type: 'string', describe: 'the shared data folder with models/ and images/ (default: ../shared/data next to the package)' })
      .option('out', { type: 'string', default: 'reports/demo', describe: 'output folder' })
      .option('force', { type: 'boolean', default: false, describe: 'replace an earlier demo in --out' })
      .option('calib-images', { type: 'number', default: 4, describe: 'calibration photos to use' })
      .option('verify', { type: 'number', default: 0, describe: 'seconds to spend re-running the reference to verify the recommended fixes (0: skip)' }),
  handler: runCommand(async (a: DemoArgs) => {
    // heavy modules (onnxruntime, sharp, protobuf) load only when this command runs
    const { runDemo } = await import('../../demo/run-demo.js');
    const t0 = Date.now();
    const r = await runDemo({ data: a.data, out: a.out, force: a.force, calibImages: a['calib-images'], verifySeconds: a.verify, log: (l) => process.stderr.write(`${l}\n`) });
    process.stdout.write(`${renderTerminal(r.report, { maxRows: 14 })}\n`);
    process.stdout.write(`\nsimulated chip fault: ${r.corrupted.values} values of ${r.corrupted.layer} changed on the "board"\n`);
    process.stdout.write(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s. Open the report: ${r.files.html}\n`);
    return EXIT.OK;
  }),
};
