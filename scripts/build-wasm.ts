/**
 * Build step (run by `npm run build` after tsc): compiles every hand-written WebAssembly text
 * kernel (WAT_SOURCES in reference/fast/wasm-module.ts: the fast engine's modules and src/metrics/pair-kernel.wat) with the npm `wabt`
 * package into dist/<same path>.wasm.
 * No binaries are committed; CI builds them from source.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../src/version.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { builtWasmPath, compileWat, WAT_SOURCES, watPath } from '../reference/fast/wasm-module.js';

for (const name of WAT_SOURCES) {
  const bytes = await compileWat(path.basename(name), readFileSync(watPath(name), 'utf8'));
  const out = builtWasmPath(name);
  await writeFileAtomic(out, bytes);
  process.stdout.write(`build-wasm: ${path.relative(packageRoot(), out)} (${bytes.length} bytes)\n`);
}
