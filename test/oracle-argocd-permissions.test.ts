import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArgoCondition, destinationCluster, isDestinationPermitted, isGroupKindPermitted, RegisteredCluster, validatePermissions } from '../packages/karpenter-validate/src/validation/argocd';
import { GO_TIER, runOracle } from './oracle';
import { random } from './random';

/**
 * AppProject permission as Argo CD v3.1.16 decides it (util/argo/argo.go ValidatePermissions with
 * clusters resolved by util/db; app_project_types.go IsGroupKindPermitted and IsDestinationPermitted
 * as the controller checks each synced object) against packages/karpenter-validate/src/validation/argocd.ts, on a seeded corpus
 * of Applications and AppProjects built from fixed lists of the destinations, repositories and
 * kinds people write (globs, `!` denials, scp-like and OCI repositories, upper case, `.git`,
 * trailing slashes, missing namespaces). Recorded in test/oracle/argocd/permissions.json;
 * KARPENTER_AS_CODE_RECORD=1 rewrites it from the oracle.
 */

const SEED = 20260523;
const RECORDED = join(__dirname, 'oracle', 'argocd', 'permissions.json');
type Json = Record<string, any>;

interface Case {
  readonly id: string;
  readonly project: Json;
  readonly application: Json;
  readonly kinds: { group: string; kind: string; namespaced: boolean }[];
  readonly namespaces: string[];
}
interface Corpus {
  readonly clusters: RegisteredCluster[];
  readonly cases: Case[];
}
interface Verdict {
  readonly id: string;
  readonly conditions: ArgoCondition[];
  readonly kinds: boolean[];
  readonly namespaces: (boolean | null)[];
}

// Registered clusters, as `argocd cluster add` leaves them (one with a trailing slash, one without a name, one scoped to a project).
const CLUSTERS: RegisteredCluster[] = [
  { server: 'https://dev.eks.example.internal', name: 'dev' },
  { server: 'https://prod.eks.example.internal/', name: 'prod' },
  { server: 'https://staging.eks.example.internal', name: 'staging', project: 'scoped' },
  { server: 'https://10.0.12.7:6443' },
];
const SERVERS = ['https://dev.eks.example.internal', 'https://prod.eks.example.internal', 'https://prod.eks.example.internal/', 'https://kubernetes.default.svc', 'https://staging.eks.example.internal', 'https://10.0.12.7:6443', 'https://unknown.example.internal'];
const NAMES = ['dev', 'prod', 'in-cluster', 'staging', 'nowhere'];
const SERVER_PATTERNS = ['https://dev.eks.example.internal', 'https://prod.eks.example.internal', 'https://kubernetes.default.svc', '*', 'https://*.eks.example.internal', '!https://prod.eks.example.internal', 'https://10.0.12.?:6443', '', 'https://{dev,staging}.eks.example.internal'];
const NAME_PATTERNS = ['', 'dev', 'in-cluster', '*', '!prod', 'stag*', '[dp]*'];
const NAMESPACE_PATTERNS = ['default', 'kube-system', '*', 'team-*', '!kube-system', '', 'apps', 'team-[ab]', '{apps,web}', 'ap?s', '[', '\\*'];
const NAMESPACES = ['', 'default', 'kube-system', 'apps', 'team-a', 'team-c', 'web', '*'];
const REPO_PATTERNS = [
  'https://github.com/org/*', 'https://github.com/org/**', 'https://github.com/ORG/Repo.git', 'git@github.com:org/repo.git', '*', '!https://github.com/org/secret', 'public.ecr.aws/karpenter',
  'https://kedacore.github.io/charts', 'https://github.com/org/rep?', 'https://github.com/org/{a,b}', 'https://*.example.com/charts', 'ssh://git@gitlab.example.com:2222/group/*', '  https://github.com/org/x  ',
  'https://github.com/org/[ab]*', '!*', 'https://github.com/org/repo/', 'http://github.com/org/*', 'oci://registry.example.com/charts/*', 'https://github.com/org/space repo',
];
const REPOS = [
  'https://github.com/org/repo', 'https://github.com/org/repo.git', 'HTTPS://GITHUB.COM/org/repo', 'git@github.com:org/repo.git', 'https://github.com/org/secret', 'https://github.com/org/group/sub', 'public.ecr.aws/karpenter',
  'https://kedacore.github.io/charts', 'https://github.com/org/a', 'ssh://git@gitlab.example.com:2222/group/app.git', 'https://charts.example.com/charts', 'https://github.com/other/repo', 'http://github.com/org/repo',
  'https://github.com/org/x', 'https://github.com/org/repo/', 'oci://registry.example.com/charts/app', 'https://github.com/org/space repo',
];
const KINDS = [
  { group: '', kind: 'Namespace' }, { group: '', kind: 'PersistentVolume' }, { group: 'storage.k8s.io', kind: 'StorageClass' }, { group: 'karpenter.sh', kind: 'NodePool' }, { group: 'karpenter.k8s.aws', kind: 'EC2NodeClass' },
  { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole' }, { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding' }, { group: 'apiextensions.k8s.io', kind: 'CustomResourceDefinition' },
  { group: '', kind: 'ConfigMap' }, { group: 'apps', kind: 'Deployment' }, { group: 'keda.sh', kind: 'ScaledObject' }, { group: '', kind: 'Secret' },
];
const KIND_PATTERNS = [
  { group: '', kind: 'Namespace' }, { group: '*', kind: '*' }, { group: 'karpenter.sh', kind: '*' }, { group: 'rbac.authorization.k8s.io', kind: 'Cluster*' }, { group: '', kind: '[NP]*' },
  { group: 'storage.k8s.io', kind: 'StorageClas?' }, { group: 'bad[', kind: '*' }, { group: 'karpenter.*', kind: '*Class' }, { group: '', kind: '*' }, { group: 'apps', kind: '[^S]*' }, { group: '*.k8s.io', kind: '*' },
];

