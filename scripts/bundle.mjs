// One esbuild configuration for every bundle the project runs with plain node: the synth, the
// validate and diff CLIs, the validator thread, and the benchmark's generator.
// esbuild strips types without checking them (type checking runs in `npm test`).
import { build } from 'esbuild';
import { resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

/** The project's entry points, by bundle name under .build/. */
export const ENTRY_POINTS = {
  main: resolve(root, 'main.ts'),
  diff: resolve(root, 'scripts/diff.ts'),
  validate: resolve(root, 'scripts/validate.ts'),
};

/** The validator thread (lib/validator-thread.ts starts it from beside main.js). */
const WORKER = { 'validator-worker': resolve(root, 'scripts/validator-worker.ts') };

const OPTIONS = { outdir: resolve(root, '.build'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning' };

/** Bundles `entryPoints` (default: the project's) and the validator thread into .build/. */
export async function bundle(entryPoints = ENTRY_POINTS) {
  // node_modules stay external: node loads cdk8s and the libraries from the install, as it
  // would for any app.
  await build({ ...OPTIONS, entryPoints, packages: 'external' });
  // The worker inlines its libraries (ajv's runtime, CEL, kubernetes-models): one file loads in
  // half the time of their hundreds of modules, and its start-up is what synth waits for.
  await build({ ...OPTIONS, entryPoints: WORKER });
}
