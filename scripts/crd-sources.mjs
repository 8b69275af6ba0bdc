// The CRDs the project is generated from: the upstream URLs pinned in cdk8s.yaml, or the files of
// the same names in a local folder (searched recursively: ../shared/crds holds one folder per
// project and release), for CI and offline machines.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parse } from 'yaml';

export const root = resolve(import.meta.dirname, '..');

// The release tag in an upstream URL (`.../v1.14.1/...`), to tell two releases' files apart.
const tagOf = (url) => /\/(v[0-9][^/]*)\//.exec(url)?.[1];

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** cdk8s.yaml as committed, its upstream URLs, and the CRD sources to read (found under `localDir` when given). */
export function crdSources(localDir) {
  const configText = readFileSync(join(root, 'cdk8s.yaml'), 'utf8');
  const urls = parse(configText).imports;
  if (!localDir) return { configText, urls, sources: urls };
  const dir = resolve(localDir);
  if (!existsSync(dir)) {
    console.error(`'${localDir}' does not exist`);
    process.exit(2);
  }
  const files = filesUnder(dir);
  const sources = urls.map((url) => {
    // Same file name, and the release folder when the tree holds several (karpenter-v1.14.1/...).
    const matches = files.filter((file) => basename(file) === basename(url));
    const tagged = matches.filter((file) => file.includes(`-${tagOf(url)}/`));
    const found = tagged.length === 1 ? tagged : matches;
    if (found.length !== 1) {
      console.error(`'${localDir}' has ${found.length === 0 ? 'no' : 'several'} ${basename(url)} (cdk8s.yaml imports ${url})`);
      process.exit(2);
    }
    return found[0];
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