/**
 * Cases where the model once disagreed with Argo CD, kept whatever the seed makes: a project that
 * permits only its own clusters needs the cluster scoped to it (util/db GetProjectClusters), which
 * the model first took for any registered cluster.
 */
const FOUND: readonly Case[] = [
  {
    id: 'found-project-scoped-cluster-by-server',
    project: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'project-292', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ namespace: '*', server: '*', name: 'dev' }], permitOnlyProjectScopedClusters: true } },
    application: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'app-292', namespace: 'argocd' }, spec: { project: 'project-292', destination: { server: 'https://staging.eks.example.internal' }, source: { repoURL: 'https://github.com/org/repo', path: 'dist/dev', targetRevision: 'main' } } },
    kinds: [],
    namespaces: ['apps', 'default'],
  },
  {
    id: 'found-project-scoped-cluster-by-name',
    project: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'project-310', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ namespace: '*', name: '!prod' }], permitOnlyProjectScopedClusters: true } },
    application: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'app-310', namespace: 'argocd' }, spec: { project: 'project-310', destination: { name: 'dev', namespace: 'team-a' }, source: { repoURL: 'https://kedacore.github.io/charts', chart: 'keda', targetRevision: '2.20.2' } } },
    kinds: [],
    namespaces: ['team-a'],
  },
  {
    id: 'found-project-scoped-cluster-scoped-to-it',
    project: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'scoped', namespace: 'argocd' }, spec: { sourceRepos: ['*'], destinations: [{ namespace: '*', server: '*' }], permitOnlyProjectScopedClusters: true } },
    application: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'app-scoped', namespace: 'argocd' }, spec: { project: 'scoped', destination: { name: 'staging', namespace: 'apps' }, source: { repoURL: 'https://github.com/org/repo', path: 'dist', targetRevision: 'main' } } },
    kinds: [],
    namespaces: ['apps'],
  },
  {
    // An ApplicationSet: Argo CD checks the Applications it generates, whose spec is its template's.
    id: 'applicationset-template-without-namespace',
    project: { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'team', namespace: 'argocd' }, spec: { sourceRepos: ['https://github.com/org/*'], destinations: [{ server: 'https://dev.eks.example.internal', namespace: 'apps' }] } },
    application: {
      apiVersion: 'argoproj.io/v1alpha1', kind: 'ApplicationSet', metadata: { name: 'apps', namespace: 'argocd' },
      spec: { generators: [{ list: { elements: [{ env: 'dev' }] } }], template: { metadata: { name: 'apps-dev' }, spec: { project: 'team', source: { repoURL: 'https://github.com/org/repo', path: 'dist/dev', targetRevision: 'main' }, destination: { server: 'https://dev.eks.example.internal' } } } },
    },
    kinds: [],
    namespaces: ['apps'],
  },
];

