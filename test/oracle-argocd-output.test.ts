import { describe, expect, it } from 'vitest';
import { ARGOCD } from '../config/argocd';
import { ENVIRONMENTS } from '../config/environments';
import { APPLICATION_HEALTH_KEY, APPLICATION_HEALTH_LUA } from '../lib/constructs/argocd-health';
import { Manifest } from '../lib/synth/layout';
import { CLUSTER_SCOPED_KINDS_ANNOTATION, destinationCluster, isDestinationPermitted, isGroupKindPermitted, validatePermissions } from '../packages/karpenter-validate/src/validation/argocd';
import { syncTasks, taskKey } from '../packages/karpenter-validate/src/validation/sync-order';
import { argoHealth, ArgoCdRun, canonicalSteps, CLUSTER_SCOPED, cluster, Cluster, directorySource, Health, healthChecksOf, kubectlApply, prerequisiteKey, runSync, SyncOutcome } from './argocd-sim';
import type { EnvironmentConfig } from '../config/environment-config';
import { COMPOSITION } from '../compose';
import { parseYaml, render } from './helpers';
import { GO_TIER, runOracle } from './oracle';

/**
 * Argo CD's own code on our output (dist/ as rendered now): every Application is permitted by its
 * project (util/argo ValidatePermissions, and each object it syncs as the controller checks it);
 * each Application that syncs a folder (the bootstrap, each root, each environment's dist/<env>/)
 * runs, in gitops-engine's sync, in the order and waves the model says, to Succeeded, with the
 * statuses the first-sync model gives its objects; and every object whose health gates a wave is
 * as healthy to Argo CD as to the model. Go tier only: the output changes with every config change,
 * so nothing here is recorded (the seeded corpora of test/oracle-argocd-*.test.ts are).
 */

