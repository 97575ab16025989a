/**
 * Locates and compiles the hand-written WebAssembly kernels (`*.wat` next to this file).
 * `npm run build` (scripts/build-wasm.ts) turns each `.wat` into `dist/reference/fast/<name>.wasm`
 * with the npm `wabt` package (a dev dependency); at run time the compiled binary next to the
 * compiled loader is used. Running from source (vitest) compiles the `.wat` on the fly, so tests
 * always exercise the current source, never a stale binary.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { packageRoot } from '../../src/version.js';
import { UserError } from '../../src/errors.js';

/** The kernel sources, compiled to `<name>.wasm`. */
export const WAT_SOURCES = ['conv-int.wat', 'pack.wat', 'requant.wat', 'eltwise.wat', 'conv1x1.wat', 'dw.wat'] as const;

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

/** Source `.wat` path of a kernel module. */
export function watPath(name: string): string {
  return path.join(packageRoot(), 'reference', 'fast', name);
}

/** Every kernel module of {@link WAT_SOURCES}, in that order (see {@link loadKernelModule}). */
export async function loadKernelModules(options: { fromSource?: boolean } = {}): Promise<WebAssembly.Module[]> {
  return Promise.all(WAT_SOURCES.map((name) => loadKernelModule(name, options)));
}

/** The compiled `conv-int` module (see {@link loadKernelModule}). */
export async function loadConvIntModule(options: { fromSource?: boolean } = {}): Promise<WebAssembly.Module> {
  return loadKernelModule('conv-int.wat', options);
}

/**
 * A compiled kernel module. From `dist/` it reads the built `.wasm`; from source, or when the
 * binary is missing and wabt is installed, it compiles the `.wat`.
 */
export async function loadKernelModule(name: (typeof WAT_SOURCES)[number], options: { fromSource?: boolean } = {}): Promise<WebAssembly.Module> {
  const here = fileURLToPath(import.meta.url);
  const built = path.join(path.dirname(here), name.replace(/\.wat$/, '.wasm'));
  const src = watPath(name);
  // a binary older than its source (edited without `npm run build`) is not used when wabt can rebuild it
  const stale = existsSync(built) && existsSync(src) && statSync(src).mtimeMs > statSync(built).mtimeMs;
  if (!options.fromSource && here.endsWith('.js') && existsSync(built) && !(stale && (await wabtAvailable()))) {
    return WebAssembly.compile(readFileSync(built));
  }
  let bytes: Uint8Array;
  try {
    bytes = await compileWat(name, readFileSync(src, 'utf8'));
  } catch (e) {
    throw new UserError(
      'EXEC_FAILED',
      `fast kernels: cannot load ${built} nor compile ${src} (${(e as Error).message})`,
      'run `npm run build` (it compiles the WebAssembly kernels) or use --kernels ts',
    );
  }
  return WebAssembly.compile(new Uint8Array(bytes));
}
