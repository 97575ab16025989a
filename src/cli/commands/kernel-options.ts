/**
 * The `--kernels` / `--threads` options shared by `reference` and `bench`.
 */
import { UserError } from '../../errors.js';

/** yargs option definitions for the integer kernel choice and the fast engine's thread count. */
export const kernelOptions = {
  kernels: { choices: ['ts', 'fast'] as const, default: 'fast' as const, describe: 'integer kernels: fast = WebAssembly SIMD where bit-identical to the plain-TS kernels (default), ts = plain TypeScript only; dumps are byte-identical' },
  threads: { type: 'number' as const, describe: 'computing threads of the fast kernels (default 2, or 1 on a single-core machine); results do not depend on it' },
};

/** Validates `--threads` (a whole number 1..64) or passes undefined through. */
export function checkThreads(threads: number | undefined): number | undefined {
  if (threads === undefined) return undefined;
  if (!Number.isInteger(threads) || threads < 1 || threads > 64) {
    throw new UserError('USAGE', `--threads ${threads}: must be a whole number from 1 to 64`, 'e.g. --threads 2');
  }
  return threads;
}
