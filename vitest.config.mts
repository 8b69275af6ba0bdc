import { basename, join } from 'node:path';
import { defineConfig } from 'vitest/config';

const validator = join(import.meta.dirname, 'packages', 'karpenter-validate', 'src');

export default defineConfig({
  // The validator package's entry points at their sources, as tsconfig.json's paths map them.
  resolve: {
    alias: [
      { find: /^karpenter-validate$/, replacement: join(validator, 'index.ts') },
      { find: /^karpenter-validate\/(model|network|monitoring|plugin)$/, replacement: join(validator, '$1.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Snapshots live in one top-level folder, reviewed like dist/.
    resolveSnapshotPath: (testPath: string, extension: string) => join(import.meta.dirname, '__snapshots__', `${basename(testPath)}${extension}`),
    testTimeout: 60_000,
    maxWorkers: 2,
    pool: 'threads',
    // Test files share each worker's modules: the validator's compiled schemas, CEL programs and
    // Kubernetes models load once per worker instead of once per file (about 6 s of a 25 s run).
    // What the modules keep is caches of pure functions, so no test sees another's state.
    isolate: false,
    // The CLIs the tests start validate every time: results cached by an earlier run
    // (packages/karpenter-validate/src/validation-cache.ts) would hide what a test changed in the validator. The cache has
    // tests of its own (test/validation-cache.test.ts), which turn this off.
    env: { KARPENTER_AS_CODE_NO_CACHE: '1' },
  },
});
