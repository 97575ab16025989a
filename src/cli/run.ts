/**
 * The one error boundary: runs a command body, prints user errors as one line plus a hint
 * (stack only with --verbose), maps errors to exit codes, cleans temporary files on signals.
 */
import { isUserError, EXIT } from '../errors.js';
import { cleanupTemporaries, stopWrites } from '../io/atomic.js';

let signalsHooked = false;
/** Set on SIGINT / SIGTERM: the command's own error output is suppressed while it winds down. */
let interrupted = false;
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      interrupted = true;
      const exit = (): never => {
        cleanupTemporaries();
        process.stderr.write(`\nmagik-parity: interrupted (${sig}); no partial file was left under a final name. Re-run the command to start again.\n`);
        process.exit(sig === 'SIGINT' ? 130 : 143);
      };
      // wait for file operations in flight (a temporary being created in the thread pool), bounded
      const timer = setTimeout(exit, 2000);
      void stopWrites().then(() => {
        clearTimeout(timer);
        exit();
      }, exit);
    });
  }
}

export interface CommonArgs {
  verbose?: boolean;
}

/** Wraps a command handler: its return value is the exit code. */
export function runCommand<A extends CommonArgs>(body: (args: A) => Promise<number>): (args: A) => Promise<void> {
  return async (args: A) => {
    hookSignals();
    let code: number;
    try {
      code = await body(args);
    } catch (e) {
      if (interrupted) return; // the signal handler exits with its own message
      code = reportError(e, Boolean(args.verbose));
    }
    process.exitCode = code;
  };
}

/** Prints an error the way every command does and returns its exit code. */
export function reportError(e: unknown, verbose: boolean): number {
  if (isUserError(e)) {
    process.stderr.write(`magik-parity: error: ${e.message}\n`);
    if (e.hint) process.stderr.write(`  hint: ${e.hint}\n`);
    if (verbose && e.stack) process.stderr.write(`${e.stack}\n`);
    return EXIT.BAD_INPUT;
  }
  const msg = e instanceof Error ? e.message : String(e);
  process.stderr.write(`magik-parity: internal error: ${msg}\n`);
  if (verbose && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  else process.stderr.write('  hint: re-run with --verbose for the stack trace, and please report it\n');
  return EXIT.INTERNAL;
}
