#!/usr/bin/env node
// `npm run synth | validate | plan | diff | review | verify`: brings .build/ up to date (scripts/bundle.mjs: a few
// milliseconds of stat calls when nothing changed), then runs the command's bundle in this same
// process, so that a command costs one node start-up, not two.
//   node scripts/run.mjs <main|validate|plan|diff|review|verify> [arguments...]
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { BuildError, bundle, MissingDependencyError, root } from './bundle.mjs';

const COMMANDS = ['main', 'validate', 'plan', 'diff', 'review', 'verify'];
const [command, ...args] = process.argv.slice(2);
if (!COMMANDS.includes(command)) {
  console.error(`usage: node scripts/run.mjs <${COMMANDS.join('|')}> [arguments...]`);
  process.exit(2);
}
try {
  await bundle();
} catch (error) {
  if (!(error instanceof BuildError)) throw error;
  if (error instanceof MissingDependencyError) {
    // Nothing in the project is wrong: one line on what to do, and not the exit status of a config error (1).
    console.error(`npm run ${command === 'main' ? 'synth' : command}: ${error.message}${command === 'main' ? ' (dist/ left unchanged)' : ''}`);
    process.exit(2);
  }
  console.error(`build failed${command === 'main' ? ' (dist/ left unchanged)' : ''}: ${error.message}`);
  process.exit(command === 'validate' ? 2 : 1);
}
const script = join(root, '.build', `${command}.js`);
// The command reads its arguments from process.argv, as when run as `node .build/<command>.js`.
process.argv = [process.argv[0], script, ...args];
createRequire(import.meta.url)(script);
