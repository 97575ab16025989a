import type { CommandModule } from 'yargs';
import * as path from 'node:path';
import Table from 'cli-table3';
import { runCommand, type CommonArgs } from '../run.js';
import { openDumpSet } from '../../dumps/open.js';
import { loadShapesMap } from '../../dumps/shapes-map.js';
import { alignDumpSets } from '../../align/align.js';
import { RULE_TEXT } from '../../align/rules.js';
import { EXIT } from '../../errors.js';

interface MatchArgs extends CommonArgs {
  a: string;
  b: string;
  'a-log'?: string;
  'b-log'?: string;
  shapes?: string;
  json: boolean;
}

export const matchCommand: CommandModule<object, MatchArgs> = {
  command: 'match <a> <b>',
  describe: 'pair the layers of two dump folders and show which rule matched each pair',
  builder: (y) =>
    y
      .positional('a', { type: 'string', demandOption: true, describe: 'first dump folder' })
      .positional('b', { type: 'string', demandOption: true, describe: 'second dump folder' })
      .option('a-log', { type: 'string', describe: 'saved stdout of the program that wrote A (vendor dump lines)' })
      .option('b-log', { type: 'string', describe: 'saved stdout of the program that wrote B' })
      .option('shapes', { type: 'string', describe: 'JSON map {name: [dims]} for dumps without shapes' })
      .option('json', { type: 'boolean', default: false, describe: 'print the alignment as JSON' }),
  handler: runCommand(async (a: MatchArgs) => {
    const shapes = a.shapes ? await loadShapesMap(a.shapes) : undefined;
    const A = await openDumpSet(path.resolve(a.a), { log: a['a-log'], shapes });
    const B = await openDumpSet(path.resolve(a.b), { log: a['b-log'], shapes });
    const al = alignDumpSets(A, B);
    if (a.json) {
      const side = (e: (typeof al.pairs)[number]['a']) => ({ name: e.name, file: path.basename(e.file), shape: e.shape, dtype: e.dtype, order: e.order });
      process.stdout.write(
        `${JSON.stringify({ a: { root: A.root, kind: A.kind }, b: { root: B.root, kind: B.kind }, pairs: al.pairs.map((p) => ({ rule: p.rule, a: side(p.a), b: side(p.b) })), unmatched: { a: al.unmatchedA.map((e) => e.name), b: al.unmatchedB.map((e) => e.name) } }, null, 2)}\n`,
      );
      return EXIT.OK;
    }
    process.stdout.write(`A: ${A.root} (${A.kind}, ${A.entries.length} entries)\nB: ${B.root} (${B.kind}, ${B.entries.length} entries)\n`);
    const t = new Table({ head: ['#', 'A', 'B', 'shape', 'rule'], style: { head: [], border: [] }, chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' } });
    al.pairs.forEach((p, i) => t.push([String(i), p.a.name, p.b.name, p.a.shape ? `[${p.a.shape.join(',')}]` : p.b.shape ? `[${p.b.shape.join(',')}]` : '?', p.rule]));
    process.stdout.write(`${t.toString()}\n`);
    const used = new Set(al.pairs.map((p) => p.rule));
    for (const r of used) process.stdout.write(`  ${r}: ${RULE_TEXT[r]}\n`);
    process.stdout.write(`${al.pairs.length} pairs; ${al.unmatchedA.length} only in A${al.unmatchedA.length ? `: ${al.unmatchedA.map((e) => e.name).join(', ')}` : ''}; ${al.unmatchedB.length} only in B${al.unmatchedB.length ? `: ${al.unmatchedB.map((e) => e.name).join(', ')}` : ''}\n`);
    for (const w of [...A.warnings.map((w) => `A: ${w}`), ...B.warnings.map((w) => `B: ${w}`)]) process.stderr.write(`warning: ${w}\n`);
    return EXIT.OK;
  }),
};
