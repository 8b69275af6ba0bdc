// The Karpenter releases the project generates data for, and where each release's own files are:
// the Go modules github.com/aws/karpenter-provider-aws and sigs.k8s.io/karpenter at the versions the
// Karpenter oracle pins (oracle/karpenter/go.mod for 1.14.1, go.v<release>.mod for each later
// release, with their go.sum: checked against the checksum database), downloaded through the Go
// module proxy into Go's module cache and read there. Nothing is copied into the project: the
// generators (npm run schemas, catalog, metrics) read these files and commit what they make of them.
// Needs Go.
//
//   node scripts/karpenter-release.mjs             the releases, their modules and folders, as JSON
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSettings, goToolchain, root } from './oracles.mjs';

export const PROVIDER = 'github.com/aws/karpenter-provider-aws';
export const CORE = 'sigs.k8s.io/karpenter';
const ORACLE = join(root, 'oracle', 'karpenter');

/** The version a modfile requires of a module (`<module> <version>` in a require block or line). */
function required(text, module) {
  const m = new RegExp(`^\\s*(?:require\\s+)?${module.replace(/[.]/g, '\\.')}\\s+(v\\S+)`, 'm').exec(text);
  return m?.[1];
}

/**
 * Every release: the oracle's modfiles, each pinning one release of the provider and the core.
 * `{ release: '1.15.0', modfile: 'go.v1.15.0.mod', provider: 'v1.15.0', core: 'v1.15.0', text }`,
 * oldest first.
 */
export function karpenterReleases() {
  const modfiles = ['go.mod', ...readdirSync(ORACLE).filter((f) => /^go\.v[0-9.]+\.mod$/.test(f)).sort()];
  const releases = modfiles.map((modfile) => {
    const text = readFileSync(join(ORACLE, modfile), 'utf8');
    const provider = required(text, PROVIDER);
    const core = required(text, CORE);
    if (!provider || !core) throw new Error(`oracle/karpenter/${modfile} requires no ${provider ? CORE : PROVIDER}`);
    return { release: provider.slice(1), modfile, provider, core, text };
  });
  const byVersion = (a, b) => a.release.split('.').map(Number).reduce((d, n, i) => d || n - Number(b.release.split('.')[i]), 0);
  return releases.sort(byVersion);
}

/** One release by its name (`1.15.0`); throws naming the known ones. */
export function karpenterRelease(release) {
  const found = karpenterReleases().find((r) => r.release === release);
  if (!found) throw new Error(`no Karpenter release ${release} is pinned (oracle/karpenter/go.v${release}.mod); known: ${karpenterReleases().map((r) => r.release).join(', ')}`);
  return found;
}

/** The environment variables a release's go commands need (GOTOOLCHAIN, when its go line is newer than the Go on PATH). */
export function karpenterEnv(name) {
  return goEnv(karpenterRelease(name)).settings.env;
}

/** The environment a release's go commands run with: its toolchain (GOTOOLCHAIN) when newer than the Go on PATH. */
function goEnv(release) {
  const go = goToolchain();
  if (!go.ok) throw new Error(`Karpenter ${release.release}'s files come from its Go modules: ${go.why}`);
  return { settings: buildSettings(release.text, go.version), env: { ...process.env, GOFLAGS: '-buildvcs=false', ...buildSettings(release.text, go.version).env } };
}

/**
 * The module cache folder of `module@version`, downloaded through the proxy if need be, with the
 * toolchain of `release` (a module whose go line is newer than the Go on PATH is refused otherwise).
 */
export function downloadModule(module, version, release = karpenterReleases()[0]) {
  const result = spawnSync('go', ['mod', 'download', '-json', `${module}@${version}`], { encoding: 'utf8', cwd: ORACLE, env: goEnv(release).env });
  let info;
  try {
    info = JSON.parse(result.stdout);
  } catch {
    throw new Error(`go mod download ${module}@${version} failed: ${(result.stderr || result.error?.message || '').trim()}`);
  }
  if (info.Error) throw new Error(`go mod download ${module}@${version}: ${info.Error}`);
  return info.Dir;
}

/** The module cache folders of modules in a release's build list (go list -m -modfile), by module path. */
export function releaseModuleDirs(release, modules) {
  const { env } = goEnv(release);
  const stdout = execFileSync('go', ['list', '-mod=readonly', `-modfile=${release.modfile}`, '-m', '-json', ...modules], { encoding: 'utf8', cwd: ORACLE, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const dirs = new Map();
  for (const chunk of stdout.split(/\n(?=\{)/)) {
    const info = JSON.parse(chunk);
    if (!info.Dir) throw new Error(`${info.Path}@${info.Version} is not in the module cache: run node scripts/oracles.mjs karpenter${release.modfile === 'go.mod' ? '' : `-v${release.release}`} first`);
    dirs.set(info.Path, info.Dir);
  }
  return dirs;
}

/** The provider module's folder at a release: its CRDs, prices, VPC limits and chart. */
export const providerDir = (release) => downloadModule(PROVIDER, release.provider, release);

/** The CRD files of Karpenter's kinds the project uses (NodePool, EC2NodeClass), as a release ships them (provider pkg/apis/crds/). */
export function karpenterCrdFiles(release, names = ['karpenter.sh_nodepools.yaml', 'karpenter.k8s.aws_ec2nodeclasses.yaml']) {
  const dir = join(providerDir(release), 'pkg', 'apis', 'crds');
  return names.map((name) => {
    const file = join(dir, name);
    if (!existsSync(file)) throw new Error(`${PROVIDER}@${release.provider} has no pkg/apis/crds/${name}`);
    return file;
  });
}

/**
 * A program of a release's modules (`<module>/<package>`), built with the release's pinned build
 * list (the oracle's modfile, -mod=readonly) into .build/go/, rebuilt when missing. The provider's
 * hack/docs generators are `package main`s in its module.
 */
export function buildReleaseTool(release, pkg, name) {
  const { settings, env } = goEnv(release);
  const out = join(root, '.build', 'go', `${name}-v${release.release}`);
  mkdirSync(join(root, '.build', 'go'), { recursive: true });
  const result = spawnSync('go', ['build', '-mod=readonly', `-modfile=${release.modfile}`, ...settings.args, '-trimpath', '-o', out, pkg], { cwd: ORACLE, env, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`building ${pkg} of Karpenter ${release.release} (go build -modfile=${release.modfile} in oracle/karpenter) failed:\n${(result.stderr || result.error?.message || '').trim()}`);
  return out;
}

if (process.argv[1] === import.meta.filename) {
  try {
    console.log(JSON.stringify(karpenterReleases().map((r) => ({ release: r.release, modfile: r.modfile, provider: r.provider, core: r.core, providerDir: providerDir(r) })), null, 2));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
