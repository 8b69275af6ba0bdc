#!/usr/bin/env node
// Bundles main.ts and the CLIs into .build/ for `npm run synth`, `npm run validate` and `npm run diff`.
import { bundle } from './bundle.mjs';

await bundle();