type Json = Record<string, any>;
const IN_CLUSTER = 'https://kubernetes.default.svc';
const ARGOCD_CM = { [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA };
const files = render(ENVIRONMENTS);
const repo = new Map([...files].filter(([path]) => path.endsWith('.yaml') && !path.startsWith('argocd/patches/')).map(([path, text]) => [`dist/${path}`, parseYaml(text)]));
const shared = [...repo].filter(([path]) => path.startsWith('dist/argocd/')).flatMap(([, objects]) => objects);
const applications = shared.filter((o) => o.kind === 'Application') as Json[];
const projects = new Map(shared.filter((o) => o.kind === 'AppProject').map((p) => [p.metadata.name, p as Json]));
const clusters = ENVIRONMENTS.filter((env) => env.argocdDestination !== IN_CLUSTER).map((env) => ({ server: env.argocdDestination }));
const groupOf = (o: Manifest) => (o.apiVersion.includes('/') ? o.apiVersion.split('/')[0]! : '');
const namespaced = (o: Manifest) => !CLUSTER_SCOPED.includes(`${groupOf(o)}/${o.kind}`);
/** The objects an Application with a directory source syncs (every revision is the rendered dist/). */
const objectsOf = (app: Json): Manifest[] => directorySource(repo, app.spec.source.path, app.spec.source.directory ?? {});

/** The first sync of the model, for the statuses it gives every object; `world` sets what is down in an environment's cluster. */
function firstSync(world: (c: Cluster, env: EnvironmentConfig) => void = () => undefined): ArgoCdRun {
  const clusterOf = (env: EnvironmentConfig) => {
    const c = cluster(COMPOSITION.build(env).prerequisites);
    world(c, env);
    return c;
  };
  const byServer = new Map(ENVIRONMENTS.map((env) => [env.argocdDestination, clusterOf(env)]));
  const home = byServer.get(IN_CLUSTER) ?? cluster();
  byServer.set(IN_CLUSTER, home);
  home.namespaces.add(ARGOCD.namespace);
  for (const kind of ['Application', 'AppProject']) home.kinds.add(`argoproj.io/${kind}`);
  const revisions = new Map([...new Set([ARGOCD.targetRevision, ...ENVIRONMENTS.map((e) => e.argocdRevision ?? ARGOCD.targetRevision)])].map((r) => [r, repo]));
  const argo = { home, registered: clusters, clusters: byServer, repo: revisions, argocdCm: ARGOCD_CM };
  kubectlApply(repo.get('dist/argocd/bootstrap.yaml')!, home);
  const run = new ArgoCdRun(argo);
  run.syncAll();
  return run;
}

describe.runIf(GO_TIER)('dist/ as Argo CD v3.1.16 sees it (oracle/argocd)', () => {
  const run = GO_TIER ? firstSync() : undefined;

  it('permits every Application, its sources, its destination, and every kind and namespace it syncs', () => {
    const cases = applications.map((app) => {
      const objects = app.spec.source.path ? objectsOf(app) : [];
      const annotated = String(app.metadata.annotations?.[CLUSTER_SCOPED_KINDS_ANNOTATION] ?? '').split(',').filter(Boolean).map((gk) => ({ group: gk.split('/')[0]!, kind: gk.split('/')[1]!, namespaced: false }));
      const kinds = [...new Map([...annotated, ...objects.map((o) => ({ group: groupOf(o), kind: o.kind, namespaced: namespaced(o) }))].map((k) => [JSON.stringify(k), k])).values()];
      const namespaces = objects.length > 0 ? [...new Set(objects.filter(namespaced).map((o) => o.metadata.namespace ?? app.spec.destination.namespace))] : [app.spec.destination.namespace];
      return { id: app.metadata.name, project: projects.get(app.spec.project)!, application: app, kinds, namespaces };
    });
    const verdicts = runOracle<{ id: string; conditions: unknown[]; kinds: boolean[]; namespaces: (boolean | null)[] }[]>('argocd', ['permissions'], JSON.stringify({ clusters, cases }));
    expect(verdicts.filter((v) => v.conditions.length > 0 || v.kinds.includes(false) || v.namespaces.some((n) => n !== true))).toEqual([]);
    expect(verdicts.map((v) => v.id).sort()).toEqual(applications.map((a) => a.metadata.name).sort());
    const model = cases.map((c) => {
      const project = { ...c.project.spec, metadata: c.project.metadata };
      const resolved = destinationCluster(c.application.spec.destination, clusters);
      return {
        id: c.id,
        conditions: validatePermissions(c.application.spec, project, clusters),
        kinds: c.kinds.map((k) => isGroupKindPermitted(project, k.group, k.kind, k.namespaced)),
        namespaces: c.namespaces.map((n) => ('error' in resolved ? null : isDestinationPermitted(project, resolved, n, clusters))),
      };
    });
    expect(model).toEqual(verdicts);
  });

  it("syncs the bootstrap, each root and each environment in gitops-engine's order and waves, to Succeeded, as the model does", () => {
    const folders = applications.filter((app) => app.spec.source.path);
    expect(folders.map((a) => a.metadata.name).sort()).toEqual(['platform-bootstrap', ...ENVIRONMENTS.flatMap((env) => [`platform-apps-${env.name}`, `platform-${env.name}`])].sort());
    const cases = folders.map((app) => {
      const assessed = run!.assessed.get(app.metadata.name)!;
      const tasks = syncTasks(objectsOf(app), app.spec.destination.namespace);
      const resources = [...new Map(tasks.map((t) => [t.object, assessed.get(taskKey(t))?.status])).entries()].map(([target, status]) => ({ target, ...(status !== undefined ? { status } : {}) }));
      return { id: app.metadata.name, namespace: app.spec.destination.namespace, server: app.spec.destination.server, project: projects.get(app.spec.project)!, syncOptions: app.spec.syncPolicy.syncOptions, resources };
    });
    const verdicts = runOracle<(SyncOutcome & { id: string })[]>('argocd', ['sync'], JSON.stringify({ argocdCm: ARGOCD_CM, clusterScoped: CLUSTER_SCOPED, clusters, cases }));
    // No hook in any last wave: each operation ends in the call that applies its last wave (all tasks run), waiting for none of it.
    expect(verdicts.map((v) => `${v.id}: ${v.phase} ${v.message}`)).toEqual(cases.map((c) => `${c.id}: Succeeded successfully synced (all tasks run)`));
    const checks = healthChecksOf(ARGOCD_CM);
    const model = cases.map((c) => {
      const statuses = new Map(c.resources.map((r) => [r.target, (r as Json).status]));
      const project = { ...c.project.spec, metadata: c.project.metadata };
      const resolved = destinationCluster({ server: c.server }, clusters);
      return {
        id: c.id,
        ...runSync(syncTasks(c.resources.map((r) => r.target), c.namespace), {
          live: (t) => ({ ...t.object, ...(statuses.get(t.object as Manifest) !== undefined ? { status: statuses.get(t.object as Manifest) } : {}) }),
          invalid: (t) => {
            const isNamespaced = !CLUSTER_SCOPED.includes(`${t.group}/${t.kind}`);
            if (!isGroupKindPermitted(project, t.group, t.kind, isNamespaced)) return `resource ${t.group}:${t.kind} is not permitted in project ${project.metadata.name}`;
            if (isNamespaced && !('error' in resolved) && !isDestinationPermitted(project, resolved, t.namespace, clusters)) return `namespace ${t.namespace} is not permitted in project '${project.metadata.name}'`;
            return undefined;
          },
          health: (o) => argoHealth(o, checks),
          namespace: c.namespace,
        }),
      };
    });
    // Objects that tie in gitops-engine's order (the ServiceMonitor and the PrometheusRule `karpenter`, in one wave) go in no fixed order.
    const canonical = (outcomes: (SyncOutcome & { id: string })[]) => outcomes.map((o) => ({ ...o, steps: canonicalSteps(o.steps) }));
    expect(canonical(model)).toEqual(canonical(verdicts));
  });

  it("ends an environment's sync while Airflow's database does not answer, its migration still retrying, and again once it answers, as the model does", () => {
    const env = ENVIRONMENTS.find((e) => e.name === 'dev')!;
    const name = `platform-${env.name}`;
    const app = applications.find((a) => a.metadata.name === name)!;
    const database = COMPOSITION.build(env).prerequisites.find((p) => p.kind === 'Secret' && p.name === 'airflow')!;
    const down = firstSync((c, e) => e === env && c.down.add(prerequisiteKey(database)));
    const failed = new Map(down.assessed.get(name)!);
    down.argo.clusters.get(env.argocdDestination)!.down.clear();
    down.resync(name);
    const healed = down.assessed.get(name)!;
    const operation = (id: string, status: (key: string) => Json | undefined, before?: (key: string) => Json | undefined) => {
      const tasks = syncTasks(objectsOf(app), app.spec.destination.namespace);
      const resources = [...new Map(tasks.map((t) => [t.object, taskKey(t)])).entries()].map(([target, key]) => {
        const [now, earlier] = [status(key), before?.(key)];
        return { target, ...(now?.status !== undefined ? { status: now.status } : {}), ...(earlier !== undefined ? { before: earlier.status ?? {} } : {}) };
      });
      return { id, namespace: app.spec.destination.namespace, server: app.spec.destination.server, project: projects.get(app.spec.project)!, syncOptions: app.spec.syncPolicy.syncOptions, resources };
    };
    const cases = [operation('database down', (k) => failed.get(k)), operation('database back', (k) => healed.get(k) ?? failed.get(k), (k) => failed.get(k))];
    const verdicts = runOracle<(SyncOutcome & { id: string })[]>('argocd', ['sync'], JSON.stringify({ argocdCm: ARGOCD_CM, clusterScoped: CLUSTER_SCOPED, clusters, cases }));
    expect(verdicts.map((v) => `${v.id}: ${v.phase} ${v.message}`)).toEqual(['database down: Succeeded successfully synced (all tasks run)', 'database back: Succeeded successfully synced (all tasks run)']);
    const checks = healthChecksOf(ARGOCD_CM);
    const model = cases.map((c) => {
      const byObject = new Map(c.resources.map((r) => [r.target, r as Json]));
      return {
        id: c.id,
        ...runSync(syncTasks(c.resources.map((r) => r.target), c.namespace), {
          live: (t) => ({ ...t.object, ...(byObject.get(t.object as Manifest)!.status !== undefined ? { status: byObject.get(t.object as Manifest)!.status } : {}) }),
          liveBefore: (t) => byObject.get(t.object as Manifest)!.before !== undefined,
          health: (o) => argoHealth(o, checks),
          namespace: c.namespace,
        }),
      };
    });
    const canonical = (outcomes: (SyncOutcome & { id: string })[]) => outcomes.map((o) => ({ ...o, steps: canonicalSteps(o.steps) }));
    expect(canonical(model)).toEqual(canonical(verdicts));
  });

  it('assesses every object whose health gates a wave as the model does, our argocd-cm patch included', () => {
    const objects = [...run!.assessed.values()].flatMap((byTask) => [...byTask.values()]);
    expect(objects.length).toBeGreaterThan(100);
    const verdicts = runOracle<(Health | null)[]>('argocd', ['health'], JSON.stringify({ argocdCm: ARGOCD_CM, objects }));
    const checks = healthChecksOf(ARGOCD_CM);
    expect(objects.map((o) => argoHealth(o, checks) ?? null)).toEqual(verdicts);
    expect(new Set(verdicts.map((v) => v?.status ?? 'none'))).toEqual(new Set(['Healthy', 'none']));
  });
});
