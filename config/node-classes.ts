import { NodeClassCatalog } from './types';

/**
 * Bottlerocket settings of seed 004's nodes: no admin (SSH) host container, the control
 * container for SSM, kernel lockdown in integrity mode.
 */
const BOTTLEROCKET_LOCKED_DOWN = [
  '[settings.host-containers.admin]',
  'enabled = false',
  '',
  '[settings.host-containers.control]',
  'enabled = true',
  '',
  '[settings.kernel]',
  'lockdown = "integrity"',
].join('\n');

/** Bottlerocket's 4Gi OS volume, and the data volume the kubelet and images use (Karpenter sizes ephemeral storage from it). */
const BOTTLEROCKET_VOLUMES = [
  { deviceName: '/dev/xvda', size: '4Gi' },
  { deviceName: '/dev/xvdb', size: '50Gi', iops: 3000, throughput: 125, rootVolume: true },
] as const;

/**
 * Every EC2NodeClass, declared once. Cluster-specific values (subnets, security groups, node
 * role, AMI versions, KMS key) come from the environment. Every volume is gp3 and encrypted;
 * IMDSv2 is required everywhere and the hop limit is 1 (pods use IRSA or Pod Identity, never
 * the node's credentials).
 */
export const NODE_CLASSES: NodeClassCatalog = {
  default: {
    name: 'default',
    description: 'General purpose AL2023 nodes with the kubelet tuning of seed 002.',
    amiFamily: 'al2023',
    volumes: [{ deviceName: '/dev/xvda', size: '50Gi', rootVolume: true }],
    waivers: {
      'kube-reserved':
        "seed 002's production tuning: 200Mi kube-reserved with 110 pods, as the team runs it today; Karpenter would reserve 1465Mi. Nodes carry few pods in practice; revisit if kubelets come under memory pressure",
    },
    kubelet: {
      // 110 pods per node needs VPC CNI prefix delegation (ENABLE_PREFIX_DELEGATION=true on
      // aws-node); without it a t3.medium has IPs for 17 pods and the rest never start.
      maxPods: 110,
      systemReserved: { cpu: '200m', memory: '200Mi' },
      kubeReserved: { cpu: '200m', memory: '200Mi' },
      imageGCHighThresholdPercent: 85,
      imageGCLowThresholdPercent: 80,
      evictionHard: { 'memory.available': '5%', 'nodefs.available': '10%' },
      evictionSoft: { 'memory.available': '10%', 'nodefs.available': '15%' },
      evictionSoftGracePeriod: { 'memory.available': '1m30s', 'nodefs.available': '2m' },
      evictionMaxPodGracePeriod: 60,
    },
  },
  data: {
    name: 'data',
    description: 'Kafka, Spark and Airflow nodes: a larger root volume for images, shuffle and logs.',
    amiFamily: 'al2023',
    volumes: [{ deviceName: '/dev/xvda', size: '100Gi', iops: 3000, throughput: 250, rootVolume: true }],
  },
  llm: {
    name: 'llm',
    description: 'LLM nodes (seed 000): 100Gi gp3 root at 3000 IOPS and 125 MiB/s for model files.',
    amiFamily: 'al2023',
    volumes: [{ deviceName: '/dev/xvda', size: '100Gi', iops: 3000, throughput: 125, rootVolume: true }],
  },
  gpu: {
    name: 'gpu',
    description: 'GPU nodes (seed 001). Models come from an EFS volume the workload mounts, not from user data.',
    // Bottlerocket: on GPU instance types Karpenter picks its NVIDIA variant, which ships the
    // driver and the Kubernetes device plugin, so nodes advertise nvidia.com/gpu with no
    // DaemonSet to manage. AL2023's accelerated AMI would need a separately deployed plugin.
    amiFamily: 'bottlerocket',
    volumes: [
      // Bottlerocket's OS volume; the kubelet and containers use the data volume below.
      { deviceName: '/dev/xvda', size: '4Gi' },
      // Images and container data: GPU images are large. Karpenter sizes ephemeral storage from
      // the volume marked rootVolume, so it is this one.
      { deviceName: '/dev/xvdb', size: '100Gi', iops: 3000, throughput: 125, rootVolume: true },
    ],
    bottlerocketSettings: ['[settings.host-containers.admin]', 'enabled = false'].join('\n'),
  },
  'bottlerocket-arm': {
    name: 'bottlerocket-arm',
    description: 'Core nodes (seed 004): Bottlerocket arm64, admin container off, control container on, kernel lockdown.',
    amiFamily: 'bottlerocket',
    volumes: BOTTLEROCKET_VOLUMES,
    bottlerocketSettings: BOTTLEROCKET_LOCKED_DOWN,
  },
  'ci-build': {
    name: 'ci-build',
    description: 'Privileged CI build nodes: Bottlerocket as seed 004 locks it down, arm64 and amd64 (Karpenter resolves the alias per architecture).',
    amiFamily: 'bottlerocket',
    volumes: BOTTLEROCKET_VOLUMES,
    bottlerocketSettings: BOTTLEROCKET_LOCKED_DOWN,
  },
};
