/**
 * Regenerates the golden dump folders: `node dist/scripts/make-golden.js OUT`
 * (default OUT: golden/out). Prints the cases written.
 */
import * as path from 'node:path';
import { makeGolden } from '../golden/fixtures.js';

async function main(): Promise<void> {
  const out = path.resolve(process.argv[2] ?? 'golden/out');
  const index = await makeGolden(out);
  const cases = ['pc', 'pcBad', 'board', 'debug', 'npy', 'manifest'] as const;
  process.stdout.write(`golden data written to ${out} (seed ${index.seed})\n`);
  for (const c of cases) process.stdout.write(`  ${c.padEnd(9)} ${index[c].dir}/\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`make-golden: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
