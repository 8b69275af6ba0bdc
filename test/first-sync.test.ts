import { describe, expect, it } from 'vitest';
import { APPS_PATH, ARGOCD_PATH, BOOTSTRAP_FILE, revisionOf, rootOf } from '../charts/argocd';
import { COMPOSITION } from '../compose';
import { ARGOCD } from '../config/argocd';
import { ENVIRONMENTS } from '../config/environments';
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA } from '../lib/constructs/argocd-health';
import { Manifest } from '../lib/synth/layout';
import { ArgoCd, ArgoCdRun, cluster, kubectlApply, syncObjects } from './argocd-sim';
import { parseYaml, render } from './helpers';

/**
 * The contract of dist/ with Argo CD: on clusters that hold only the declared prerequisites, a
 * team applies dist/argocd/bootstrap.yaml once, with the argocd-cm patch merged, and every
 * Application's first sync finishes with everything healthy, with no manual step and no retry:
 * CRDs before the kinds they define, controllers before the objects they act on, namespaces,
 * Secrets and claims before the pods that need them, autoscalers after their targets. Each
 * cluster has its own root, following its environment's revision: one cluster that cannot sync
 * stalls nothing else, and prod runs what was promoted. The model is argocd-sim.ts, whose order,
 * gating and health test/oracle-argocd-*.test.ts hold to Argo CD's own code.
 */

const IN_CLUSTER = 'https://kubernetes.default.svc';
const files = render(ENVIRONMENTS);
const PATCH = { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA };
type Repo = Map<string, Manifest[]>;

/** The repository at one revision: dist/ as rendered, the argocd-cm patch left out (nothing syncs it). */
const repo = (): Repo => new Map([...files].filter(([path]) => path.endsWith('.yaml') && !path.startsWith('argocd/patches/')).map(([path, text]) => [`dist/${path}`, parseYaml(text)]));

interface Setup {
  readonly argocdCm?: Record<string, string>;
  /** The revisions of the repository; every revision an Application follows is `repo()` unless given. */
  readonly revisions?: Map<string, Repo>;
  /** Clusters Argo CD cannot reach. */
  readonly unreachable?: readonly string[];
}

/** Each environment's declared prerequisites, built once. */
const prerequisites = new Map(ENVIRONMENTS.map((env) => [env, COMPOSITION.build(env).prerequisites]));

/** Every destination's cluster holding its environment's prerequisites; Argo CD's own cluster also holds Argo CD. */
function installation(setup: Setup = {}): ArgoCd {
  const clusters = new Map(ENVIRONMENTS.filter((env) => !setup.unreachable?.includes(env.argocdDestination)).map((env) => [env.argocdDestination, cluster(prerequisites.get(env))]));
  const home = clusters.get(IN_CLUSTER) ?? cluster();
  clusters.set(IN_CLUSTER, home);
  home.namespaces.add(ARGOCD.namespace);
  for (const kind of ['Application', 'AppProject', 'ApplicationSet']) home.kinds.add(`argoproj.io/${kind}`);
  const revisions = new Map(setup.revisions ?? []);
  for (const revision of [ARGOCD.targetRevision, ...ENVIRONMENTS.map(revisionOf)]) if (!revisions.has(revision)) revisions.set(revision, repo());
  const registered = ENVIRONMENTS.filter((env) => env.argocdDestination !== IN_CLUSTER).map((env) => ({ server: env.argocdDestination }));
  return { home, registered, clusters, repo: revisions, argocdCm: setup.argocdCm ?? PATCH };
}

/** `kubectl apply -f dist/argocd/bootstrap.yaml`, then Argo CD syncs every Application it holds. */
function firstSync(argo: ArgoCd): ArgoCdRun {
  kubectlApply(argo.repo.get(ARGOCD.targetRevision)!.get(`${ARGOCD_PATH}/${BOOTSTRAP_FILE}`)!, argo.home);
  const run = new ArgoCdRun(argo);
  run.syncAll();
  return run;
}

