/**
 * Locates and compiles the hand-written WebAssembly kernels (WAT_SOURCES, repo-relative `.wat` paths).
 * `npm run build` (scripts/build-wasm.ts) turns each `<dir>/<name>.wat` into `dist/<dir>/<name>.wasm`
 * with the npm `wabt` package (a dev dependency); at run time the compiled binary next to the
 * compiled loader is used. Running from source (vitest) compiles the `.wat` on the fly, so tests
 * always exercise the current source, never a stale binary.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { packageRoot } from '../../src/version.js';
import { UserError } from '../../src/errors.js';

/** The fast engine's kernel modules (package-relative), loaded together in this order. */
export const FAST_WAT_SOURCES = ['reference/fast/conv-int.wat', 'reference/fast/pack.wat', 'reference/fast/requant.wat', 'reference/fast/eltwise.wat', 'reference/fast/conv1x1.wat', 'reference/fast/dw.wat', 'reference/fast/conv-pairs-rq.wat', 'reference/fast/gather.wat', 'reference/fast/dw-3x3.wat', 'reference/fast/conv-rows.wat'] as const;

/** Every kernel source (paths relative to the package root), each compiled to `dist/<path>.wasm`. */
export const WAT_SOURCES = [...FAST_WAT_SOURCES, 'src/metrics/pair-kernel.wat'] as const;

/** WebAssembly features the sources use: fixed-width SIMD and shared memory (threads). */
export const WAT_FEATURES = { simd: true, threads: true } as const;

/** Compiles WebAssembly text to a binary with wabt (validated with the same features). */
export async function compileWat(fileName: string, text: string): Promise<Uint8Array> {
  const wabtMod = (await import('wabt')) as unknown as { default: () => Promise<WabtApi> };
  const wabt = await wabtMod.default();
  const mod = wabt.parseWat(fileName, text, WAT_FEATURES);
  try {
    mod.validate(WAT_FEATURES);
    return mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
}

interface WabtApi {
  parseWat(
    f: string,
    t: string,
    o: object,
  ): { validate(o: object): void; toBinary(o: object): { buffer: Uint8Array }; destroy(): void };
}

async function wabtAvailable(): Promise<boolean> {
  try {
    await import('wabt');
    return true;
  } catch {
    return false;
  }
}

/** Absolute path of a kernel source given by its package-relative path (a WAT_SOURCES entry). */
export function watPath(rel: string): string {
  return path.join(packageRoot(), rel);
}

/** Where `npm run build` writes the binary of a kernel source (package-relative path). */
export function builtWasmPath(rel: string): string {
  return path.join(packageRoot(), 'dist', rel.replace(/\.wat$/, '.wasm'));
}

/** Every module of {@link FAST_WAT_SOURCES}, in that order (see {@link loadWasmModule}). */
export async function loadKernelModules(options: { fromSource?: boolean } = {}): Promise<WebAssembly.Module[]> {
  return Promise.all(FAST_WAT_SOURCES.map((rel) => loadWasmModule(rel, options)));
}

/**
 * A compiled kernel module by its package-relative source path. When running from `dist/` it reads
 * the built `.wasm`; from source, or when the binary is missing or older than its source and wabt
 * is installed, it compiles the `.wat`. Throws UserError EXEC_FAILED when neither works.
 */
export async function loadWasmModule(rel: string, options: { fromSource?: boolean } = {}): Promise<WebAssembly.Module> {
  const here = fileURLToPath(import.meta.url);
  const built = builtWasmPath(rel);
  const src = watPath(rel);
  // a binary older than its source (edited without `npm run build`) is not used when wabt can rebuild it
  const stale = existsSync(built) && existsSync(src) && statSync(src).mtimeMs > statSync(built).mtimeMs;
  if (!options.fromSource && here.endsWith('.js') && existsSync(built) && !(stale && (await wabtAvailable()))) {
    return WebAssembly.compile(readFileSync(built));
  }
  let bytes: Uint8Array;
  try {
    bytes = await compileWat(path.basename(rel), readFileSync(src, 'utf8'));
  } catch (e) {
    throw new UserError(
      'EXEC_FAILED',
      `WebAssembly kernels: cannot load ${built} nor compile ${src} (${(e as Error).message})`,
      'run `npm run build` (it compiles the WebAssembly kernels)',
    );
  }
  return WebAssembly.compile(new Uint8Array(bytes));
}

/**
 * The compiled `conv-int` module. From `dist/` it reads the built `.wasm`; from source, or when the
 * binary is missing and wabt is installed, it compiles the `.wat`.
 */
export async function loadConvIntModule(options: { fromSource?: boolean } = {}): Promise<WebAssembly.Module> {
  try {
    return await loadWasmModule('reference/fast/conv-int.wat', options);
  } catch (e) {
    if (e instanceof UserError) throw new UserError('EXEC_FAILED', `fast kernels: ${e.message}`, 'run `npm run build` (it compiles the WebAssembly kernels) or use --kernels ts');
    throw e;
  }
}
