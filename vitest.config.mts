import { basename, join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Snapshots live in one top-level folder, reviewed like dist/.
    resolveSnapshotPath: (testPath: string, extension: string) => join(import.meta.dirname, '__snapshots__', `${basename(testPath)}${extension}`),
    testTimeout: 60_000,
  },
});
