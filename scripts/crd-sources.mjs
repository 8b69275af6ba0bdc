// The Karpenter CRDs the project is generated from: the upstream URLs pinned in cdk8s.yaml, or
// the files of the same names in a local folder (CI and offline machines).
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';

export const root = resolve(import.meta.dirname, '..');

/** cdk8s.yaml as committed, its upstream URLs, and the CRD sources to read (resolved into `localDir` when given). */
export function crdSources(localDir) {
  const configText = readFileSync(join(root, 'cdk8s.yaml'), 'utf8');
  const urls = parse(configText).imports;
  const sources = urls.map((url) => {
    if (!localDir) return url;
    const file = join(resolve(localDir), basename(url));
    if (!existsSync(file)) {
      console.error(`'${localDir}' has no ${basename(url)} (cdk8s.yaml imports ${url})`);
      process.exit(2);
    }
    return file;
  });
  return { configText, urls, sources };
}

/** Splits `--output <path>` off the arguments. */
export function outputArg(args, fallback) {
  const flag = args.indexOf('--output');
  if (flag < 0) return fallback;
  const output = resolve(args[flag + 1] ?? '');
  args.splice(flag, 2);
  return output;
}
