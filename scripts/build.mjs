#!/usr/bin/env node
// Bundles main.ts into .build/main.js for `npm run synth`. esbuild strips types without
// checking them (type checking runs in `npm test`); node_modules stay external so node loads
// cdk8s from the install, as it would for any app.
import { build } from 'esbuild';
import { resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
await build({
  entryPoints: { main: resolve(root, 'main.ts'), diff: resolve(root, 'scripts/diff.ts') },
  outdir: resolve(root, '.build'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
