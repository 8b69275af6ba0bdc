/**
 * Plain typed data that describes clusters, pools and node classes. Nothing here builds a
 * construct: `charts/` turns this data into Kubernetes objects and `lib/` checks it.
 */

/** Karpenter's `karpenter.sh/capacity-type` values. */
export type CapacityType = 'spot' | 'on-demand' | 'reserved';

/** Values of the well-known `kubernetes.io/arch` label that EC2 offers. */
export type Arch = 'amd64' | 'arm64';

/** Effects a Kubernetes taint can have. */
export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** A node taint (`spec.template.spec.taints[]` of a NodePool). */
export interface Taint {
  readonly key: string;
  /** @default no value (tolerated with operator Exists) */
  readonly value?: string;
  readonly effect: TaintEffect;
}

/** Operators of a Karpenter scheduling requirement. */
export type RequirementOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | 'Gte' | 'Lte';

/**
 * A NodePool requirement beyond those derived from a pool's typed fields
 * (capacity types, architectures, zones and instance types have their own fields).
 */
export interface Requirement {
  readonly key: string;
  readonly operator: RequirementOperator;
  /** @default none (required by In/NotIn/Gt/Lt) */
  readonly values?: readonly string[];
  /** @default none: Karpenter does not require flexibility across values */
  readonly minValues?: number;
}

/** Karpenter v1 consolidation policies. */
export type ConsolidationPolicy = 'WhenEmpty' | 'WhenEmptyOrUnderutilized';

/** Reasons a disruption budget can be restricted to. */
export type DisruptionReason = 'Empty' | 'Drifted' | 'Underutilized';

/**
 * A disruption budget: how many of a pool's nodes Karpenter may disrupt at once.
 * @see https://karpenter.sh/docs/concepts/disruption/#nodepool-disruption-budgets
 */
export interface DisruptionBudget {
  /** A count (`"1"`) or a percentage (`"10%"`). */
  readonly nodes: string;
  /** @default every reason */
  readonly reasons?: readonly DisruptionReason[];
  /** Cron schedule (UTC) when the budget is active. @default always active */
  readonly schedule?: string;
  /** How long the budget stays active after each schedule hit, minutes or hours. @default none (required with schedule) */
  readonly duration?: string;
}

/** Resource caps of a pool: Karpenter stops launching nodes once they are reached. */
export interface PoolLimits {
  /** vCPUs, as a Kubernetes quantity. */
  readonly cpu: string;
  /** Memory, as a Kubernetes quantity (`"160Gi"`). */
  readonly memory: string;
  /** NVIDIA GPUs. @default no GPU limit (only valid for pools without GPUs) */
  readonly 'nvidia.com/gpu'?: string;
  /** Node count cap, counted by Karpenter across the pool. @default no node count limit */
  readonly nodes?: string;
}

/** Names of the node classes this project defines. */
export type NodeClassName = 'default' | 'data' | 'llm' | 'gpu' | 'bottlerocket-arm';

/** Names of the pools this project defines. */
export type PoolName =
  | 'default'
  | 'core-arm-ondemand'
  | 'kafka-arm-ondemand'
  | 'spark-exec-arm-ondemand'
  | 'airflow-arm-ondemand'
  | 'llm-arm-ondemand'
  | 'llm-arm-spot'
  | 'gpu-spot'
  | 'gpu-premium';

/**
 * A Karpenter NodePool, declared once. Workloads name a pool and derive their node selector
 * and tolerations from it.
 */
export interface PoolDefinition {
  /** NodePool name (cluster-scoped, stable). */
  readonly name: PoolName;
  /** One line on what runs here; rendered as an annotation and in the README. */
  readonly description: string;
  /** EC2NodeClass the pool launches with. */
  readonly nodeClass: NodeClassName;
  /** Labels every node of the pool carries; workloads select them. Never in Karpenter's reserved domains. */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints every node carries; workloads tolerate exactly these. */
  readonly taints: readonly Taint[];
  /** Capacity types, in order of preference (Karpenter prefers spot when both are allowed). */
  readonly capacityTypes: readonly CapacityType[];
  /** CPU architectures. */
  readonly architectures: readonly Arch[];
  /** Allowed instance types, each with an entry in `lib/instance-types.ts`. */
  readonly instanceTypes: readonly string[];
  /** Zones the pool may use. @default every zone of the environment */
  readonly zones?: readonly string[];
  /** Further requirements. @default none */
  readonly requirements?: readonly Requirement[];
  /** When Karpenter may consolidate nodes. */
  readonly consolidationPolicy: ConsolidationPolicy;
  /** How long a node must be consolidatable before Karpenter acts (`30s`, `5m`, `Never`). */
  readonly consolidateAfter: string;
  /** Node lifetime before Karpenter replaces it (`720h`, `Never`). */
  readonly expireAfter: string;
  /** Upper bound on a drain; pods that block it are deleted after this. @default none (a drain may wait forever) */
  readonly terminationGracePeriod?: string;
  /** Disruption budgets. */
  readonly budgets: readonly DisruptionBudget[];
  /** Resource caps. */
  readonly limits: PoolLimits;
  /** Priority among pools a pod fits (1-100, higher first). @default no weight (0) */
  readonly weight?: number;
}

