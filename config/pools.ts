import { PoolCatalog, PoolDefinition } from './types';

/** The LLM pool; its spot twin below shares its placement contract. */
const LLM_ON_DEMAND: PoolDefinition = {
  name: 'llm-arm-ondemand',
  description: 'LLM inference server on CPU (seeds 000, 003); on-demand, never consolidated while in use.',
  nodeClass: 'llm',
  labels: { workload: 'llm-model' },
  taints: [{ key: 'workload', value: 'llm-model', effect: 'NoSchedule' }],
  capacityTypes: ['on-demand'],
  architectures: ['arm64'],
  // Seed 000 names t4g.medium (2 vCPU, 4 GiB), which cannot hold the 2 CPU / 4Gi LLM pod once
  // kubelet and system reservations are taken out. Graviton general purpose and memory
  // optimized xlarge sizes hold one server each with headroom for the model in memory.
  instanceTypes: ['m7g.xlarge', 'm7g.2xlarge', 'r7g.xlarge'],
  consolidationPolicy: 'WhenEmpty',
  consolidateAfter: '1h',
  expireAfter: '720h',
  terminationGracePeriod: '2h',
  budgets: [{ nodes: '1' }],
  limits: { cpu: '32', memory: '128Gi' },
  weight: 50,
};

/**
 * Every Karpenter NodePool, declared once. Environments change only what `PoolOverride`
 * allows (see `config/environments/`); workloads name a pool and derive their placement from it.
 *
 * Sources: seed 002 (default), 003 (core, kafka, spark, airflow, llm), 000 (llm, llm-spot),
 * 001 (gpu-spot, gpu-premium). Where a seed uses v1beta1 or v1alpha5 terms, the v1 equivalent
 * is used (WhenUnderutilized → WhenEmptyOrUnderutilized, ttlSecondsUntilExpired → expireAfter).
 */
