// The pinned CRDs as files, for the control plane oracle to install: the same files cdk8s.yaml
// imports (at their release tags), taken from the Go modules of those releases through the Go
// module proxy (`go mod download`, checked against the checksum database), which hold them at
// the same paths. No ../shared needed, and nothing copied into the project: Go's module cache
// keeps them. Needs Go.
//
// Karpenter's are those of a release the project supports (cdk8s.yaml pins the default one's):
// `--karpenter <release>` takes that release's, from the provider module at the version
// oracle/karpenter pins for it (scripts/karpenter-release.mjs), as each environment's own.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { root } from './oracles.mjs';
import { karpenterEnv, karpenterRelease } from './karpenter-release.mjs';

// The Go module of each project whose CRDs cdk8s.yaml pins (a repository's path in its module).
const MODULES = {
  'aws/karpenter-provider-aws': 'github.com/aws/karpenter-provider-aws',
  'kedacore/keda': 'github.com/kedacore/keda/v2',
  'prometheus-operator/prometheus-operator': 'github.com/prometheus-operator/prometheus-operator',
  'argoproj/argo-cd': 'github.com/argoproj/argo-cd/v3',
};

/**
 * Each CRD URL of cdk8s.yaml as a module, a version and a path in it; Karpenter's at `karpenter`
 * (a release, `1.15.0`) when given.
 */
export function pinnedCrdSources(karpenter) {
  const urls = parse(readFileSync(join(root, 'cdk8s.yaml'), 'utf8')).imports;
  const release = karpenter === undefined ? undefined : karpenterRelease(karpenter);
  return urls.map((url) => {
    const m = /^https:\/\/raw\.githubusercontent\.com\/([^/]+\/[^/]+)\/(v[^/]+)\/(.+)$/.exec(url);
    const module = m && MODULES[m[1]];
    if (!module) throw new Error(`cdk8s.yaml: ${url} is not a file of a project whose Go module is known (scripts/pinned-crds.mjs)`);
    const version = release && m[1] === 'aws/karpenter-provider-aws' ? release.provider : m[2];
    return { url: url.replace(`/${m[2]}/`, `/${version}/`), module, version, path: m[3] };
  });
}

/** The local paths of the pinned CRD files (Karpenter's of release `karpenter`, when given), downloaded into Go's module cache if need be. */
export function pinnedCrdFiles(karpenter) {
  const sources = pinnedCrdSources(karpenter);
  const wanted = [...new Set(sources.map((s) => `${s.module}@${s.version}`))];
  // A Karpenter release whose go line is newer than the Go on PATH is downloaded with its toolchain.
  const toolchain = karpenter === undefined ? {} : karpenterEnv(karpenter);
  const stdout = execFileSync('go', ['mod', 'download', '-json', ...wanted], { encoding: 'utf8', cwd: join(root, 'oracle', 'controlplane'), stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...toolchain } });
  // `go mod download -json` prints one JSON object per module, concatenated.
  const dirs = new Map();
  for (const chunk of stdout.split(/\n(?=\{)/)) {
    const info = JSON.parse(chunk);
    if (info.Error) throw new Error(`go mod download ${info.Path}@${info.Version}: ${info.Error}`);
    dirs.set(`${info.Path}@${info.Version}`, info.Dir);
  }
  return sources.map((s) => {
    const file = join(dirs.get(`${s.module}@${s.version}`), s.path);
    if (!existsSync(file)) throw new Error(`${s.module}@${s.version} has no ${s.path} (cdk8s.yaml imports ${s.url})`);
    return file;
  });
}

/** The Go module cache folder of a module version (downloaded if need be). */
export function moduleDir(module, version) {
  const info = JSON.parse(execFileSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: join(root, 'oracle', 'controlplane'), stdio: ['ignore', 'pipe', 'pipe'] }));
  if (info.Error) throw new Error(`go mod download ${module}@${version}: ${info.Error}`);
  return info.Dir;
}

// `node scripts/pinned-crds.mjs [--karpenter <release>]`: the files, as JSON on stdout (for the commands, which run bundled).
if (process.argv[1] === import.meta.filename) {
  try {
    const args = process.argv.slice(2);
    const at = args.indexOf('--karpenter');
    if ((at >= 0 && !args[at + 1]) || args.length !== (at >= 0 ? 2 : 0)) throw new Error('usage: node scripts/pinned-crds.mjs [--karpenter <release>]');
    console.log(JSON.stringify(pinnedCrdFiles(at >= 0 ? args[at + 1] : undefined)));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
