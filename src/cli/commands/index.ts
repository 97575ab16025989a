/** The explicit list of commands (one module each). */
import type { CommandModule } from 'yargs';
import { matchCommand } from './match.js';
import { compareCommand } from './compare.js';
import { floatCommand } from './float.js';
import { inspectCommand } from './inspect.js';
import { referenceCommand } from './reference.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [compareCommand, matchCommand, floatCommand, inspectCommand, referenceCommand];