function permissionsCorpus(seed = SEED): Corpus {
  const rnd = random(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rnd() * values.length)]!;
  const some = <T>(values: readonly T[], max: number): T[] => Array.from({ length: Math.floor(rnd() * (max + 1)) }, () => pick(values));
  const chance = (p: number) => rnd() < p;
  const cases: Case[] = [];
  for (let i = 0; i < 320; i++) {
    const destinations = Array.from({ length: 1 + Math.floor(rnd() * 4) }, () => {
      const d: Json = { namespace: pick(NAMESPACE_PATTERNS) };
      if (chance(0.75)) d.server = pick(SERVER_PATTERNS);
      if (chance(0.35)) d.name = pick(NAME_PATTERNS);
      return d;
    });
    // A third of the projects permit most of what they are asked, so that permitted Applications are common too.
    const open = chance(0.35);
    if (open) destinations.push({ server: '*', namespace: '*' });
    const spec: Json = { sourceRepos: [...some(REPO_PATTERNS, 3), ...(open ? ['*'] : [])], destinations };
    if (chance(0.7)) spec.clusterResourceWhitelist = some(KIND_PATTERNS, 3);
    if (chance(0.2)) spec.clusterResourceBlacklist = some(KIND_PATTERNS, 2);
    if (chance(0.2)) spec.namespaceResourceWhitelist = some(KIND_PATTERNS, 2);
    if (chance(0.2)) spec.namespaceResourceBlacklist = some(KIND_PATTERNS, 2);
    if (chance(0.08)) spec.permitOnlyProjectScopedClusters = true;
    // A project that permits only its own clusters is the one the staging cluster is scoped to.
    const project = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: spec.permitOnlyProjectScopedClusters ? 'scoped' : `project-${i}`, namespace: 'argocd' }, spec };
    const source = (): Json => {
      const s: Json = chance(0.95) ? { repoURL: pick(REPOS) } : {};
      if (chance(0.3)) s.chart = 'karpenter';
      else if (chance(0.95)) s.path = 'dist/dev';
      if (!s.chart || chance(0.9)) s.targetRevision = pick(['main', '1.14.1']);
      return s;
    };
    const destination: Json = {};
    const by = rnd();
    if (by < 0.7) destination.server = pick(SERVERS);
    else if (by < 0.9) destination.name = pick(NAMES);
    else if (by < 0.95) Object.assign(destination, { server: pick(SERVERS), name: pick(NAMES) });
    const namespace = pick(NAMESPACES);
    if (namespace !== '') destination.namespace = namespace;
    const multiple = chance(0.15);
    const appSpec: Json = { project: project.metadata.name, destination };
    if (multiple) appSpec.sources = Array.from({ length: 1 + Math.floor(rnd() * 2) }, () => ({ repoURL: pick(REPOS), path: 'dist', targetRevision: 'main' }));
    else appSpec.source = source();
    cases.push({
      id: `case-${i}`,
      project,
      application: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: `app-${i}`, namespace: 'argocd' }, spec: appSpec },
      kinds: some(KINDS, 4).map((k) => ({ ...k, namespaced: chance(0.3) })),
      namespaces: some(NAMESPACES.filter((n) => n !== ''), 3),
    });
  }
  return { clusters: CLUSTERS, cases: [...cases, ...FOUND] };
}

function model(corpus: Corpus): Verdict[] {
  return corpus.cases.map((c) => {
    const spec = c.application.kind === 'ApplicationSet' ? c.application.spec.template.spec : c.application.spec;
    const project = { ...c.project.spec, metadata: c.project.metadata };
    const conditions = validatePermissions(spec, project, corpus.clusters);
    if (conditions === undefined) throw new Error(`${c.id}: outside what the model covers`);
    const cluster = destinationCluster(spec.destination, corpus.clusters);
    return {
      id: c.id,
      conditions,
      kinds: c.kinds.map((k) => isGroupKindPermitted(project, k.group, k.kind, k.namespaced)),
      namespaces: c.namespaces.map((n) => ('error' in cluster ? null : isDestinationPermitted(project, cluster, n, corpus.clusters))),
    };
  });
}

