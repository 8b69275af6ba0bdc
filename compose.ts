// The composition of an environment: which charts make it, from the registry of workload charts.
// main.ts synthesizes every environment with it; tests and the benchmark use it too. lib/ holds
// the machinery (resolution, validation, layout), charts/ the charts; only this file knows both.
import { App } from 'cdk8s';
import { ArgoCdApplicationsChart, ArgoCdProjectChart } from './charts/argocd';
import { WORKLOAD_CHARTS } from './charts/index';
import { KarpenterChart } from './charts/karpenter';
import { MonitoringChart } from './charts/monitoring';
import { NamespaceSpec, PlatformChart } from './charts/platform';
import { ARGOCD } from './config/argocd';
import { POOLS } from './config/pools';
import { Prerequisite } from './config/types';
import type { EnvironmentConfig } from './config/environment-config';
import { WorkloadName, WORKLOADS } from './config/workloads';
import { healthPatch } from './lib/constructs/argocd-health';
import type { NamespacedChart } from './lib/constructs/chart-props';
import { capacityPlan } from './lib/plan/capacity';
import { checkEnvironment, environmentSubject, karpenterVersionOf } from './lib/config/environment';
import { ConfigError, fail } from './lib/config/errors';
import { Manifest } from './lib/synth/layout';
import { checkBasePools, resolvePools } from './lib/config/pools';
import { constructPathsOf, synthesizeApp } from './lib/synth/synth';
import type { BuiltEnvironment, Composition, EnvironmentSummary, SharedOutput } from './lib/synth/composition';
import { checkWorkloadEntries, ResolvedWorkload, resolveWorkloads } from './lib/config/workload-config';

/** Checks what every environment shares, once: the shape of config/, the base pools, the workload entries and the chart registry. */
function checkShared(): void {
  checkBasePools();
  checkWorkloadEntries(Object.keys(POOLS));
  const configured = Object.keys(WORKLOADS).sort();
  const registered = Object.keys(WORKLOAD_CHARTS).sort();
  for (const name of configured.filter((n) => !registered.includes(n))) {
    throw new ConfigError(`config/workloads.ts: workload "${name}" has no chart: register its chart class under "${name}" in charts/index.ts`);
  }
  for (const name of registered.filter((n) => !configured.includes(n))) {
    throw new ConfigError(`charts/index.ts: chart "${name}" has no entry in config/workloads.ts: add one (namespace, components, images, settings)`);
  }
}

/** The namespaces the workloads live in, each with the one Pod Security level its workloads agree on. */
function namespacesOf(env: EnvironmentConfig, workloads: readonly ResolvedWorkload[]): NamespaceSpec[] {
  const byName = new Map<string, NamespaceSpec & { readonly workload: WorkloadName }>();
  for (const workload of workloads) {
    const existing = byName.get(workload.namespace);
    if (existing && existing.level !== workload.podSecurity.level) {
      fail(
        environmentSubject(env),
        `workloads.${workload.name}.namespace`,
        workload.namespace,
        `not be shared with workload "${existing.workload}", which needs Pod Security level "${existing.level}" where this one needs "${workload.podSecurity.level}": give one of them its own namespace`,
      );
    }
    if (!existing) byName.set(workload.namespace, { name: workload.namespace, level: workload.podSecurity.level, workload: workload.name, ...(workload.podSecurity.reason ? { reason: workload.podSecurity.reason } : {}) });
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name)).map(({ workload: _workload, ...spec }) => spec);
}

/** Builds one environment's objects, without validating them. */
function build(env: EnvironmentConfig): BuiltEnvironment {
  checkEnvironment(env);
  const pools = resolvePools(env);
  const { workloads, leftOut } = resolveWorkloads(env, new Map(pools.map((pool) => [pool.name, pool])));
  // Each environment gets an App of its own: cdk8s resolves a whole App once per chart, so one
  // App for every environment costs quadratic time.
  const app = new App({ outdir: `.cdk8s.out/${env.name}` });
  new PlatformChart(app, `${env.name}-platform`, { env, namespaces: namespacesOf(env, workloads) });
  new KarpenterChart(app, `${env.name}-karpenter`, { env, pools });
  const fromCharts: Prerequisite[] = [];
  for (const workload of workloads) {
    const Chart = WORKLOAD_CHARTS[workload.name] as unknown as new (scope: App, id: string, props: { env: EnvironmentConfig; workload: ResolvedWorkload }) => NamespacedChart;
    fromCharts.push(...new Chart(app, `${env.name}-${workload.name}`, { env, workload }).prerequisites);
  }
  const manifests = synthesizeApp(app);
  // Monitoring reads what the others produce (the capacity plan sets its cost alerts), so it comes after them, in an App of its own.
  const monitoringApp = new App({ outdir: `.cdk8s.out/${env.name}-monitoring` });
  const capacity = capacityPlan(manifests, karpenterVersionOf(env));
  const monitoring = new MonitoringChart(monitoringApp, `${env.name}-monitoring`, { env, plan: capacity });
  fromCharts.push(...monitoring.prerequisites);
  const prerequisites = [...workloads.flatMap((w) => w.prerequisites), ...fromCharts, ...(env.prerequisites ?? [])];
  return { env, manifests: [...manifests, ...synthesizeApp(monitoringApp)], pools, workloads, leftOut, prerequisites, capacity, constructPaths: [...constructPathsOf(app), ...constructPathsOf(monitoringApp)] };
}

/**
 * The files every environment shares, for ArgoCD: the AppProject and root Application a team
 * applies once (argocd/bootstrap.yaml), each environment's Applications the root syncs
 * (argocd/apps/<env>.yaml), and the argocd-cm patch that makes the root wait for them
 * (argocd/patches/argocd-cm.yaml).
 */
function shared(envs: readonly EnvironmentSummary[]): SharedOutput {
  const objects = new Map<string, Manifest[]>([['argocd/bootstrap.yaml', synthesizeApp(appWith((app) => new ArgoCdProjectChart(app, 'argocd', { envs })))]]);
  for (const summary of envs) objects.set(`argocd/apps/${summary.env.name}.yaml`, synthesizeApp(appWith((app) => new ArgoCdApplicationsChart(app, `argocd-${summary.env.name}`, { summary }))));
  return {
    objects,
    texts: new Map([['argocd/patches/argocd-cm.yaml', healthPatch()]]),
    prerequisites: [{ kind: 'Namespace', name: ARGOCD.namespace, purpose: `the Argo CD ${ARGOCD.version} installation, with dist/argocd/patches/argocd-cm.yaml merged into its argocd-cm` }],
  };
}

function appWith(add: (app: App) => void): App {
  // Nothing is written to outdir: charts are synthesized to objects (synthesizeApp).
  const app = new App({ outdir: '.cdk8s.out/argocd' });
  add(app);
  return app;
}

/** How main.ts, the tests and the benchmark compose environments. */
export const COMPOSITION: Composition = { checkShared, build, shared };
