import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ARGOCD, KARPENTER_CHARTS } from '../config/argocd';
import { EnvironmentConfig } from '../config/types';
import { KARPENTER_VERSION } from '../config/versions';

const API_VERSION = 'argoproj.io/v1alpha1';

/** Props of {@link ArgoCdChart}. */
export interface ArgoCdChartProps {
  readonly envs: readonly EnvironmentConfig[];
}

function syncPolicy(extra: readonly string[] = []): Record<string, unknown> {
  return {
    ...(ARGOCD.automated ? { automated: { prune: true, selfHeal: true } } : {}),
    // Server-side apply: large CRDs (Karpenter's) exceed the client-side last-applied annotation limit.
    syncOptions: ['ServerSideApply=true', ...extra],
  };
}

/**
 * What a team commits to bootstrap ArgoCD: per environment, Karpenter's own charts (CRDs first,
 * then the controller), and one ApplicationSet that turns every environment of config/ into an
 * Application syncing `dist/<env>/`. Adding a cluster to config/ adds its element here.
 */
export class ArgoCdChart extends Chart {
  constructor(scope: Construct, id: string, props: ArgoCdChartProps) {
    super(scope, id, { namespace: ARGOCD.namespace, disableResourceNameHashes: true });
    for (const env of props.envs) {
      const destination = { server: env.argocdDestination, namespace: KARPENTER_CHARTS.namespace };
      new ApiObject(this, `karpenter-crd-${env.name}`, {
        apiVersion: API_VERSION,
        kind: 'Application',
        metadata: { name: `karpenter-crd-${env.name}`, annotations: { 'argocd.argoproj.io/sync-wave': '-2' } },
        spec: {
          project: ARGOCD.project,
          source: { repoURL: KARPENTER_CHARTS.repoURL, chart: 'karpenter-crd', targetRevision: KARPENTER_VERSION },
          destination,
          syncPolicy: syncPolicy(),
        },
      });
      new ApiObject(this, `karpenter-${env.name}`, {
        apiVersion: API_VERSION,
        kind: 'Application',
        metadata: { name: `karpenter-${env.name}`, annotations: { 'argocd.argoproj.io/sync-wave': '-1' } },
        spec: {
          project: ARGOCD.project,
          source: {
            repoURL: KARPENTER_CHARTS.repoURL,
            chart: 'karpenter',
            targetRevision: KARPENTER_VERSION,
            helm: {
              // CRDs come from the karpenter-crd Application, which upgrades them (Helm never does).
              skipCrds: true,
              valuesObject: {
                settings: { clusterName: env.cluster.name, interruptionQueue: env.karpenter.interruptionQueue },
                serviceAccount: { annotations: { 'eks.amazonaws.com/role-arn': env.karpenter.controllerRoleArn } },
                // Seed 001's sizing; requests equal limits so the controller is never throttled or evicted first.
                controller: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
                // On the managed node group only: a controller on a node it manages could
                // consolidate itself away.
                nodeSelector: { ...env.karpenter.systemNodeSelector },
                affinity: {
                  nodeAffinity: {
                    requiredDuringSchedulingIgnoredDuringExecution: {
                      nodeSelectorTerms: [{ matchExpressions: [{ key: 'karpenter.sh/nodepool', operator: 'DoesNotExist' }] }],
                    },
                  },
                },
              },
            },
          },
          destination,
          syncPolicy: syncPolicy(),
        },
      });
    }

    new ApiObject(this, 'environments', {
      apiVersion: API_VERSION,
      kind: 'ApplicationSet',
      metadata: { name: 'karpenter-environments', annotations: { 'argocd.argoproj.io/sync-wave': '0' } },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ list: { elements: props.envs.map((env) => ({ name: env.name, server: env.argocdDestination })) } }],
        template: {
          metadata: { name: 'platform-{{.name}}' },
          spec: {
            project: ARGOCD.project,
            source: { repoURL: ARGOCD.repoURL, targetRevision: ARGOCD.targetRevision, path: 'dist/{{.name}}' },
            destination: { server: '{{.server}}' },
            syncPolicy: syncPolicy(),
          },
        },
      },
    });
  }
}