/** Fields of a pool an environment may change. */
export type PoolOverride = Partial<
  Pick<
    PoolDefinition,
    | 'capacityTypes'
    | 'instanceTypes'
    | 'zones'
    | 'consolidationPolicy'
    | 'consolidateAfter'
    | 'expireAfter'
    | 'terminationGracePeriod'
    | 'budgets'
    | 'limits'
    | 'weight'
  >
> & {
  /** Set to false to leave the pool (and every workload on it) out of the environment. @default true */
  readonly enabled?: boolean;
};

/** One EBS volume of a node class. */
export interface NodeVolume {
  /** Device name (`/dev/xvda` for AL2023's root, `/dev/xvdb` for Bottlerocket's data volume). */
  readonly deviceName: string;
  /** Size as an EC2NodeClass quantity (`100Gi`). */
  readonly size: string;
  /** @default 3000 (gp3 baseline) */
  readonly iops?: number;
  /** MiB/s. @default 125 (gp3 baseline) */
  readonly throughput?: number;
  /** Whether this is the volume the OS boots from. @default false */
  readonly rootVolume?: boolean;
}

/** Kubelet settings (in v1 they live on the EC2NodeClass). */
export interface KubeletSettings {
  readonly maxPods?: number;
  readonly systemReserved?: Readonly<Record<string, string>>;
  readonly kubeReserved?: Readonly<Record<string, string>>;
  readonly imageGCHighThresholdPercent?: number;
  readonly imageGCLowThresholdPercent?: number;
  readonly evictionHard?: Readonly<Record<string, string>>;
  readonly evictionSoft?: Readonly<Record<string, string>>;
  readonly evictionSoftGracePeriod?: Readonly<Record<string, string>>;
  readonly evictionMaxPodGracePeriod?: number;
}

/** AMI families this project uses, by their alias prefix. */
export type AmiFamilyAlias = 'al2023' | 'bottlerocket';

/** An EC2NodeClass, declared once; cluster-specific values come from the environment. */
export interface NodeClassDefinition {
  readonly name: NodeClassName;
  readonly description: string;
  /** AMI family; the version comes from `config/versions.ts` or the environment. */
  readonly amiFamily: AmiFamilyAlias;
  /** EBS volumes, all gp3 and encrypted. */
  readonly volumes: readonly NodeVolume[];
  /** IMDS hop limit. 1 keeps pods off the node's credentials; 2 only with a reason. @default 1 */
  readonly httpPutResponseHopLimit?: 1 | 2;
  /** Kubelet settings. @default Karpenter's defaults */
  readonly kubelet?: KubeletSettings;
  /** Bottlerocket TOML settings merged into user data. @default none */
  readonly bottlerocketSettings?: string;
}

/** How Karpenter finds subnets or security groups: by tags, or by explicit IDs. */
export type SelectorTerms =
  | { readonly tags: Readonly<Record<string, string>> }
  | { readonly ids: readonly string[] };

/** An environment: one cluster and its per-environment choices. */
export interface EnvironmentConfig {
  /** Folder under `dist/` and the `Environment` tag; a DNS-1123 label. */
  readonly name: string;
  readonly cluster: {
    /** EKS cluster name. */
    readonly name: string;
    /** AWS region. */
    readonly region: string;
    /** Zones Karpenter may launch nodes in. */
    readonly zones: readonly string[];
  };
  /** Subnets for nodes. */
  readonly subnets: SelectorTerms;
  /** Security groups for nodes. */
  readonly securityGroups: SelectorTerms;
  /** IAM role Karpenter builds node instance profiles from (name, not ARN). */
  readonly nodeRole: string;
  /** KMS key for EBS volumes. @default the account's default EBS key */
  readonly ebsKmsKeyId?: string;
  /** AMI alias versions. @default the versions in `config/versions.ts` */
  readonly amiVersions?: Partial<Record<AmiFamilyAlias, string>>;
  /** Changes to pools in this environment. @default none */
  readonly pools?: Partial<Record<PoolName, PoolOverride>>;
  /** Workload sizing in this environment. @default the workloads' own defaults */
  readonly workloads?: Partial<Record<WorkloadName, WorkloadOverride>>;
  /** EFS file system holding the AI models (seed 001). */
  readonly modelsFileSystemId: string;
  /** Whether this environment is production (stricter rules: no `@latest` AMI, at least 2 replicas). */
  readonly production: boolean;
  /** The API server ArgoCD deploys this environment to (a cluster registered in ArgoCD). */
  readonly argocdDestination: string;
  /** The Karpenter controller's own settings (seeds 000-002 install it by hand). */
  readonly karpenter: {
    /** IAM role of the controller's service account (IRSA). */
    readonly controllerRoleArn: string;
    /** SQS queue fed by the EventBridge interruption rules (seed 004). */
    readonly interruptionQueue: string;
    /** Labels of the managed node group the controller runs on: never nodes it manages itself. */
    readonly systemNodeSelector: Readonly<Record<string, string>>;
  };
}

/** Names of the workloads this project deploys. */
export type WorkloadName =
  | 'jenkins-agent'
  | 'kafka'
  | 'spark-master'
  | 'spark-worker'
  | 'airflow-webserver'
  | 'airflow-scheduler'
  | 'llm-server'
  | 'ai-worker';

/** Replica counts an environment may change. */
export interface WorkloadOverride {
  /** Replicas (the HPA's minimum where the workload autoscales). */
  readonly minReplicas?: number;
  /** HPA maximum. */
  readonly maxReplicas?: number;
}
