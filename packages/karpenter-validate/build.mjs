#!/usr/bin/env node
// Builds the package into dist/ ahead of packing (`npm pack` runs it as prepack), so that an
// install with production dependencies only runs the CLI, the API and the cdk8s plugin with no
// TypeScript and no esbuild: one CommonJS bundle per entry point of package.json "exports" (its
// dependencies left to node_modules), and their type declarations under dist/types/.
//
// The generated schemas are not bundled: the validator reads them from schemas/ beside dist/ at
// run time, a kind's schema only when an object of that kind is validated.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const here = import.meta.dirname;
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));

// The entry points, by the file each export of package.json names (dist/<name>.js).
const ENTRIES = ['index', 'model', 'network', 'monitoring', 'plugin', 'cli'];

rmSync(join(here, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: Object.fromEntries(ENTRIES.map((name) => [name, join(here, 'src', `${name}.ts`)])),
  outdir: join(here, 'dist'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Dependencies stay packages of their own (installed by npm with this one), subpaths included.
  external: Object.keys(pkg.dependencies).flatMap((name) => [name, `${name}/*`]),
  logLevel: 'warning',
  legalComments: 'inline',
});

// The command: a script npm links into node_modules/.bin.
const cli = join(here, 'dist', 'cli.js');
writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, 'utf8')}`);
chmodSync(cli, 0o755);

// Declarations of the public entry points and what they export (typescript is resolved as node
// resolves it from here: within the project's workspace, from the root's node_modules).
const tsc = spawnSync(process.execPath, [createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(here, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.error || tsc.status !== 0) {
  console.error('karpenter-validate: the type declarations could not be built');
  process.exit(1);
}
console.log(`karpenter-validate: built ${ENTRIES.map((e) => `dist/${e}.js`).join(', ')} and dist/types/`);
