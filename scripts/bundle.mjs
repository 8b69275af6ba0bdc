// One esbuild configuration for every bundle the project runs with plain node: the synth, the
// validate, diff and plan CLIs, the validator thread, the schema generators and the benchmark's
// generator. esbuild strips types without checking them: config/ is type-checked here first
// (scripts/check-config.mjs), the whole project in `npm test`.
//
// A build is skipped when nothing it read has changed: `.build/stamp.json` records the size and
// modification time of every input of every bundle (esbuild's metafile), so checking it costs a
// few milliseconds of `stat` calls, and `npm run synth` with no change is the synth alone.
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');
const out = resolve(root, '.build');
const STAMP = join(out, 'stamp.json');

/** What `npm run build` bundles into .build/, by bundle name. */
export const ENTRY_POINTS = {
  main: resolve(root, 'main.ts'),
  diff: resolve(root, 'scripts/diff.ts'),
  plan: resolve(root, 'scripts/plan.ts'),
  validate: resolve(root, 'scripts/validate.ts'),
  // Started by lib/validator-thread.ts from beside main.js.
  'validator-worker': resolve(root, 'scripts/validator-worker.ts'),
};

// Bundles that inline their libraries (ajv's runtime, CEL, kubernetes-models): one file loads in
// half the time of their hundreds of modules, and the validator thread's start-up is what synth
// waits for.
const INLINED = new Set(['validator-worker']);

const OPTIONS = {
  outdir: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
  absWorkingDir: root,
  // An object literal with a key given twice keeps the last value silently: a mistake, never intended.
  logOverride: { 'duplicate-object-key': 'error' },
};

/** A build that failed for a reason the user can fix (config does not type-check, a bundle does not build). */
export class BuildError extends Error {}

/** The inputs of the last build with their sizes and times, when every output still exists. */
function readStamp() {
  if (!existsSync(STAMP)) return undefined;
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8'));
  } catch {
    return undefined;
  }
}

function fingerprint(path) {
  try {
    const stat = statSync(resolve(root, path));
    return `${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** Whether `entryPoints` were built from exactly the files as they are now. */
export function isFresh(entryPoints = ENTRY_POINTS) {
  const stamp = readStamp();
  if (!stamp || stamp.node !== process.version) return false;
  for (const name of Object.keys(entryPoints)) {
    const bundle = stamp.bundles?.[name];
    if (!bundle || bundle.entry !== entryPoints[name] || !existsSync(join(out, `${name}.js`))) return false;
    for (const [path, print] of Object.entries(bundle.inputs)) if (fingerprint(path) !== print) return false;
  }
  return true;
}

/** Bundles `entryPoints` (default: the project's) into .build/, unless they are fresh; type-checks config/ first. */
export async function bundle(entryPoints = ENTRY_POINTS, { force = false } = {}) {
  if (!force && isFresh(entryPoints)) return false;
  const { checkConfig } = await import('./check-config.mjs');
  const problems = checkConfig();
  if (problems.length > 0) throw new BuildError(`config does not type-check:\n${problems.join('\n')}`);
  const { build } = await import('esbuild');
  const pick = (inlined) => Object.fromEntries(Object.entries(entryPoints).filter(([name]) => INLINED.has(name) === inlined));
  const stamp = readStamp() ?? {};
  const bundles = stamp.node === process.version ? { ...stamp.bundles } : {};
  for (const inlined of [false, true]) {
    const entries = pick(inlined);
    if (Object.keys(entries).length === 0) continue;
    let result;
    try {
      // Everything but the validator keeps node_modules external: node loads cdk8s and the
      // libraries from the install, as it would for any app.
      result = await build({ ...OPTIONS, entryPoints: entries, ...(inlined ? {} : { packages: 'external' }) });
    } catch (error) {
      throw new BuildError(`the bundle does not build (see esbuild's messages above): ${error.message.split('\n')[0]}`);
    }
    for (const [output, meta] of Object.entries(result.metafile.outputs)) {
      const name = Object.keys(entries).find((n) => output === `.build/${n}.js` || output.endsWith(`/.build/${n}.js`));
      if (!name) continue;
      const inputs = Object.fromEntries(Object.keys(meta.inputs).map((path) => [path, fingerprint(path)]));
      bundles[name] = { entry: entries[name], inputs };
    }
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(STAMP, JSON.stringify({ node: process.version, bundles }));
  return true;
}
