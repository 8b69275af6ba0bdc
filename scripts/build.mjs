#!/usr/bin/env node
// Bundles main.ts and the CLIs into .build/ for `npm run synth`, `npm run validate`, `npm run diff`
// and `npm run plan`, after type-checking config/; does nothing when no input changed.
//   --force   rebuild even when fresh
import { BuildError, bundle } from './bundle.mjs';

try {
  await bundle(undefined, { force: process.argv.includes('--force') });
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  console.error(`build failed (dist/ left unchanged): ${error.message}`);
  process.exitCode = 1;
}
