import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';

/** Package root (works from `src/` under vitest and from `dist/src/` after build). */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'magik-parity') return dir;
    } catch {
      /* keep going up */
    }
    dir = path.dirname(dir);
  }
  throw new Error('magik-parity package.json not found');
}

let cached: string | undefined;
export function toolVersion(): string {
  if (!cached) cached = (JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return cached;
}

export const TOOL_NAME = 'magik-parity';
