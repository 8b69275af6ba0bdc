// One esbuild configuration for every bundle the project runs with plain node: the synth, the
// validate and diff CLIs, and the benchmark's generator. esbuild strips types without checking
// them (type checking runs in `npm test`); node_modules stay external so node loads cdk8s and
// the validator's libraries from the install, as it would for any app.
import { build } from 'esbuild';
import { resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

/** The project's entry points, by bundle name under .build/. */
export const ENTRY_POINTS = {
  main: resolve(root, 'main.ts'),
  diff: resolve(root, 'scripts/diff.ts'),
  validate: resolve(root, 'scripts/validate.ts'),
};

/** Bundles `entryPoints` (default: the project's) into .build/. */
export async function bundle(entryPoints = ENTRY_POINTS) {
  await build({
    entryPoints,
    outdir: resolve(root, '.build'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}