const summary = (run: ArgoCdRun) => [...run.outcomes.values()].map((o) => `${o.name}: ${o.phase} ${o.health}${o.stoppedBy ? ` (${o.stoppedBy})` : ''}`).sort();
const everyApplication = () => [
  'platform-bootstrap',
  ...ENVIRONMENTS.flatMap((env) => [rootOf(env), `karpenter-crd-${env.name}`, `keda-${env.name}`, `karpenter-${env.name}`, `platform-${env.name}`]),
];

describe('the first sync from nothing', () => {
  it('finishes for every environment, each Application synced and healthy, with the argocd-cm patch applied', () => {
    const run = firstSync(installation());
    expect(summary(run)).toEqual(everyApplication().map((name) => `${name}: Succeeded Healthy`).sort());
  });

  it('ends with every object of every environment in its cluster, and Karpenter and KEDA running', () => {
    const argo = installation();
    firstSync(argo);
    for (const env of ENVIRONMENTS) {
      const c = argo.clusters.get(env.argocdDestination)!;
      expect([...c.running].sort()).toEqual(['karpenter', 'keda']);
      const expected = [...argo.repo.get(revisionOf(env))!].filter(([p]) => p.startsWith(`dist/${env.name}/`)).flatMap(([, objects]) => objects);
      for (const o of expected.filter((o) => o.kind !== 'Namespace')) expect(c.objects.has(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`), `${o.kind} ${o.metadata.name}`).toBe(true);
    }
  });

  it('stops without the Application health check: child Applications count as healthy at once and the waves order nothing', () => {
    const run = firstSync(installation({ argocdCm: {} }));
    for (const env of ENVIRONMENTS) {
      const platform = run.outcomes.get(`platform-${env.name}`)!;
      expect(platform.phase).toBe('Failed');
      expect(platform.stoppedBy).toMatch(/^one or more objects failed to apply, reason: the server could not find the requested resource \((karpenter\.sh\/NodePool|karpenter\.k8s\.aws\/EC2NodeClass|keda\.sh\/\w+): its CRD is not established\)/);
    }
  });

  it('stops when an environment object comes before what it needs (the model is not vacuous)', () => {
    const moved = repo();
    const [path, objects] = [...moved].find(([p]) => p.startsWith('dist/dev/') && p.endsWith('config.yaml'))!;
    const account = objects.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === 'airflow')!;
    (account.metadata as any).annotations = { ...account.metadata.annotations, 'argocd.argoproj.io/sync-wave': '9' };
    moved.set(path, objects);
    const dev = ENVIRONMENTS.find((env) => env.name === 'dev')!;
    const run = firstSync(installation({ revisions: new Map([[revisionOf(dev), moved]]) }));
    expect(run.outcomes.get('platform-dev')).toMatchObject({ phase: 'Running', stoppedBy: expect.stringMatching(/^waiting for healthy state of batch\/Job\/airflow-db-migrate-\w+ .*it needs ServiceAccount airflow\/airflow, which does not exist yet/) });
  });

  it('stops when a declared prerequisite is missing from the cluster (the Jenkins controller namespace)', () => {
    const env = ENVIRONMENTS[0]!;
    const objects = [...repo()].filter(([p]) => p.startsWith(`dist/${env.name}/`)).flatMap(([, o]) => o);
    const target = cluster([]);
    for (const kind of ['karpenter.sh/NodePool', 'karpenter.k8s.aws/EC2NodeClass', 'keda.sh/ScaledObject', 'keda.sh/TriggerAuthentication', 'monitoring.coreos.com/ServiceMonitor', 'monitoring.coreos.com/PrometheusRule']) target.kinds.add(kind);
    target.running.add('karpenter');
    target.running.add('keda');
    const outcome = syncObjects(objects, target, PATCH, ARGOCD.destinationNamespace);
    expect(outcome.phase).toBe('Failed');
    expect(outcome.stoppedBy).toMatch(/^one or more objects failed to apply, reason: namespaces "jenkins" not found.* \(\/ConfigMap\/jenkins\/jenkins-agents-casc: namespaces "jenkins" not found\)$/);
  });

  it("is refused by Argo CD when an environment's Application has no destination namespace (the empty namespace matches none of the project's)", () => {
    const refused = repo();
    for (const env of ENVIRONMENTS) {
      const app = refused.get(`${APPS_PATH}/${env.name}.yaml`)!.find((a) => a.kind === 'Application' && a.metadata.name === `platform-${env.name}`) as any;
      app.spec.destination = { server: app.spec.destination.server };
    }
    const run = firstSync(installation({ revisions: new Map([...new Set([ARGOCD.targetRevision, ...ENVIRONMENTS.map(revisionOf)])].map((r) => [r, refused])) }));
    for (const env of ENVIRONMENTS) {
      expect(run.outcomes.get(`platform-${env.name}`)).toMatchObject({ phase: 'Refused', message: `application destination server '${env.argocdDestination}' and namespace '' do not match any of the allowed destinations in project '${env.name}'` });
    }
  });
});

describe('one root Application per cluster', () => {
  it("a cluster Argo CD cannot reach stalls its own root only: the other clusters' syncs finish and the bootstrap's does not wait", () => {
    const dev = ENVIRONMENTS.find((env) => env.name === 'dev')!;
    const run = firstSync(installation({ unreachable: [dev.argocdDestination] }));
    expect(run.outcomes.get(rootOf(dev))).toMatchObject({ phase: 'Running', stoppedBy: expect.stringContaining(`Application karpenter-crd-dev: its cluster ${dev.argocdDestination} is unreachable`) });
    expect(run.outcomes.get('platform-bootstrap')).toMatchObject({ phase: 'Succeeded' });
    for (const env of ENVIRONMENTS.filter((e) => e !== dev)) {
      for (const name of [rootOf(env), `karpenter-crd-${env.name}`, `keda-${env.name}`, `karpenter-${env.name}`, `platform-${env.name}`]) expect(run.outcomes.get(name), name).toMatchObject({ phase: 'Succeeded', health: 'Healthy' });
    }
  });

  it('prod runs what was promoted: a change merged to main reaches dev, and prod once its branch moves to it', () => {
    const prod = ENVIRONMENTS.find((env) => env.production)!;
    const dev = ENVIRONMENTS.find((env) => env.name === 'dev')!;
    expect(revisionOf(prod)).not.toBe(revisionOf(dev));
    const merged = repo();
    for (const env of ENVIRONMENTS) {
      const path = [...merged.keys()].find((p) => p.startsWith(`dist/${env.name}/`) && p.endsWith('config.yaml'))!;
      merged.set(path, [...merged.get(path)!, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'merged-change', namespace: 'monitoring', annotations: { 'argocd.argoproj.io/sync-wave': '3' } } } as Manifest]);
    }
    const argo = installation({ revisions: new Map([[revisionOf(dev), merged]]) });
    firstSync(argo);
    const has = (env: typeof prod) => argo.clusters.get(env.argocdDestination)!.objects.has('ConfigMap/monitoring/merged-change');
    expect(has(dev)).toBe(true);
    expect(has(prod)).toBe(false);
    // Promotion: the prod branch moves to the commit dev runs.
    argo.repo.set(revisionOf(prod), merged);
    const promoted = new ArgoCdRun(argo);
    promoted.sync(argo.home.objects.get(`Application/${ARGOCD.namespace}/${rootOf(prod)}`)!);
    expect(promoted.outcomes.get(`platform-${prod.name}`)).toMatchObject({ phase: 'Succeeded', health: 'Healthy' });
    expect(has(prod)).toBe(true);
  });
});
