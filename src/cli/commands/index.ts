/** The explicit list of commands (one module each). */
import type { CommandModule } from 'yargs';
import { prepareCommand } from './prepare.js';
import { headerCommand } from './header.js';
import { pcCommand } from './pc.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const commands: CommandModule<any, any>[] = [prepareCommand, headerCommand, pcCommand];
