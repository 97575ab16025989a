import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'reference/**/*.test.ts', 'golden/**/*.test.ts', 'scripts/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // a private temp root per run, removed at its end (golden/test-tmpdir.ts)
    globalSetup: ['./golden/test-tmpdir.ts'],
  },
});
