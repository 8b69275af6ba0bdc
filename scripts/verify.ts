// `npm run verify [-- <env>...] [--ref <git-ref> | --previous <dir>] [--dist <dir>] [--format json]`: the synthesized
// dist/ applied to a real control plane (etcd and kube-apiserver v1.35.4, built from Go modules:
// oracle/controlplane), as Argo CD's server-side sync applies it, per environment:
//
//   1. on a fresh control plane with the pinned CRDs (Karpenter's of the environment's own release,
//      `karpenterVersion`) and the environment's declared Kubernetes prerequisites: every object of dist/<env>/ applied in file order, each accepted with no
//      warning, and every pod its templates make (and the Jenkins agents' JCasC pod templates)
//      created, dry run: pod validation and Pod Security admission accept it, with no warning;
//   2. on another: the render committed at a ref (default: the last commit whose dist/<env>
//      differs from this one; or a folder of renders, --previous <dir>/<env>) applied first, then
//      this one: the updates the API server refuses
//      must be exactly those `validate --previous` (and so `npm run plan`) reports as refused;
//
// and dist/argocd/ against Argo CD's CRDs. Needs Go (the oracle is built on first use).
// A refused update that was predicted is reported, not a failure: npm run plan already stops the
// change that makes it (exit 1) and says the way out; once a team merges it deliberately, the
// prediction held and verify has nothing to add.
// Exit status: 0 everything accepted, or refused exactly as predicted; 1 something refused on a
// fresh apply, warned, or an update mispredicted;
// 2 bad arguments, no dist/, or the control plane could not be built or started (it says which).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { COMPOSITION } from '../compose';
import { ENVIRONMENTS } from '../config/environments';
import { validate } from 'karpenter-validate';
import { embeddedPods } from 'karpenter-validate';
import { Input, KubeObject } from 'karpenter-validate';
import { LoadError, loadInputs } from 'karpenter-validate';
import { emitYaml } from '../lib/synth/yaml-emit';
import { karpenterVersionOf } from '../lib/config/environment';
import { OracleVerdict } from './controlplane-verdict';

const USAGE = 'usage: npm run --silent verify -- [<environment>...] [--ref <git-ref> | --previous <dir>] [--dist <dir>] [--format json]';

class UsageError extends Error {}

interface Arguments {
  readonly environments: readonly string[];
  readonly ref?: string;
  /** A folder of earlier renders (<dir>/<env>/), instead of a git ref. */
  readonly previous?: string;
  readonly dist: string;
  readonly json: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const environments: string[] = [];
  let ref: string | undefined;
  let previous: string | undefined;
  let dist = 'dist';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = () => {
      const next = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i];
      if (next === undefined || next === '') throw new UsageError(`'${arg.split('=')[0]}' needs a value`);
      return next;
    };
    if (arg === '--ref' || arg.startsWith('--ref=')) ref = value();
    else if (arg === '--previous' || arg.startsWith('--previous=')) previous = value();
    else if (arg === '--dist' || arg.startsWith('--dist=')) dist = value();
    else if (arg === '--format' || arg.startsWith('--format=')) {
      const format = value();
      if (format !== 'json' && format !== 'text') throw new UsageError(`'--format' (${JSON.stringify(format)}) must be text or json`);
      json = format === 'json';
    } else if (arg === '--help' || arg === '-h') throw new UsageError('');
    else if (arg.startsWith('-')) throw new UsageError(`unknown option '${arg}'`);
    else environments.push(arg);
  }
  const known = ENVIRONMENTS.map((e) => e.name);
  for (const name of environments) if (!known.includes(name)) throw new UsageError(`'${name}' is not an environment of config/environments (${known.join(', ')})`);
  if (ref && previous) throw new UsageError("'--ref' and '--previous' both name the render to update from: give one");
  if (!existsSync(dist)) throw new UsageError(`${dist}/ does not exist: run npm run synth first`);
  return { environments: environments.length > 0 ? environments : known, ...(ref ? { ref } : {}), ...(previous ? { previous } : {}), dist, json };
}

