import type { CommandModule } from 'yargs';
import { runCommand, type CommonArgs } from '../run.js';
import { createBundle, DEFAULT_MAX_MB } from '../../report/bundle.js';
import { EXIT } from '../../errors.js';

interface BundleArgs extends CommonArgs {
  report: string;
  layer?: string;
  edge?: string;
  out: string;
  'max-mb': number;
}

/** `magik-parity bundle --report DIR/report.json [--layer NAME] [--edge ID] --out FILE.tar.gz`. */
export const bundleCommand: CommandModule<object, BundleArgs> = {
  command: 'bundle',
  describe: 'pack what vendor support needs (guide §8.2) for one problem layer into a .tar.gz',
  builder: (y) =>
    y
      .option('report', { type: 'string', demandOption: true, describe: 'report.json written by compare' })
      .option('layer', { type: 'string', describe: 'problem layer (tensor, node or dump name); default: the first divergence of the first diverged edge' })
      .option('edge', { type: 'string', describe: 'edge to take the layer from, e.g. float~ptq' })
      .option('out', { type: 'string', demandOption: true, describe: 'the .tar.gz to write (must not exist)' })
      .option('max-mb', { type: 'number', default: DEFAULT_MAX_MB, describe: 'refuse a bundle larger than this many MiB' }),
  handler: runCommand(async (a: BundleArgs) => {
    const res = await createBundle({ reportFile: a.report, layer: a.layer, edge: a.edge, out: a.out, maxMb: a['max-mb'] });
    process.stdout.write(`bundle for layer ${res.layer} (edge ${res.edge}): ${res.members.length} files, ${res.bytes} bytes before compression\n`);
    for (const m of res.members) process.stdout.write(`  ${m.name}\n`);
    for (const n of res.notes) process.stdout.write(`note: ${n}\n`);
    process.stdout.write(`written: ${res.out}\n`);
    return EXIT.OK;
  }),
};
