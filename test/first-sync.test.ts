import { describe, expect, it } from 'vitest';
import { APPS_PATH, ARGOCD_PATH, BOOTSTRAP_FILE, revisionOf, rootOf } from '../charts/argocd';
import { COMPOSITION } from '../compose';
import { ARGOCD } from '../config/argocd';
import { ENVIRONMENTS } from '../config/environments';
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA } from '../lib/constructs/argocd-health';
import { Manifest } from '../lib/synth/layout';
import type { EnvironmentConfig } from '../config/environment-config';
import type { KnownObject } from '../packages/karpenter-validate/src/validation/references';
import { ArgoCd, ArgoCdRun, cluster, Cluster, jobRetrySeconds, kubectlApply, prerequisiteKey, syncObjects } from './argocd-sim';
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
  /** What the world outside the output does in each environment's cluster: services down, no capacity. */
  readonly world?: (c: Cluster, env: EnvironmentConfig) => void;
  /** The prerequisites each environment's cluster holds. @default every declared one */
  readonly holds?: (p: KnownObject) => boolean;
}

/** Each environment's declared prerequisites, built once. */
const prerequisites = new Map(ENVIRONMENTS.map((env) => [env, COMPOSITION.build(env).prerequisites]));

/** Every destination's cluster holding its environment's prerequisites; Argo CD's own cluster also holds Argo CD. */
function installation(setup: Setup = {}): ArgoCd {
  const clusterOf = (env: EnvironmentConfig) => {
    const c = cluster(prerequisites.get(env)!.filter(setup.holds ?? (() => true)));
    setup.world?.(c, env);
    return c;
  };
  const clusters = new Map(ENVIRONMENTS.filter((env) => !setup.unreachable?.includes(env.argocdDestination)).map((env) => [env.argocdDestination, clusterOf(env)]));
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
    expect(run.outcomes.get('platform-dev')).toMatchObject({ phase: 'Running', stoppedBy: expect.stringMatching(/^waiting for healthy state of apps\/Deployment\/airflow-scheduler and \d+ more resources .*it needs ServiceAccount airflow\/airflow, which does not exist yet/) });
  });

  it('stops when a declared prerequisite is missing from the cluster (the Jenkins controller namespace)', () => {
    const env = ENVIRONMENTS[0]!;
    const objects = [...repo()].filter(([p]) => p.startsWith(`dist/${env.name}/`)).flatMap(([, o]) => o);
    const target = cluster(prerequisites.get(env)!.filter((p) => p.kind === 'Namespace' && p.name !== 'jenkins'));
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

/** The objects of an environment's dist/ in a repository, by kind and name. */
const objectsOf = (r: Repo, env: EnvironmentConfig) => [...r].filter(([p]) => p.startsWith(`dist/${env.name}/`)).flatMap(([, o]) => o);
const keyOf = (o: Manifest) => `${o.kind}/${o.kind === 'Namespace' ? '' : (o.metadata.namespace ?? '')}/${o.metadata.name}`;
const isHook = (o: Manifest) => o.metadata.annotations?.['argocd.argoproj.io/hook'] !== undefined;
const wave = (o: Manifest) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
/** The prerequisite a predicate names, in an environment's declared list. */
const declared = (env: EnvironmentConfig, p: (k: KnownObject) => boolean) => {
  const found = prerequisites.get(env)!.find(p);
  if (!found) throw new Error(`${env.name}: no such declared prerequisite`);
  return found;
};
const redis = (env: EnvironmentConfig) => declared(env, (p) => p.kind === 'Service' && p.name === 'redis-sentinel');
const airflowDatabase = (env: EnvironmentConfig) => declared(env, (p) => p.kind === 'Secret' && p.name === 'airflow');
const dagRepository = (env: EnvironmentConfig) => declared(env, (p) => p.kind === 'Git repository');

describe('the first sync converges without live services', () => {
  it('needs no spot GPU node: the ScaledObject, in its target\'s wave, scales the GPU workers to zero before a pod waits for one', () => {
    const run = firstSync(installation({ world: (c) => c.noCapacity.add('gpu-spot') }));
    expect(summary(run)).toEqual(everyApplication().map((name) => `${name}: Succeeded Healthy`).sort());
  });

  it('would wait for a spot GPU node with the ScaledObject one wave after its target (the model is not vacuous)', () => {
    const later = repo();
    for (const env of ENVIRONMENTS) {
      const scaler = objectsOf(later, env).find((o) => o.kind === 'ScaledObject')!;
      (scaler.metadata as any).annotations['argocd.argoproj.io/sync-wave'] = String(wave(scaler) + 1);
    }
    const run = firstSync(installation({ revisions: new Map([...new Set(ENVIRONMENTS.map(revisionOf))].map((r) => [r, later])), world: (c) => c.noCapacity.add('gpu-spot') }));
    for (const env of ENVIRONMENTS) {
      expect(run.outcomes.get(`platform-${env.name}`)).toMatchObject({ phase: 'Running', stoppedBy: expect.stringContaining('(apps/Deployment/ai/ai-worker: its pods wait for a node of NodePool gpu-spot, where no capacity is to be had)') });
    }
  });

  it("applies Karpenter's monitoring before anything that waits on AWS or on a pod: node classes Karpenter cannot resolve stop the sync after it", () => {
    const argo = installation({ world: (c) => (c.nodeClassesResolve = false) });
    const run = firstSync(argo);
    for (const env of ENVIRONMENTS) {
      expect(run.outcomes.get(`platform-${env.name}`)).toMatchObject({ phase: 'Failed', stoppedBy: expect.stringMatching(/^one or more synchronization tasks completed unsuccessfully \(karpenter\.k8s\.aws\/EC2NodeClass\/default\/\S+: Karpenter resolves no AMI/) });
      const c = argo.clusters.get(env.argocdDestination)!;
      const monitoring = objectsOf(repo(), env).filter((o) => ['ServiceMonitor', 'PrometheusRule'].includes(o.kind) || (o.kind === 'ConfigMap' && o.metadata.labels?.grafana_dashboard === '1'));
      expect(monitoring.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'PrometheusRule', 'ServiceMonitor']);
      for (const o of monitoring) expect(c.objects.has(keyOf(o)), keyOf(o)).toBe(true);
    }
  });

  it('puts the monitoring before the node classes, and every pod, autoscaler and Job in one last wave', () => {
    for (const env of ENVIRONMENTS) {
      const objects = objectsOf(repo(), env);
      const monitoring = objects.filter((o) => ['ServiceMonitor', 'PrometheusRule'].includes(o.kind) || o.metadata.labels?.grafana_dashboard === '1').map(wave);
      const nodeClasses = objects.filter((o) => o.kind === 'EC2NodeClass').map(wave);
      const running = objects.filter((o) => ['Deployment', 'StatefulSet', 'Job', 'HorizontalPodAutoscaler', 'ScaledObject', 'TriggerAuthentication'].includes(o.kind)).map(wave);
      expect(Math.max(...monitoring)).toBeLessThan(Math.min(...nodeClasses));
      expect(new Set(running)).toEqual(new Set([Math.max(...objects.map(wave))]));
    }
  });

  it('applies every object while Redis, the DAG repository and the Airflow database do not answer, ends the sync without waiting for them, and turns healthy once they answer', () => {
    const down = (env: EnvironmentConfig) => [redis(env), dagRepository(env), airflowDatabase(env)].map(prerequisiteKey);
    const argo = installation({ world: (c, env) => down(env).forEach((k) => c.down.add(k)) });
    const run = firstSync(argo);
    for (const env of ENVIRONMENTS) {
      const name = `platform-${env.name}`;
      // The sync succeeds (no hook in the last wave: nothing there is waited for); the health says what is missing.
      expect(run.outcomes.get(name)).toMatchObject({ phase: 'Succeeded', health: 'Degraded' });
      const c = argo.clusters.get(env.argocdDestination)!;
      // Nothing waited for them: every object but the Namespaces is in the cluster, the other workloads too.
      for (const o of objectsOf(repo(), env).filter((o) => o.kind !== 'Namespace')) expect(c.objects.has(keyOf(o)), keyOf(o)).toBe(true);
      for (const k of down(env)) c.down.delete(k);
      expect(run.resync(name)).toMatchObject({ phase: 'Succeeded', health: 'Healthy' });
    }
  });

  it('would wait for the whole last wave with a hook in it: a Redis outage then fails the sync (the model is not vacuous)', () => {
    const hooked = repo();
    for (const env of ENVIRONMENTS) {
      const job = objectsOf(hooked, env).find((o) => o.kind === 'Job')!;
      (job.metadata as any).annotations = { ...job.metadata.annotations, 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation' };
    }
    const argo = installation({ revisions: new Map([...new Set(ENVIRONMENTS.map(revisionOf))].map((r) => [r, hooked])), world: (c, env) => c.down.add(prerequisiteKey(redis(env))) });
    const run = firstSync(argo);
    for (const env of ENVIRONMENTS) {
      expect(run.outcomes.get(`platform-${env.name}`)).toMatchObject({ phase: 'Failed', stoppedBy: 'one or more synchronization tasks completed unsuccessfully (apps/Deployment/ai/ai-worker: it uses Service redis/redis-sentinel, which does not answer)' });
    }
  });

  it('declares the DAG repository: without it the Airflow schedulers never start, and REPORT.md lists it with what provides it', () => {
    const run = firstSync(installation({ holds: (p) => p.kind !== 'Git repository' }));
    for (const env of ENVIRONMENTS) {
      // The sync ends (nothing waits for Airflow); Airflow stays Degraded, and says why.
      expect(run.outcomes.get(`platform-${env.name}`)).toMatchObject({ phase: 'Succeeded', health: 'Degraded', stoppedBy: 'its git-sync clones Git repository https://github.com/hihypipe/airflow-dags.git, which no declared prerequisite provides' });
      expect(files.get(`${env.name}/REPORT.md`)).toContain('| Git repository | https://github.com/hihypipe/airflow-dags.git |  | the Airflow DAGs (ref main, folder dags), cloned over HTTPS by git-sync');
    }
  });
});

describe('a failed Airflow migration is run again without hand work', () => {
  const databaseDown = (c: Cluster, env: EnvironmentConfig) => c.down.add(prerequisiteKey(airflowDatabase(env)));
  const dev = ENVIRONMENTS.find((env) => env.name === 'dev')!;
  const migrationOf = (set: Parameters<typeof objectsOf>[0]) => objectsOf(set, dev).find((o) => o.kind === 'Job' && o.metadata.name.startsWith('airflow-db-migrate-'))!;

  it('keeps retrying while the database does not answer (hours, not a sync retry budget), and completes once it answers, with no one deleting it', () => {
    const argo = installation({ world: databaseDown });
    const run = firstSync(argo);
    expect(run.outcomes.get('platform-dev')).toMatchObject({ phase: 'Succeeded', health: 'Degraded' });
    const c = argo.clusters.get(dev.argocdDestination)!;
    const migration = migrationOf(repo());
    expect(isHook(migration)).toBe(false);
    expect(jobRetrySeconds((migration as any).spec)).toBeGreaterThan(c.outageSeconds);
    expect(run.assessed.get('platform-dev')!.get(`batch/Job/airflow/${migration.metadata.name}`)?.status).toEqual({ active: 1 });
    expect(c.failedJobs.has(keyOf(migration))).toBe(false);
    c.down.clear();
    expect(run.resync('platform-dev')).toMatchObject({ phase: 'Succeeded', health: 'Healthy' });
    expect(run.assessed.get('platform-dev')!.get(`batch/Job/airflow/${migration.metadata.name}`)?.status).toEqual({ conditions: [{ type: 'Complete', status: 'True' }] });
  });

  it('would fail for good with retries shorter than the outage: a failed Job keeps its name and its status through every later sync (the model is not vacuous)', () => {
    const short = repo();
    (migrationOf(short) as any).spec.activeDeadlineSeconds = 1800;
    const argo = installation({ revisions: new Map([[revisionOf(dev), short]]), world: databaseDown });
    const run = firstSync(argo);
    argo.clusters.get(dev.argocdDestination)!.down.clear();
    expect(run.resync('platform-dev')).toMatchObject({ health: 'Degraded', stoppedBy: expect.stringMatching(/^it failed \(it uses Secret airflow\/airflow, whose service does not answer\), and a failed Job is not run again$/) });
  });
});
