// The arguments every generator of ../shared's reference data takes: the folder it reads, and
// `--output <file>` to write elsewhere than the committed file (the drift tests do).
import { join, resolve } from 'node:path';

export const root = resolve(import.meta.dirname, '..');

/** `{ input, output }` from process.argv; prints `usage` and exits 2 without an input folder. */
export function generatorArgs(defaultOutput, usage) {
  const args = process.argv.slice(2);
  const flag = args.indexOf('--output');
  const output = flag >= 0 ? resolve(args[flag + 1] ?? '') : join(root, ...defaultOutput);
  if (flag >= 0) args.splice(flag, 2);
  if (!args[0]) {
    console.error(`usage: ${usage} [--output <file>]`);
    process.exit(2);
  }
  return { input: args[0], output };
}
