/** The explicit list of commands (one module each), in the order a user meets them. */
import type { CommandModule } from 'yargs';
import { prepareCommand } from './prepare.js';
import { headerCommand } from './header.js';
import { floatCommand } from './float.js';
import { pcCommand } from './pc.js';
import { compareCommand } from './compare.js';
import { matchCommand } from './match.js';
import { inspectCommand } from './inspect.js';
import { diffCommand } from './diff.js';
import { bundleCommand } from './bundle.js';
import { triageCommand } from './triage.js';
import { referenceCommand } from './reference.js';
import { demoCommand } from './demo.js';
import { debugCommand } from './debug.js';
import { benchCommand } from './bench.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [
  demoCommand,
  prepareCommand,
  headerCommand,
  floatCommand,
  referenceCommand,
  debugCommand,
  pcCommand,
  compareCommand,
  triageCommand,
  matchCommand,
  inspectCommand,
  diffCommand,
  bundleCommand,
  benchCommand,
];
