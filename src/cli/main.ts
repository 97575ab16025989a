#!/usr/bin/env node
import type { CommandModule } from 'yargs';
import { toolVersion } from '../version.js';
import { EXIT } from '../errors.js';
import { startEarlyPool } from '../measure/pool.js';

// `compare` (default --threads 2): its measuring threads boot now, on the second core, while yargs
// and the command's modules load on this one (yargs alone takes ~80 ms to load)
const isCompare = process.argv[2] === 'compare';
if (isCompare && !process.argv.some((a) => a.startsWith('--threads'))) startEarlyPool(2);
// loaded side by side: one module graph's file reads overlap the other's compilation
const compareModule = isCompare ? import('./commands/compare.js') : null;
const [{ default: yargs }, { hideBin }] = await Promise.all([import('yargs'), import('yargs/helpers')]);

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
  skipHelpCache(y);
  for (const c of await commandsFor(argv[0])) y = y.command(c);
  await y.parseAsync();
}

/**
 * The command modules to register. `compare` is the command with a speed target (the bench times
 * it against md5sum), so it loads only its own modules, not every command's (~40 ms of start-up);
 * its behaviour and help are the same. Every other invocation registers all commands.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the same element type as commands/index.ts
async function commandsFor(first: string | undefined): Promise<CommandModule<any, any>[]> {
  if (first === 'compare') return [(await (compareModule ?? import('./commands/compare.js'))).compareCommand];
  return (await import('./commands/index.js')).commands;
}

/**
 * yargs renders the whole help text right after starting a command's handler, only to reuse it
 * when a failure shows help; our .fail() prints one line and a hint instead, so the text is never
 * used. Rendering it (cliui + string-width) blocked the main thread for ~50 ms (measured on
 * compare: the dump scan waited for it). Uses yargs' internal accessor when present; `--help`
 * output is unchanged (help() renders on demand).
 */
function skipHelpCache(y: unknown): void {
  const internal = (y as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
}

await main(hideBin(process.argv));
