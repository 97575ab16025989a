#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { commands } from './commands/index.js';
import { toolVersion } from '../version.js';
import { EXIT } from '../errors.js';

export async function main(argv: string[]): Promise<void> {
  // `magik-parity ... | head`: a closed pipe ends the output quietly, not with a stack trace
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  let y = yargs(argv)
    .scriptName('magik-parity')
    .version(toolVersion())
    .option('verbose', { type: 'boolean', default: false, describe: 'print stack traces and extra detail' })
    .strict()
    .demandCommand(1, 'name a command: see --help')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err, yy) => {
      if (err) throw err;
      process.stderr.write(`magik-parity: error: ${msg}\n  hint: run magik-parity ${argv[0] && !argv[0].startsWith('-') ? argv[0] + ' ' : ''}--help\n`);
      void yy;
      process.exit(EXIT.BAD_INPUT);
    });
  for (const c of commands) y = y.command(c);
  await y.parseAsync();
}

await main(hideBin(process.argv));