// --- what the oracle says ---

interface OracleObject {
  ref: { apiVersion: string; kind: string; namespace?: string; name: string; source?: string };
  verdict: OracleVerdict;
  pod?: OracleVerdict;
}
interface OraclePhase {
  readErrors?: string[];
  objects: OracleObject[];
}
interface OracleResult {
  crds: string[];
  prerequisites: OraclePhase;
  previous?: OraclePhase;
  current: OraclePhase;
  extraPods?: { source: string; verdict: OracleVerdict }[];
}

/** One thing that is not as it must be, in words a reviewer acts on. */
interface Problem {
  readonly where: string;
  readonly what: string;
}

const refText = (r: OracleObject['ref']) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;

class OracleError extends Error {}

/** Runs the control plane oracle's `verify` on an input; the control plane starts and stops within. */
function runVerify(binary: string, input: unknown): OracleResult {
  const result = spawnSync(binary, ['verify'], { input: JSON.stringify(input), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (result.error) throw new OracleError(`the control plane oracle could not run: ${result.error.message}`);
  if (result.status === 3) throw new OracleError(result.stderr.trim());
  if (result.status === 130 || result.signal) throw new OracleError('interrupted: the control plane was stopped');
  if (result.status !== 0) throw new OracleError(`the control plane oracle failed: ${result.stderr.trim()}`);
  return JSON.parse(result.stdout) as OracleResult;
}

function verdictProblems(phase: OraclePhase, label: string, problems: Problem[]): void {
  for (const error of phase.readErrors ?? []) problems.push({ where: label, what: `kubectl cannot read it: ${error}` });
  for (const o of phase.objects) {
    const where = `${refText(o.ref)}${o.ref.source ? ` (${relative(process.cwd(), o.ref.source)})` : ''}`;
    if (!o.verdict.accepted) problems.push({ where, what: `${label}: refused by the API server: ${o.verdict.message ?? o.verdict.reason}` });
    for (const w of o.verdict.warnings ?? []) problems.push({ where, what: `${label}: the API server warns: ${w}` });
    if (o.pod && !o.pod.accepted) problems.push({ where, what: `its pods are refused: ${o.pod.message ?? o.pod.reason}` });
    for (const w of o.pod?.warnings ?? []) problems.push({ where, what: `its pods draw a warning: ${w}` });
  }
}

// --- what the environment declares ---

/**
 * The Kubernetes objects an environment declares as prerequisites (config/: Namespaces, Secrets,
 * ServiceAccounts, ConfigMaps, Services; CRDs are the pinned ones), as minimal objects, so that
 * what refers to them is admitted as it would be on a prepared cluster. AWS resources are not
 * Kubernetes objects and are left out.
 */
function prerequisiteObjects(envName: string): KubeObject[] {
  const env = ENVIRONMENTS.find((e) => e.name === envName)!;
  const built = COMPOSITION.build(env);
  const objects: KubeObject[] = [];
  const seen = new Set<string>();
  for (const p of built.prerequisites) {
    const key = `${p.kind}/${p.namespace ?? ''}/${p.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const metadata = { name: p.name, ...(p.namespace ? { namespace: p.namespace } : {}) };
    switch (p.kind) {
      case 'Namespace':
        objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata });
        break;
      case 'ServiceAccount':
      case 'ConfigMap':
        objects.push({ apiVersion: 'v1', kind: p.kind, metadata });
        break;
      case 'Secret':
        objects.push({ apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque' });
        break;
      case 'Service':
        objects.push({ apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ port: 80 }] } });
        break;
      default:
    }
  }
  // Namespaces first: the others live in them.
  const namespaces = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => String(o.metadata?.name)));
  for (const o of [...objects]) {
    const ns = o.metadata?.namespace;
    if (typeof ns === 'string' && !namespaces.has(ns)) {
      namespaces.add(ns);
      objects.unshift({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
    }
  }
  return objects.sort((a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'));
}

/** The YAML files of a folder, in the order kubectl and Argo CD apply them. */
function filesOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** The last commit whose dist/<env> differs from the folder now, or undefined. */
function previousRef(env: string, dir: string): string | undefined {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  let commits: string[];
  try {
    commits = git('log', '--format=%H', '--', `dist/${env}`).split('\n').filter(Boolean);
  } catch {
    return undefined;
  }
  const now = new Map(filesOf(dir).map((f) => [basename(f), execFileSync('git', ['hash-object', f], { encoding: 'utf8' }).trim()]));
  for (const commit of commits) {
    const listed = git('ls-tree', commit, '--', `dist/${env}/`).split('\n').filter(Boolean);
    const then = new Map<string, string>();
    for (const line of listed) {
      const name = line.split('\t')[1]!.split('/').pop()!;
      if (/\.ya?ml$/.test(name)) then.set(name, line.split(/\s+/)[2]!);
    }
    const same = then.size === now.size && [...then].every(([name, hash]) => now.get(name) === hash);
    if (!same) return commit;
  }
  return undefined;
}

/** dist/<env> at a ref, written into `dir`. */
function writeRenderAt(ref: string, env: string, dir: string): boolean {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });
  const listed = git('ls-tree', '-r', '--name-only', ref, '--', `dist/${env}/`).split('\n').filter((p) => /\.ya?ml$/.test(p));
  for (const path of listed) writeFileSync(join(dir, basename(path)), git('show', `${ref}:${path}`));
  return listed.length > 0;
}

/** The updates our validator predicts the API server refuses (rule immutable-field), by object, at the environment's Karpenter release. */
function predictedRefusals(current: string[], previous: string[], karpenterVersion: string): Set<string> {
  const inputs: Input[] = loadInputs(current);
  const before = loadInputs(previous).map((i) => i.object);
  const result = validate(inputs, { admissionOnly: true, previous: before, karpenterVersion });
  return new Set(result.findings.filter((f) => f.rule === 'immutable-field').map((f) => `${f.object.kind} ${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name}`));
}

interface EnvironmentReport {
  readonly environment: string;
  readonly objects: number;
  readonly pods: number;
  readonly previousRef?: string;
  readonly refusedUpdates: readonly string[];
  /** Updates refused where validate --previous (and so npm run plan) predicted it: reported, not failed. */
  readonly refusedAsPredicted: readonly Problem[];
  readonly problems: readonly Problem[];
}

async function verifyEnvironment(binary: string, crdsOf: (release: string) => string[], env: string, args: Arguments, scratch: string, log: (line: string) => void): Promise<EnvironmentReport> {
  const release = karpenterVersionOf(ENVIRONMENTS.find((e) => e.name === env)!);
  const crds = crdsOf(release);
  const dir = join(args.dist, env);
  if (!existsSync(dir)) throw new UsageError(`${dir}/ does not exist: run npm run synth first`);
  const files = filesOf(dir);
  const prerequisites = join(scratch, `${env}-prerequisites.yaml`);
  writeFileSync(prerequisites, prerequisiteObjects(env).map((o) => emitYaml(o)).join('---\n'));
  const extraPods = loadInputs(files).flatMap((input) =>
    embeddedPods(input).map((pod) => ({ source: `${input.source} ${pod.at}`, namespace: String(pod.object.metadata?.namespace ?? 'default'), pod: { ...pod.object, metadata: { ...pod.object.metadata, name: `${String(pod.object.metadata?.name)}-oracle`.toLowerCase() } } })),
  );
  const problems: Problem[] = [];
  log(`${env}: applying ${files.length} files to a fresh control plane (Karpenter ${release}'s CRDs)...`);
  const fresh = runVerify(binary, { crds, prerequisites: [prerequisites], current: files, extraPods });
  verdictProblems(fresh.prerequisites, 'prerequisite', problems);
  verdictProblems(fresh.current, 'apply', problems);
  for (const pod of fresh.extraPods ?? []) {
    if (!pod.verdict.accepted) problems.push({ where: pod.source, what: `the pod the Jenkins controller would create is refused: ${pod.verdict.message}` });
    for (const w of pod.verdict.warnings ?? []) problems.push({ where: pod.source, what: `the pod the Jenkins controller would create draws a warning: ${w}` });
  }
  const pods = fresh.current.objects.filter((o) => o.pod).length + (fresh.extraPods?.length ?? 0);
  // A given folder, a given ref, or (for dist/ itself) the last commit whose render differs.
  const given = args.previous ? join(args.previous, env) : undefined;
  const previous = given ?? args.ref ?? (args.dist === 'dist' ? previousRef(env, dir) : undefined);
  let refusedUpdates: string[] = [];
  const asPredicted: Problem[] = [];
  if (previous) {
    const before = given ?? mkdtempSync(join(scratch, `${env}-previous-`));
    if (given ? existsSync(given) : writeRenderAt(previous, env, before)) {
      const label = given ? `the render in ${given}` : `the render at ${previous.slice(0, 12)}`;
      log(`${env}: applying ${label}, then this one...`);
      const update = runVerify(binary, { crds, prerequisites: [prerequisites], previous: filesOf(before), current: files });
      verdictProblems(update.previous ?? { objects: [] }, label, problems);
      refusedUpdates = update.current.objects.filter((o) => !o.verdict.accepted).map((o) => refText(o.ref));
      const predicted = predictedRefusals(files, filesOf(before), release);
      for (const o of update.current.objects.filter((x) => !x.verdict.accepted)) {
        const key = refText(o.ref);
        if (predicted.has(key)) asPredicted.push({ where: key, what: `update refused, as validate --previous and npm run plan predict (the sync fails on it until the plan's way out is followed): ${o.verdict.message}` });
        else problems.push({ where: key, what: `update refused by the API server, which validate --previous and npm run plan did not predict (a bug in the validator: please report it): ${o.verdict.message}` });
      }
      for (const key of predicted) if (!refusedUpdates.includes(key)) problems.push({ where: key, what: 'validate --previous and npm run plan predict this update is refused, but the API server accepts it (a bug in the validator: please report it)' });
    }
  }
  return { environment: env, objects: fresh.current.objects.length, pods, ...(previous ? { previousRef: given ?? previous } : {}), refusedUpdates, refusedAsPredicted: asPredicted, problems };
}

function argocdProblems(binary: string, crds: string[], dist: string, scratch: string): { objects: number; problems: Problem[] } {
  const dir = join(dist, 'argocd');
  const files = [...filesOf(dir), ...filesOf(join(dir, 'apps'))];
  const prerequisites = join(scratch, 'argocd-prerequisites.yaml');
  writeFileSync(prerequisites, emitYaml({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'argocd' } }));
  const result = runVerify(binary, { crds, prerequisites: [prerequisites], current: files });
  const problems: Problem[] = [];
  verdictProblems(result.current, 'apply', problems);
  return { objects: result.current.objects.length, problems };
}

async function main(argv: readonly string[]): Promise<number> {
  let args: Arguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message ? `${error.message}\n${USAGE}` : USAGE);
    return error.message ? 2 : 0;
  }
  const log = (line: string) => {
    if (!args.json) console.error(line);
  };
  // The project's own scripts (scripts/, beside .build/ when bundled), as child processes: the
  // oracle is built when missing or stale (minutes, the first time), the CRDs come through the Go
  // module proxy.
  const script = (name: string, ...rest: string[]) => spawnSync(process.execPath, [join(__dirname, '..', 'scripts', name), ...rest], { encoding: 'utf8', stdio: ['ignore', 'pipe', args.json ? 'pipe' : 'inherit'], maxBuffer: 1 << 24 });
  const built = script('oracles.mjs', 'controlplane');
  if (built.status !== 0) {
    console.error(`verify: the control plane could not be built${built.stderr ? `: ${built.stderr.trim()}` : ' (see above)'}`);
    return 2;
  }
  const binary = built.stdout.trim();
  // The pinned CRDs of each Karpenter release an environment runs (Karpenter's differ by release).
  const pinnedByRelease = new Map<string, string[]>();
  const crdsOf = (release?: string): string[] => {
    const key = release ?? '';
    if (!pinnedByRelease.has(key)) {
      const pinned = script('pinned-crds.mjs', ...(release ? ['--karpenter', release] : []));
      if (pinned.status !== 0) throw new OracleError(`the pinned CRDs${release ? ` of Karpenter ${release}` : ''} could not be fetched through the Go module proxy${pinned.stderr ? `: ${pinned.stderr.trim()}` : ' (see above)'}`);
      pinnedByRelease.set(key, JSON.parse(pinned.stdout) as string[]);
    }
    return pinnedByRelease.get(key)!;
  };
  let crds: string[];
  try {
    crds = crdsOf();
  } catch (error) {
    if (!(error instanceof OracleError)) throw error;
    console.error(`verify: ${error.message}`);
    return 2;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'karpenter-as-code-verify-'));
  const stop = () => rmSync(scratch, { recursive: true, force: true });
  // Ctrl-C reaches the oracle too (same process group): it stops its control plane and exits 130.
  process.on('SIGINT', () => undefined);
  try {
    const reports: EnvironmentReport[] = [];
    for (const env of args.environments) reports.push(await verifyEnvironment(binary, crdsOf, env, args, scratch, log));
    // A folder of environments alone (as tests make) has no argocd/ to apply.
    const hasArgocd = existsSync(join(args.dist, 'argocd'));
    if (hasArgocd) log('argocd: applying dist/argocd to a control plane with the Argo CD CRDs...');
    const argocd = hasArgocd ? argocdProblems(binary, crds, args.dist, scratch) : { objects: 0, problems: [] };
    const failed = reports.some((r) => r.problems.length > 0) || argocd.problems.length > 0;
    if (args.json) console.log(JSON.stringify({ environments: reports, argocd, ok: !failed }, null, 2));
    else {
      for (const r of reports) {
        console.log(`== ${r.environment}: ${r.objects} objects applied, ${r.pods} pods created (dry run)${r.previousRef ? `, updated from the render ${/^[0-9a-f]{40}$/.test(r.previousRef) ? `at ${r.previousRef.slice(0, 12)}` : `in ${r.previousRef}`}` : ', no earlier render to update from'}`);
        if (r.problems.length === 0) console.log(`   every object accepted with no warning; every pod admitted; updates as predicted${r.refusedAsPredicted.length > 0 ? ` (${r.refusedAsPredicted.length} refused)` : ''}`);
        for (const p of r.refusedAsPredicted) console.log(`   ! ${p.where}: ${p.what}`);
        for (const p of r.problems) console.log(`   ✗ ${p.where}: ${p.what}`);
      }
      if (hasArgocd) {
        console.log(`== argocd: ${argocd.objects} objects applied`);
        if (argocd.problems.length === 0) console.log('   every object accepted with no warning');
        for (const p of argocd.problems) console.log(`   ✗ ${p.where}: ${p.what}`);
      }
    }
    return failed ? 1 : 0;
  } catch (error) {
    if (error instanceof OracleError) {
      console.error(`verify: ${error.message}`);
      return 2;
    }
    if (error instanceof LoadError || error instanceof UsageError) {
      console.error(`verify: ${error.message}`);
      return 2;
    }
    throw error;
  } finally {
    stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`verify failed: internal error (please report it): ${error.message}`);
    if (process.env.KARPENTER_AS_CODE_DEBUG) console.error(error.stack);
    process.exitCode = 3;
  },
);