export const POOLS: PoolCatalog = {
  default: {
    name: 'default',
    description: 'General stateless services (seed 002); spot first.',
    nodeClass: 'default',
    labels: { workload: 'general' },
    taints: [],
    capacityTypes: ['spot'],
    architectures: ['amd64'],
    instanceTypes: ['t3.medium'],
    consolidationPolicy: 'WhenEmptyOrUnderutilized',
    consolidateAfter: '30s',
    expireAfter: '720h',
    terminationGracePeriod: '1h',
    budgets: [{ nodes: '10%' }],
    limits: { cpu: '20', memory: '40Gi', nodes: '10' },
    // Above the core pool (no weight) so that pods without a selector land here, not on core nodes.
    weight: 50,
  },
  'core-arm-ondemand': {
    name: 'core-arm-ondemand',
    description: 'Cluster controllers and CI agents (seed 003); Bottlerocket arm64, on-demand, long-lived.',
    nodeClass: 'bottlerocket-arm',
    labels: { workload: 'core' },
    taints: [],
    capacityTypes: ['on-demand'],
    architectures: ['arm64'],
    instanceTypes: ['t4g.medium', 't4g.large', 't4g.xlarge'],
    // Seed 003 says "expiry 30 min"; expiring nodes that host controllers every 30 minutes would
    // restart them all day. Read as: consolidate when empty after 30 minutes; expire monthly.
    consolidationPolicy: 'WhenEmpty',
    consolidateAfter: '30m',
    expireAfter: '720h',
    terminationGracePeriod: '2h',
    budgets: [{ nodes: '1' }],
    limits: { cpu: '32', memory: '128Gi' },
  },
  // Privileged CI pods (the Jenkins agents' podman) alone on their nodes: an escape from such a
  // container is root on its node, so nothing else may share the node. Rootless builds do not
  // avoid privilege here: podman creates user namespaces, which containerd's RuntimeDefault
  // seccomp profile allows only with CAP_SYS_ADMIN, and Pod Security's baseline level forbids
  // both CAP_SYS_ADMIN and an Unconfined profile (README, "Privileged builds").
  // Both architectures: an image is built natively on nodes of the architecture it is for (an
  // agent per architecture, README "Privileged builds"), never under emulation, which would need
  // QEMU registered in the host's binfmt_misc and runs builds several times slower.
  'ci-build-ondemand': {
    name: 'ci-build-ondemand',
    description: 'Privileged CI build agents (podman), alone: tainted so that nothing else lands on their nodes; arm64 and amd64 nodes for native builds of each.',
    nodeClass: 'ci-build',
    labels: { workload: 'ci-build' },
    taints: [{ key: 'workload', value: 'ci-build', effect: 'NoSchedule' }],
    capacityTypes: ['on-demand'],
    architectures: ['arm64', 'amd64'],
    // An agent (1.3 CPU, 2.75Gi requested) per medium node, three per xlarge.
    instanceTypes: ['t4g.medium', 't4g.large', 't4g.xlarge', 't3.medium', 't3.large', 't3.xlarge'],
    // Agents are removed 10 minutes after their last build (idleMinutes): an empty node goes 10
    // minutes later. Nodes are short-lived, so a build host never accumulates state for long.
    consolidationPolicy: 'WhenEmpty',
    consolidateAfter: '10m',
    expireAfter: '24h',
    // A build in progress gets an hour before its node is taken away (drift, expiry).
    terminationGracePeriod: '1h',
    budgets: [{ nodes: '1' }],
    limits: { cpu: '16', memory: '64Gi' },
  },
  'kafka-arm-ondemand': {
    name: 'kafka-arm-ondemand',
    description: 'Kafka brokers (seed 003); replaced one node at a time, through drift.',
    nodeClass: 'data',
    labels: { workload: 'kafka' },
    taints: [{ key: 'workload', value: 'kafka', effect: 'NoSchedule' }],
    capacityTypes: ['on-demand'],
    architectures: ['arm64'],
    instanceTypes: ['m7g.large', 'm7g.xlarge', 'r7g.large'],
    consolidationPolicy: 'WhenEmpty',
    consolidateAfter: '10m',
    // Seed 003 expires broker nodes daily. Expiry ignores disruption budgets: three nodes created
    // together would drain within minutes of each other. Nodes are refreshed through drift
    // instead (a new AMI version drifts them), which respects the budget below; the monthly
    // expiry is a backstop, and it staggers as nodes get replaced one by one.
    expireAfter: '720h',
    // A broker's drain waits for its PDB; after an hour the node goes anyway so a rollout completes.
    terminationGracePeriod: '1h',
    // One broker node at a time: with replication factor 3 and min.insync.replicas 2 the
    // cluster keeps serving writes.
    budgets: [{ nodes: '1' }],
    limits: { cpu: '24', memory: '96Gi' },
  },
  'spark-exec-arm-ondemand': {
    name: 'spark-exec-arm-ondemand',
    description: 'Spark standalone workers (seed 003); nodes removed once empty, and within a day.',
    nodeClass: 'data',
    labels: { workload: 'spark-exec' },
    taints: [{ key: 'workload', value: 'spark-exec', effect: 'NoSchedule' }],
    capacityTypes: ['on-demand'],
    architectures: ['arm64'],
    instanceTypes: ['c7g.large', 'c7g.xlarge', 'c7g.2xlarge', 'm7g.xlarge'],
    // Consolidating an underutilized node would kill the executors of running jobs: nodes go
    // once the HPA's slow scale-down has emptied them (each worker decommissions gracefully).
    consolidationPolicy: 'WhenEmpty',
    consolidateAfter: '5m',
    // Seed 003 expires these nodes after 2h. Expiry is forceful and ignores budgets (Karpenter
    // v1.14 disruption.md, "Expiration"): every busy node would drain every two hours, the nodes
    // of one scale-up all at once, and the pool run out of workers for new executors each time.
    // Idle nodes go after 5 minutes anyway, so a day bounds a node's age; drift (20% at a time)
    // brings new AMIs.
    expireAfter: '24h',
    // At least a worker's grace period (settings.worker.protectFor in config/workloads.ts): a
    // drain deletes a worker by the deadline minus its grace, so a shorter one would cut the
    // decommissioning short (terminator.go podDeleteTimeWithGracePeriod). Equal to it, every
    // worker of a draining node is deleted when the drain starts, not evicted, so the workers' PDB
    // holds only others' evictions (kubectl drain); the pool's budget (20%) paces Karpenter's.
    terminationGracePeriod: '1h',
    budgets: [{ nodes: '20%' }],
    limits: { cpu: '64', memory: '256Gi' },
  },
  'airflow-arm-ondemand': {
    name: 'airflow-arm-ondemand',
    description: 'Airflow webserver and schedulers (seed 003).',
    nodeClass: 'data',
    labels: { workload: 'airflow' },
    taints: [{ key: 'workload', value: 'airflow', effect: 'NoSchedule' }],
    capacityTypes: ['on-demand'],
    architectures: ['arm64'],
    instanceTypes: ['m7g.large', 'm7g.xlarge'],
    // LocalExecutor runs tasks inside the scheduler: consolidating busy nodes would kill tasks.
    consolidationPolicy: 'WhenEmpty',
    consolidateAfter: '10m',
    expireAfter: '12h',
    terminationGracePeriod: '1h',
    budgets: [{ nodes: '1' }],
    limits: { cpu: '16', memory: '64Gi' },
  },
  'llm-arm-ondemand': LLM_ON_DEMAND,
  // The same placement contract (labels, taints, node class, disruption) as llm-arm-ondemand:
  // the LLM server lands on either, so only capacity, sizing and weight differ.
  'llm-arm-spot': {
    ...LLM_ON_DEMAND,
    name: 'llm-arm-spot',
    description: 'Spot burst capacity for the LLM server (seed 000); used once on-demand is full or unavailable.',
    capacityTypes: ['spot'],
    // Several families so that spot capacity is found; same reason as above for not using t4g.
    instanceTypes: ['m7g.xlarge', 'm6g.xlarge', 'r7g.xlarge'],
    limits: { cpu: '16', memory: '64Gi' },
    // Below llm-arm-ondemand (50): Karpenter tries the higher weight first.
    weight: 10,
  },
  'gpu-spot': {
    name: 'gpu-spot',
    description: 'Standard tier GPU workers (seed 001); spot, scaled by KEDA on the Celery queue, to zero.',
    nodeClass: 'gpu',
    labels: { role: 'gpu-worker', tier: 'standard' },
    taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
    capacityTypes: ['spot'],
    architectures: ['amd64'],
    instanceTypes: ['g4dn.xlarge', 'g4dn.2xlarge', 'g5.xlarge', 'g5.2xlarge'],
    // Seed 001 limits this pool to two zones (a and c), where its GPU spot capacity is.
    zones: ['ap-northeast-2a', 'ap-northeast-2c'],
    // Seed 001 consolidates underutilized GPU nodes after 30s, which would evict a worker in the
    // middle of a job. The workers cannot carry karpenter.sh/do-not-disrupt (on a spot
    // interruption it would keep the termination controller from evicting them, so they would
    // die without SIGTERM): only empty nodes are consolidated, and not before five minutes, so
    // a node bought for a burst is not dropped within minutes (KEDA's cooldown adds to it).
    consolidationPolicy: 'WhenEmpty',
    consolidateAfter: '5m',
    expireAfter: '168h',
    // Spot nodes are reclaimed with two minutes' notice anyway; a drift or expiry drain waits
    // at most this long for a worker's checkpoint.
    terminationGracePeriod: '10m',
    // Drift (a new AMI) replaces one GPU node at a time; empty nodes go freely.
    budgets: [{ nodes: '1', reasons: ['Drifted'] }, { nodes: '20%' }],
    limits: { cpu: '1000', memory: '4000Gi', 'nvidia.com/gpu': '20' },
    weight: 10,
  },
  'gpu-premium': {
    name: 'gpu-premium',
    description: 'Premium tier GPU workers (seed 001); on-demand g5, reserved for pods that tolerate tier=premium.',
    nodeClass: 'gpu',
    labels: { role: 'gpu-worker', tier: 'premium' },
    // Seed 001 taints premium nodes with tier=premium only; the nvidia.com/gpu taint is added so
    // that, as on gpu-spot, nothing but GPU pods can ever land on a GPU node.
    taints: [
      { key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' },
      { key: 'tier', value: 'premium', effect: 'NoSchedule' },
    ],
    capacityTypes: ['on-demand'],
    architectures: ['amd64'],
    // Seed 001 calls g5.4xlarge "A10G x2"; it has one GPU (16 vCPU, 64 GiB). It stays for CPU headroom.
    instanceTypes: ['g5.xlarge', 'g5.2xlarge', 'g5.4xlarge'],
    consolidationPolicy: 'WhenEmpty',
    consolidateAfter: '60s',
    expireAfter: '720h',
    terminationGracePeriod: '1h',
    budgets: [{ nodes: '1' }],
    // 10 GPUs as in seed 001; cpu and memory are what 10 of the largest type would bring.
    limits: { cpu: '160', memory: '640Gi', 'nvidia.com/gpu': '10' },
    weight: 100,
  },
};
