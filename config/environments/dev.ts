import type { EnvironmentConfig } from '../environment-config';

/**
 * Development cluster. Seed 002: spot only, t3.medium, up to about 10 nodes; one replica of
 * each workload where the workload allows it, smaller pools.
 */
export const dev: EnvironmentConfig = {
  name: 'dev',
  production: false,
  kubernetesVersion: '1.35',
  // Upgrades land here first: prod follows once dev has run the release (README, Upgrading Karpenter).
  karpenterVersion: '1.15.0',
  cluster: {
    name: 'hihypipe-eks-dev',
    region: 'ap-northeast-2',
    zones: ['ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c'],
  },
  subnets: { tags: { 'karpenter.sh/discovery': 'hihypipe-eks-dev' } },
  securityGroups: { tags: { 'karpenter.sh/discovery': 'hihypipe-eks-dev' } },
  nodeRole: 'KarpenterNodeRole-hihypipe-eks-dev',
  modelsFileSystemId: 'fs-0123456789abcdef0',
  argocdDestination: 'https://ABCDEF0123456789ABCDEF0123456789.gr7.ap-northeast-2.eks.amazonaws.com',
  karpenter: {
    controllerRoleArn: 'arn:aws:iam::111122223333:role/karpenter-controller-hihypipe-eks-dev',
    interruptionQueue: 'hihypipe-eks-dev-karpenter',
  },
  systemNodeSelector: { 'eks.amazonaws.com/nodegroup': 'hihypipe-eks-dev-system' },
  pools: {
    // 10 t3.medium: 2 vCPU and 4 GiB each.
    default: { capacityTypes: ['spot'], instanceTypes: ['t3.medium'], limits: { cpu: '20', memory: '40Gi', nodes: '10' } },
    'kafka-arm-ondemand': { limits: { cpu: '12', memory: '48Gi' } },
    'spark-exec-arm-ondemand': { limits: { cpu: '16', memory: '64Gi' } },
    'llm-arm-spot': { enabled: false },
    'gpu-spot': { limits: { cpu: '64', memory: '256Gi', 'nvidia.com/gpu': '4' } },
    'gpu-premium': { enabled: false },
  },
  workloads: {
    jenkins: { components: { agent: { maxReplicas: 3 } } },
    spark: { components: { worker: { minReplicas: 2, maxReplicas: 6 } } },
    airflow: {
      components: { webserver: { minReplicas: 1, maxReplicas: 2 }, scheduler: { minReplicas: 1 } },
      settings: { logs: { remoteBaseFolder: 's3://hihypipe-airflow-logs-dev/tasks', roleArn: 'arn:aws:iam::111122223333:role/airflow-hihypipe-eks-dev' } },
    },
    llm: { components: { server: { minReplicas: 1, maxReplicas: 2 } } },
    'ai-worker': {
      components: { worker: { maxReplicas: 4 } },
      settings: { checkpoints: { location: 's3://hihypipe-ai-checkpoints-dev/jobs', roleArn: 'arn:aws:iam::111122223333:role/ai-worker-hihypipe-eks-dev' } },
    },
  },
};