/** The record: the seed, a digest of the corpus it made (the corpus is code: the seed and the lists above), and Argo CD's verdicts. */
const recorded = (): { seed: number; corpus: string; verdicts: Verdict[] } => JSON.parse(readFileSync(RECORDED, 'utf8'));
const digest = (corpus: Corpus) => createHash('sha256').update(JSON.stringify(corpus)).digest('hex');
const disagreements = (corpus: Corpus, ours: Verdict[], theirs: Verdict[]) =>
  corpus.cases.flatMap((c, i) => (JSON.stringify(ours[i]) === JSON.stringify(theirs[i]) ? [] : [`${c.id} ${JSON.stringify({ project: c.project.spec, app: c.application.spec })}\n  model  ${JSON.stringify(ours[i])}\n  Argo CD ${JSON.stringify(theirs[i])}`]));

describe('AppProject permission, recorded from Argo CD v3.1.16 (seed 20260523)', () => {
  it('is recorded for the corpus the seed makes', () => {
    expect(recorded().seed).toBe(SEED);
    expect(recorded().corpus).toBe(digest(permissionsCorpus()));
  });

  it('holds packages/karpenter-validate/src/validation/argocd.ts to every recorded verdict', () => {
    const corpus = permissionsCorpus();
    expect(disagreements(corpus, model(corpus), recorded().verdicts)).toEqual([]);
  });

  it('records both verdicts of every check: permitted and refused sources, destinations, kinds and namespaces', () => {
    const { verdicts } = recorded();
    const messages = verdicts.flatMap((v) => v.conditions.map((c) => c.message));
    for (const kind of ['application repo', 'application destination server', 'there are no clusters with this name', "can't have both name and server", 'Destination server missing', 'error getting cluster by server', 'spec.source.repoURL and either', 'targetRevision is required']) {
      expect(messages.some((m) => m.includes(kind)), kind).toBe(true);
    }
    expect(verdicts.filter((v) => v.conditions.length === 0).length).toBeGreaterThan(20);
    expect(new Set(verdicts.flatMap((v) => v.kinds))).toEqual(new Set([true, false]));
    expect(new Set(verdicts.flatMap((v) => v.namespaces))).toEqual(new Set([true, false, null]));
  });

  it("refuses a destination without a namespace unless a destination's namespace is \"*\" (argo-cd #23.1: the empty namespace matched as \"\")", () => {
    const project = { metadata: { name: 'platform' }, destinations: [{ server: 'https://kubernetes.default.svc', namespace: 'kube-system' }] };
    const spec = { source: { repoURL: 'https://github.com/org/repo', path: 'dist', targetRevision: 'main' }, destination: { server: 'https://kubernetes.default.svc' } };
    expect(validatePermissions(spec, { ...project, sourceRepos: ['*'] }, [])).toEqual([{ type: 'InvalidSpecError', message: "application destination server 'https://kubernetes.default.svc' and namespace '' do not match any of the allowed destinations in project 'platform'" }]);
    expect(validatePermissions(spec, { ...project, sourceRepos: ['*'], destinations: [{ server: 'https://kubernetes.default.svc', namespace: '*' }] }, [])).toEqual([]);
  });
});

describe.runIf(GO_TIER)('AppProject permission, from Argo CD v3.1.16 itself (oracle/argocd permissions)', () => {
  it('agrees with packages/karpenter-validate/src/validation/argocd.ts on every case of the corpus, and is what is recorded', () => {
    const corpus = permissionsCorpus();
    const verdicts = runOracle<Verdict[]>('argocd', ['permissions'], JSON.stringify(corpus));
    if (process.env.KARPENTER_AS_CODE_RECORD === '1') {
      if (!existsSync(dirname(RECORDED))) mkdirSync(dirname(RECORDED), { recursive: true });
      writeFileSync(RECORDED, `{"seed":${SEED},"corpus":"${digest(corpus)}","verdicts":[\n${verdicts.map((v) => JSON.stringify(v)).join(',\n')}\n]}\n`);
    }
    expect(disagreements(corpus, model(corpus), verdicts)).toEqual([]);
    expect(verdicts).toEqual(recorded().verdicts);
  });
});
