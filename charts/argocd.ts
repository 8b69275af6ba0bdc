import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ARGOCD, KARPENTER_CHARTS, KEDA_CHART } from '../config/argocd';
import { KARPENTER_RELEASES, KEDA_VERSION } from '../config/versions';
import { karpenterVersionOf, nodeRepairOf } from '../lib/config/environment';
import { Application, ApplicationSpecSource, ApplicationSpecSyncPolicy, AppProject } from '../imports/argoproj.io';
import type { EnvironmentConfig } from '../config/environment-config';
import type { EnvironmentSummary } from '../lib/synth/composition';
import { CLUSTER_SCOPED_KINDS_ANNOTATION } from 'karpenter-validate/model';

/**
 * The cluster-scoped kinds each upstream chart installs, read from its templates at the pinned
 * release (aws/karpenter-provider-aws v1.14.1 and v1.15.0 charts/karpenter{,-crd}/templates, the same kinds; kedacore/charts
 * v2.20.2 keda/templates with its default values): the project whitelists exactly these.
 */
const CHART_KINDS = {
  'karpenter-crd': ['apiextensions.k8s.io/CustomResourceDefinition'],
  karpenter: ['rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding'],
  keda: [
    'apiextensions.k8s.io/CustomResourceDefinition',
    'rbac.authorization.k8s.io/ClusterRole',
    'rbac.authorization.k8s.io/ClusterRoleBinding',
    'apiregistration.k8s.io/APIService',
    'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  ],
} as const;

const IN_CLUSTER = 'https://kubernetes.default.svc';

/** The file of dist/argocd/ the bootstrap Application syncs: the bootstrap project, the roots and itself. */
export const BOOTSTRAP_FILE = 'bootstrap.yaml';
/** The folder of dist/ the bootstrap Application reads: the argocd-cm patch stays out (ArgoCD would own and replace keys of argocd-cm). */
export const ARGOCD_PATH = 'dist/argocd';
/** The folder of each environment's Applications, one file per environment (`<env>.yaml`), which its root syncs. */
export const APPS_PATH = `${ARGOCD_PATH}/apps`;

/** The git revision an environment follows: its own (`argocdRevision`), else the bootstrap's. */
export const revisionOf = (env: EnvironmentConfig): string => env.argocdRevision ?? ARGOCD.targetRevision;
/** The AppProject of an environment's Applications: the environment's name (`platform-<env>` is its Application's). */
export const projectOf = (env: EnvironmentConfig): string => env.name;
/** The root Application of an environment: it syncs the environment's Applications from its revision. */
export const rootOf = (env: EnvironmentConfig): string => `platform-apps-${env.name}`;

function syncPolicy(extra: readonly string[] = []): ApplicationSpecSyncPolicy {
  return {
    ...(ARGOCD.automated ? { automated: { prune: true, selfHeal: true } } : {}),
    // Server-side apply: large CRDs (Karpenter's) exceed the client-side last-applied annotation limit.
    syncOptions: ['ServerSideApply=true', ...extra],
    retry: { limit: ARGOCD.retry.limit, backoff: { ...ARGOCD.retry.backoff } },
  };
}

const wave = (n: number) => ({ 'argocd.argoproj.io/sync-wave': String(n) });
const kindsAnnotation = (kinds: readonly string[]) => ({ [CLUSTER_SCOPED_KINDS_ANNOTATION]: [...kinds].sort().join(',') });
const byServerThenNamespace = (a: { server: string; namespace: string }, b: { server: string; namespace: string }) => a.server.localeCompare(b.server) || a.namespace.localeCompare(b.namespace);

/** Props of {@link ArgoCdProjectChart}. */
export interface ArgoCdProjectChartProps {
  readonly envs: readonly EnvironmentSummary[];
}

/**
 * What a team applies once, to ArgoCD's namespace (`kubectl apply -f dist/argocd/bootstrap.yaml`):
 * one root Application per cluster, each syncing that cluster's Applications (dist/argocd/apps/<env>.yaml)
 * from the environment's own revision, so that an unreachable or broken cluster stalls only its
 * own root and a change reaches an environment when its revision does (dev first, prod once
 * promoted); the bootstrap Application, which keeps this file itself in sync from git; and their
 * project, which permits them nothing but Applications and AppProjects in ArgoCD's namespace.
 * The roots come last and alone in their wave: ArgoCD does not wait for the last wave, so the
 * bootstrap's sync never waits for a cluster.
 */
export class ArgoCdProjectChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdProjectChartProps) {
    super(scope, id, { namespace: ARGOCD.namespace, disableResourceNameHashes: true });
    for (const { env } of props.envs) {
      // Each environment's project bears its name: it must not be one Argo CD or the bootstrap already uses.
      if (env.name === ARGOCD.project || env.name === 'default') throw new Error(`environment name '${env.name}' is the name of the ${env.name === 'default' ? "project Argo CD creates itself ('default')" : `bootstrap's project (ARGOCD.project in config/argocd.ts)`}, and each environment's Applications get a project named after the environment: rename the environment`);
    }
    this.addProject();
    this.addRoot('platform-bootstrap', ARGOCD.targetRevision, ARGOCD_PATH, BOOTSTRAP_FILE);
    for (const { env } of props.envs) this.addRoot(rootOf(env), revisionOf(env), APPS_PATH, `${env.name}.yaml`);
  }

  private addProject(): void {
    new AppProject(this, 'project', {
      metadata: { name: ARGOCD.project, annotations: wave(-1) },
      spec: {
        description: 'The roots of karpenter-as-code: one Application per cluster, each syncing that cluster\'s Applications and their project',
        sourceRepos: [ARGOCD.repoURL],
        destinations: [{ server: IN_CLUSTER, namespace: ARGOCD.namespace }],
        namespaceResourceWhitelist: [
          { group: 'argoproj.io', kind: 'AppProject' },
          { group: 'argoproj.io', kind: 'Application' },
        ],
      },
    });
  }

  private addRoot(name: string, revision: string, path: string, file: string): void {
    new Application(this, name, {
      metadata: { name, annotations: wave(0) },
      spec: {
        project: ARGOCD.project,
        source: { repoUrl: ARGOCD.repoURL, targetRevision: revision, path, directory: { include: file } },
        destination: { server: IN_CLUSTER, namespace: ARGOCD.namespace },
        syncPolicy: syncPolicy(),
      },
    });
  }
}

/** Props of {@link ArgoCdApplicationsChart}. */
export interface ArgoCdApplicationsChartProps {
  readonly summary: EnvironmentSummary;
}

/**
 * The Applications of one environment and their project, which the environment's root syncs in
 * waves from the environment's revision. ArgoCD waits for a wave's resources to be healthy before
 * the next, and with the Application health check of dist/argocd/patches/argocd-cm.yaml it knows
 * an Application's health: so the project exists (-10), the CRDs are established (-3), then the
 * controllers run (-2), before the environment's objects that use them sync (0). Under plain
 * `kubectl apply` waves mean nothing; the order holds only here.
 */
export class ArgoCdApplicationsChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdApplicationsChartProps) {
    super(scope, id, { namespace: ARGOCD.namespace, disableResourceNameHashes: true });
    this.addProject(props.summary);
    this.addApplications(props.summary);
  }

  /**
   * The environment's AppProject, at the environment's revision like its Applications: it permits
   * exactly the sources, destinations (the cluster, in the namespaces in use) and cluster-scoped
   * kinds of this environment, so that a new kind shows in review and lands with the commit that
   * needs it, and a change to it reaches prod when prod is promoted, never before.
   */
  private addProject({ env, clusterScopedKinds, namespaces }: EnvironmentSummary): void {
    const kinds = new Set([...clusterScopedKinds, ...Object.values(CHART_KINDS).flat()]);
    const destinations = [...new Set([KARPENTER_CHARTS.namespace, KEDA_CHART.namespace, ARGOCD.destinationNamespace, ...namespaces])].map((namespace) => ({ server: env.argocdDestination, namespace }));
    new AppProject(this, 'project', {
      metadata: { name: projectOf(env), annotations: wave(-10) },
      spec: {
        description: `Karpenter node pools and the workloads pinned to them in ${env.name}, rendered by karpenter-as-code`,
        sourceRepos: [ARGOCD.repoURL, KARPENTER_CHARTS.repoURL, KEDA_CHART.repoURL],
        destinations: destinations.sort(byServerThenNamespace),
        clusterResourceWhitelist: [...kinds].sort().map((kind) => {
          const [group, name] = kind.split('/') as [string, string];
          return { group, kind: name };
        }),
      },
    });
  }

  private addApplications({ env, clusterScopedKinds }: EnvironmentSummary): void {
    const system = { nodeSelector: { ...env.systemNodeSelector } };
    // On the managed node group only: a controller on a node Karpenter manages could have its node consolidated away.
    const offKarpenterNodes = {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' }] }] } },
    };

    // Every Application of the environment: named for it, in its project, to its cluster, in a namespace the project permits.
    const application = (name: string, syncWave: number, kinds: readonly string[], source: ApplicationSpecSource, namespace: string, policy: ApplicationSpecSyncPolicy = syncPolicy()) =>
      new Application(this, `${name}-${env.name}`, {
        metadata: { name: `${name}-${env.name}`, annotations: { ...wave(syncWave), ...kindsAnnotation(kinds) } },
        spec: {
          project: projectOf(env),
          source,
          destination: { server: env.argocdDestination, namespace },
          syncPolicy: policy,
        },
      });

    // The environment's Karpenter release: its CRDs a wave before its controller, so that an upgrade
    // establishes the new CRDs before the new controller starts, and the controller re-stamps its
    // NodeClaims' hashes before the environment's NodePools and EC2NodeClasses change (wave 0).
    const release = KARPENTER_RELEASES[karpenterVersionOf(env)];
    application('karpenter-crd', -3, CHART_KINDS['karpenter-crd'], { repoUrl: KARPENTER_CHARTS.repoURL, chart: 'karpenter-crd', targetRevision: release.crdChart, helm: { releaseName: 'karpenter-crd' } }, KARPENTER_CHARTS.namespace);

    application(
      'keda',
      -3,
      CHART_KINDS.keda,
      {
        repoUrl: KEDA_CHART.repoURL,
        chart: 'keda',
        targetRevision: KEDA_VERSION,
        helm: {
          releaseName: 'keda',
          valuesObject: {
            // The chart installs its CRDs from its templates, in this Application's sync.
            crds: { install: true },
            ...system,
            affinity: offKarpenterNodes,
          },
        },
      },
      KEDA_CHART.namespace,
      {
        ...syncPolicy(['CreateNamespace=true']),
        // KEDA's pods meet the restricted Pod Security Standard; the namespace enforces it.
        managedNamespaceMetadata: { labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'latest' } },
      },
    );

    application(
      'karpenter',
      -2,
      CHART_KINDS.karpenter,
      {
        repoUrl: KARPENTER_CHARTS.repoURL,
        chart: 'karpenter',
        targetRevision: release.chart,
        helm: {
          // A stable release name: the ServiceMonitor selects the Service by it.
          releaseName: 'karpenter',
          // CRDs come from the karpenter-crd Application, which upgrades them (Helm never does).
          skipCrds: true,
          valuesObject: {
            settings: {
              clusterName: env.cluster.name,
              ...(env.karpenter.interruptionQueue ? { interruptionQueue: env.karpenter.interruptionQueue } : {}),
              // Set either way, so the value the cluster runs is in the diff (config/environment-config.ts nodeRepair).
              featureGates: { nodeRepair: nodeRepairOf(env) },
            },
            serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': env.karpenter.controllerRoleArn } },
            // Seed 001's sizing; requests equal limits so the controller is never throttled or evicted first.
            controller: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
            ...system,
            affinity: offKarpenterNodes,
          },
        },
      },
      KARPENTER_CHARTS.namespace,
    );

    application('platform', 0, clusterScopedKinds, { repoUrl: ARGOCD.repoURL, targetRevision: revisionOf(env), path: `dist/${env.name}` }, ARGOCD.destinationNamespace);
  }
}
