#!/usr/bin/env node
// Bundles main.ts and the CLIs into .build/ for `npm run synth`, `npm run validate`, `npm run diff`
// and `npm run plan`, after type-checking config/; does nothing when no input changed.
//   --force   rebuild even when fresh
//   <name>... only these bundles (main, validate, diff, plan) and what they run
import { BuildError, bundle, ENTRY_POINTS, entryPointsFor } from './bundle.mjs';

const names = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const unknown = names.filter((name) => !Object.hasOwn(ENTRY_POINTS, name));
if (unknown.length > 0) {
  console.error(`build: unknown bundle ${unknown.map((n) => `'${n}'`).join(', ')} (one of ${Object.keys(ENTRY_POINTS).join(', ')})`);
  process.exit(2);
}
try {
  await bundle(names.length > 0 ? entryPointsFor(names) : undefined, { force: process.argv.includes('--force') });
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`build failed (dist/ left unchanged): ${error.message}`);
  process.exitCode = 1;
}
