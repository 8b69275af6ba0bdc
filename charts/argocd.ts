import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ARGOCD, KARPENTER_CHARTS, KEDA_CHART } from '../config/argocd';
import { KARPENTER_VERSION, KEDA_VERSION } from '../config/versions';
import { Application, ApplicationSpecSource, ApplicationSpecSyncPolicy, AppProject } from '../imports/argoproj.io';
import type { EnvironmentSummary } from '../lib/synth';
import { CLUSTER_SCOPED_KINDS_ANNOTATION } from '../lib/validation/argocd';

/**
 * The cluster-scoped kinds each upstream chart installs, read from its templates at the pinned
 * release (aws/karpenter-provider-aws v1.14.1 charts/karpenter{,-crd}/templates; kedacore/charts
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
/**
 * The folder of this repository the root Application syncs, recursively: bootstrap.yaml (the
 * project and the root itself, so a change to either lands by commit like everything else) and
 * apps/. The argocd-cm patch stays out: ArgoCD would own and replace keys of argocd-cm.
 */
export const ROOT_PATH = 'dist/argocd';
export const ROOT_EXCLUDE = 'patches/*';

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

/** Props of {@link ArgoCdProjectChart}. */
export interface ArgoCdProjectChartProps {
  readonly envs: readonly EnvironmentSummary[];
}

/**
 * What a team applies once, to ArgoCD's namespace (`kubectl apply -f dist/argocd/bootstrap.yaml`):
 * the AppProject every Application belongs to, and the root Application that syncs the others
 * from dist/argocd/apps (app of apps) and, from then on, these two as well. The project allows
 * exactly the sources, destinations and cluster-scoped kinds the set uses, so that a new kind
 * shows in review (and lands with the commit that needs it) rather than failing the sync.
 */
export class ArgoCdProjectChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdProjectChartProps) {
    super(scope, id, { namespace: ARGOCD.namespace, disableResourceNameHashes: true });
    const kinds = new Set([...props.envs.flatMap((e) => e.clusterScopedKinds), ...Object.values(CHART_KINDS).flat()]);
    const destinations = new Map<string, { server: string; namespace: string }>();
    const allow = (server: string, namespace: string) => destinations.set(`${server} ${namespace}`, { server, namespace });
    allow(IN_CLUSTER, ARGOCD.namespace);
    for (const { env, namespaces } of props.envs) {
      for (const namespace of [KARPENTER_CHARTS.namespace, KEDA_CHART.namespace, ...namespaces]) allow(env.argocdDestination, namespace);
    }
    new AppProject(this, 'project', {
      metadata: { name: ARGOCD.project, annotations: wave(-10) },
      spec: {
        description: 'Karpenter node pools and the workloads pinned to them, rendered by karpenter-as-code',
        sourceRepos: [ARGOCD.repoURL, KARPENTER_CHARTS.repoURL, KEDA_CHART.repoURL],
        destinations: [...destinations.values()].sort((a, b) => a.server.localeCompare(b.server) || a.namespace.localeCompare(b.namespace)),
        clusterResourceWhitelist: [...kinds].sort().map((kind) => {
          const [group, name] = kind.split('/') as [string, string];
          return { group, kind: name };
        }),
      },
    });
    new Application(this, 'root', {
      metadata: { name: 'platform-apps', annotations: wave(-9) },
      spec: {
        project: ARGOCD.project,
        source: { repoUrl: ARGOCD.repoURL, targetRevision: ARGOCD.targetRevision, path: ROOT_PATH, directory: { recurse: true, exclude: ROOT_EXCLUDE } },
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
 * The Applications of one environment, which the root Application syncs in waves. ArgoCD waits
 * for a wave's resources to be healthy before the next, and with the Application health check
 * of dist/argocd/patches/argocd-cm.yaml it knows an Application's health: so the CRDs are
 * established (-3), then the controllers run (-2), before the environment's objects that use
 * them sync (0). Under plain `kubectl apply` waves mean nothing; the order holds only here.
 */
export class ArgoCdApplicationsChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdApplicationsChartProps) {
    super(scope, id, { namespace: ARGOCD.namespace, disableResourceNameHashes: true });
    const { env, clusterScopedKinds } = props.summary;
    const system = { nodeSelector: { ...env.systemNodeSelector } };
    // On the managed node group only: a controller on a node Karpenter manages could have its node consolidated away.
    const offKarpenterNodes = {
      nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' }] }] } },
    };

    // Every Application of the environment: named for it, in the project, to its cluster.
    const application = (name: string, syncWave: number, kinds: readonly string[], source: ApplicationSpecSource, namespace?: string, policy: ApplicationSpecSyncPolicy = syncPolicy()) =>
      new Application(this, `${name}-${env.name}`, {
        metadata: { name: `${name}-${env.name}`, annotations: { ...wave(syncWave), ...kindsAnnotation(kinds) } },
        spec: {
          project: ARGOCD.project,
          source,
          destination: { server: env.argocdDestination, ...(namespace !== undefined ? { namespace } : {}) },
          syncPolicy: policy,
        },
      });

    application('karpenter-crd', -3, CHART_KINDS['karpenter-crd'], { repoUrl: KARPENTER_CHARTS.repoURL, chart: 'karpenter-crd', targetRevision: KARPENTER_VERSION, helm: { releaseName: 'karpenter-crd' } }, KARPENTER_CHARTS.namespace);

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
        targetRevision: KARPENTER_VERSION,
        helm: {
          // A stable release name: the ServiceMonitor selects the Service by it.
          releaseName: 'karpenter',
          // CRDs come from the karpenter-crd Application, which upgrades them (Helm never does).
          skipCrds: true,
          valuesObject: {
            settings: { clusterName: env.cluster.name, ...(env.karpenter.interruptionQueue ? { interruptionQueue: env.karpenter.interruptionQueue } : {}) },
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

    application('platform', 0, clusterScopedKinds, { repoUrl: ARGOCD.repoURL, targetRevision: ARGOCD.targetRevision, path: `dist/${env.name}` });
  }
}
