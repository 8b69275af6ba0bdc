// The pinned CRDs as files, for the control plane oracle to install: the same files cdk8s.yaml
// imports (at their release tags), taken from the Go modules of those releases through the Go
// module proxy (`go mod download`, checked against the checksum database), which hold them at
// the same paths. No ../shared needed, and nothing copied into the project: Go's module cache
// keeps them. Needs Go.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { root } from './oracles.mjs';

// The Go module of each project whose CRDs cdk8s.yaml pins (a repository's path in its module).
const MODULES = {
  'aws/karpenter-provider-aws': 'github.com/aws/karpenter-provider-aws',
  'kedacore/keda': 'github.com/kedacore/keda/v2',
  'prometheus-operator/prometheus-operator': 'github.com/prometheus-operator/prometheus-operator',
  'argoproj/argo-cd': 'github.com/argoproj/argo-cd/v3',
};

/** Each CRD URL of cdk8s.yaml as a module, a version and a path in it. */
export function pinnedCrdSources() {
  const urls = parse(readFileSync(join(root, 'cdk8s.yaml'), 'utf8')).imports;
  return urls.map((url) => {
    const m = /^https:\/\/raw\.githubusercontent\.com\/([^/]+\/[^/]+)\/(v[^/]+)\/(.+)$/.exec(url);
    const module = m && MODULES[m[1]];
    if (!module) throw new Error(`cdk8s.yaml: ${url} is not a file of a project whose Go module is known (scripts/pinned-crds.mjs)`);
    return { url, module, version: m[2], path: m[3] };
  });
}

/** The local paths of the pinned CRD files, downloaded into Go's module cache if need be. */
export function pinnedCrdFiles() {
  const sources = pinnedCrdSources();
  const wanted = [...new Set(sources.map((s) => `${s.module}@${s.version}`))];
  const stdout = execFileSync('go', ['mod', 'download', '-json', ...wanted], { encoding: 'utf8', cwd: join(root, 'oracle', 'controlplane'), stdio: ['ignore', 'pipe', 'pipe'] });
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

// `node scripts/pinned-crds.mjs`: the files, as JSON on stdout (for the commands, which run bundled).
if (process.argv[1] === import.meta.filename) {
  try {
    console.log(JSON.stringify(pinnedCrdFiles()));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
