// One esbuild configuration for every bundle the project runs with plain node: the synth, the
// validate and diff CLIs, the validator thread, the schema generators and the benchmark's
// generator. esbuild strips types without checking them (type checking runs in `npm test`).
import { build } from 'esbuild';
import { resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

/** What `npm run build` bundles into .build/, by bundle name. */
export const ENTRY_POINTS = {
  main: resolve(root, 'main.ts'),
  diff: resolve(root, 'scripts/diff.ts'),
  validate: resolve(root, 'scripts/validate.ts'),
  // Started by lib/validator-thread.ts from beside main.js.
  'validator-worker': resolve(root, 'scripts/validator-worker.ts'),
};

// Bundles that inline their libraries (ajv's runtime, CEL, kubernetes-models): one file loads in
// half the time of their hundreds of modules, and the validator thread's start-up is what synth
// waits for.
const INLINED = new Set(['validator-worker']);

const OPTIONS = { outdir: resolve(root, '.build'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: 'linked', logLevel: 'warning' };

/** Bundles `entryPoints` (default: the project's) into .build/. */
export async function bundle(entryPoints = ENTRY_POINTS) {
  const pick = (inlined) => Object.fromEntries(Object.entries(entryPoints).filter(([name]) => INLINED.has(name) === inlined));
  const [external, inlined] = [pick(false), pick(true)];
  // Everything else keeps node_modules external: node loads cdk8s and the libraries from the
  // install, as it would for any app.
  if (Object.keys(external).length > 0) await build({ ...OPTIONS, entryPoints: external, packages: 'external' });
  if (Object.keys(inlined).length > 0) await build({ ...OPTIONS, entryPoints: inlined });
}
