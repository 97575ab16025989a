import type { CommandModule } from 'yargs';
import { runCommand, type CommonArgs } from '../run.js';
import { loadReport } from '../../report/load.js';
import { diffReports, DEFAULT_DIFF_TOLERANCE } from '../../report/diff.js';
import { renderDiffTerminal } from '../../report/diff-terminal.js';
import { EXIT, UserError } from '../../errors.js';

interface DiffArgs extends CommonArgs {
  old: string;
  new: string;
  tolerance: number;
  json: boolean;
}

/** `magik-parity diff OLD/report.json NEW/report.json`: exit 0 no regression, 1 regression, 2 bad input. */
export const diffCommand: CommandModule<object, DiffArgs> = {
  command: 'diff <old> <new>',
  describe: 'compare two report.json files layer by layer: what improved, what regressed (exit 1 on regression)',
  builder: (y) =>
    y
      .positional('old', { type: 'string', demandOption: true, describe: 'report.json before the change' })
      .positional('new', { type: 'string', demandOption: true, describe: 'report.json after the change' })
      .option('tolerance', { type: 'number', default: DEFAULT_DIFF_TOLERANCE, describe: 'a cosine change within ± this is not a change' })
      .option('json', { type: 'boolean', default: false, describe: 'print the diff as JSON' }),
  handler: runCommand((a: DiffArgs) => runDiff(a)),
};

/** The command body: prints the diff, returns the exit code (0 no regression, 1 regression); bad input throws UserError (exit 2). */
export async function runDiff(a: Omit<DiffArgs, 'verbose'>): Promise<number> {
  if (!(a.tolerance >= 0 && a.tolerance < 1)) throw new UserError('USAGE', `--tolerance ${a.tolerance}: must be a number in [0, 1)`, 'e.g. --tolerance 1e-4');
  const [oldR, newR] = await Promise.all([loadReport(a.old), loadReport(a.new)]);
  const d = diffReports(oldR, newR, { tolerance: a.tolerance }, { old: a.old, new: a.new });
  process.stdout.write(a.json ? `${JSON.stringify(d, null, 2)}\n` : `${renderDiffTerminal(d)}\n`);
  return d.regressed ? EXIT.DIVERGED : EXIT.OK;
}
