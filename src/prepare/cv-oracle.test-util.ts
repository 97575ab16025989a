/**
 * Test-only access to OpenCV itself (`@techstark/opencv-js`, OpenCV 4.5 compiled to WASM, no
 * SIMD/IPP), used as the oracle for our ports. Loaded with `require` on purpose: under vitest the
 * ESM default import is wrapped in a proxy that exposes Emscripten's `Module.then`, so importing
 * it makes vitest await a thenable that never settles (the test file hangs before running).
 */
import { createRequire } from 'node:module';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Cv = any;

let ready: Promise<void> | null = null;

/**
 * Loads opencv-js once and waits for its runtime. Resolves to a wrapper object: the module itself
 * is thenable, so it must never be the resolved value of a promise (or returned from an async
 * function).
 */
export async function loadOpenCv(): Promise<{ cv: Cv }> {
  const cv: Cv = createRequire(import.meta.url)('@techstark/opencv-js');
  if (!ready) {
    ready = cv.Mat ? Promise.resolve() : new Promise<void>((r) => (cv.onRuntimeInitialized = () => r()));
  }
  await ready;
  return { cv };
}
/** OpenCV's `cv.resize(..., INTER_LINEAR)` on an 8-bit interleaved image. */
export function cvResizeLinear(cv: Cv, data: Uint8Array, width: number, height: number, channels: number, dw: number, dh: number): Uint8Array {
  const type = [0, cv.CV_8UC1, cv.CV_8UC2, cv.CV_8UC3, cv.CV_8UC4][channels];
  const src = cv.matFromArray(height, width, type, Array.from(data));
  const dst = new cv.Mat();
  try {
    cv.resize(src, dst, new cv.Size(dw, dh), 0, 0, cv.INTER_LINEAR);
    return new Uint8Array(dst.data);
  } finally {
    src.delete();
    dst.delete();
  }
}
