import type { EnvironmentConfig } from '../environment-config';

/**
 * Production cluster: seed 000's cluster, with nodes only in its three app-private subnets.
 * Seed 002: the general pool is spot first with on-demand fallback, t3/t3a medium-xlarge,
 * up to about 20 nodes.
 */
export const prod: EnvironmentConfig = {
  name: 'prod',
  production: true,
  kubernetesVersion: '1.35',
  // Stays on the release dev ran before; switch it once dev runs 1.15.0 well, reading npm run plan.
  karpenterVersion: '1.14.1',
  cluster: {
    name: 'hihypipe-eks-cluster',
    region: 'ap-northeast-2',
    zones: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],
  },
  // Seed 000: the discovery tag is on the app-private subnets only; pinning their IDs keeps
  // nodes out of the DB and public subnets even if someone tags those later.
  subnets: { ids: ['subnet-0457482d8fd4633d2', 'subnet-0f8d75c0597802e40', 'subnet-0a20dabe898695929'] },
  securityGroups: { tags: { 'aws:eks:cluster-name': 'hihypipe-eks-cluster' } },
  nodeRole: 'KarpenterNodeRole-hihypipe-eks-cluster',
  ebsKmsKeyId: 'arn:aws:kms:ap-northeast-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  modelsFileSystemId: 'fs-0123456789abcdef0',
  argocdDestination: 'https://kubernetes.default.svc',
  karpenter: {
    controllerRoleArn: 'arn:aws:iam::111122223333:role/karpenter-controller-hihypipe-eks-cluster',
    interruptionQueue: 'hihypipe-eks-cluster-karpenter',
  },
  systemNodeSelector: { 'eks.amazonaws.com/nodegroup': 'hihypipe-eks-cluster-system' },
  pools: {
    default: {
      // Karpenter prefers spot when a pool allows both and falls back to on-demand when spot
      // capacity is short: the fallback seed 002 asks for, in one pool.
      capacityTypes: ['spot', 'on-demand'],
      instanceTypes: ['t3.medium', 't3.large', 't3.xlarge', 't3a.medium', 't3a.large', 't3a.xlarge'],
      consolidateAfter: '2m',
      // 20 nodes; cpu and memory allow 20 of the large size.
      limits: { cpu: '40', memory: '160Gi', nodes: '20' },
      budgets: [
        { nodes: '10%' },
        // No cost-driven consolidation in Seoul business hours (00:00-09:00 UTC is 09:00-18:00 KST).
        { nodes: '0', reasons: ['Underutilized'], schedule: '0 0 * * mon-fri', duration: '9h' },
      ],
    },
  },
  workloads: {
    spark: { components: { worker: { minReplicas: 5, maxReplicas: 20 } } },
    airflow: {
      settings: { logs: { remoteBaseFolder: 's3://hihypipe-airflow-logs-prod/tasks', roleArn: 'arn:aws:iam::111122223333:role/airflow-hihypipe-eks-cluster' } },
    },
    'ai-worker': {
      settings: { checkpoints: { location: 's3://hihypipe-ai-checkpoints-prod/jobs', roleArn: 'arn:aws:iam::111122223333:role/ai-worker-hihypipe-eks-cluster' } },
    },
  },
  // Promoted, not merged: prod syncs the `prod` branch, which moves to a commit once dev runs it (README, ArgoCD).
  argocdRevision: 'prod',
};
