/**
 * Build step (run by `npm run build` after tsc): compiles every hand-written WebAssembly text
 * kernel (reference/fast/*.wat) with the npm `wabt` package into dist/reference/fast/<name>.wasm.
 * No binaries are committed; CI builds them from source.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from '../src/version.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { compileWat, WAT_SOURCES, watPath } from '../reference/fast/wasm-module.js';

for (const name of WAT_SOURCES) {
  const bytes = await compileWat(name, readFileSync(watPath(name), 'utf8'));
  const out = path.join(packageRoot(), 'dist', 'reference', 'fast', name.replace(/\.wat$/, '.wasm'));
  await writeFileAtomic(out, bytes);
  process.stdout.write(`build-wasm: ${path.relative(packageRoot(), out)} (${bytes.length} bytes)\n`);
}
