/**
 * Plain typed data that describes clusters, pools, node classes and workloads. Nothing here
 * builds a construct: `charts/` turns this data into Kubernetes objects and `lib/` checks it.
 *
 * The build type-checks config/ against these types before it bundles (scripts/check-config.mjs:
 * unknown keys and wrong types stop it), and synth checks the values again at run time
 * (lib/config/config-shape.ts, lib/config/pool-shape.ts): a value cast past the types (`as any`) or config
 * built in code stops synth with the path, the value and the type expected.
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
 * A NodePool requirement beyond those derived from a pool's typed fields (capacity types,
 * architectures, zones and instance types have their own fields). Requirements on the
 * `karpenter.k8s.aws/instance-*` labels choose instance types by category, family,
 * generation, size or CPU count, as Karpenter does.
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
export type NodeClassName = 'default' | 'data' | 'llm' | 'gpu' | 'bottlerocket-arm' | 'ci-build';

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
  | 'gpu-premium'
  | 'ci-build-ondemand';

/**
 * A Karpenter NodePool, declared once. Workloads name a pool and derive their node selector
 * and tolerations from it.
 */
export interface PoolDefinition {
  /** NodePool name (cluster-scoped, stable); must equal its key in `POOLS`. */
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
  /**
   * Allowed instance types, by name, each in Karpenter's catalog (packages/karpenter-validate/src/catalog/instance-types.json).
   * @default any type the requirements allow (then `requirements` must narrow the choice)
   */
  readonly instanceTypes?: readonly string[];
  /** Zones the pool may use. @default every zone of the environment */
  readonly zones?: readonly string[];
  /** Further requirements (instance category, family, generation, size, CPU count...). @default none */
  readonly requirements?: readonly Requirement[];
  /** When Karpenter may consolidate nodes. */
  readonly consolidationPolicy: ConsolidationPolicy;
  /** How long a node must be consolidatable before Karpenter acts (`30s`, `5m`, `Never`). */
  readonly consolidateAfter: string;
  /** Node lifetime before Karpenter replaces it (`720h`, `Never`). Expiry ignores disruption budgets. */
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
export interface PoolOverride {
  /** Set to false to leave the pool (and every workload on it) out of the environment. @default true */
  readonly enabled?: boolean;
  readonly capacityTypes?: readonly CapacityType[];
  readonly instanceTypes?: readonly string[];
  readonly requirements?: readonly Requirement[];
  readonly zones?: readonly string[];
  readonly consolidationPolicy?: ConsolidationPolicy;
  readonly consolidateAfter?: string;
  readonly expireAfter?: string;
  readonly terminationGracePeriod?: string;
  readonly budgets?: readonly DisruptionBudget[];
  readonly limits?: PoolLimits;
  readonly weight?: number;
}

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
  /**
   * Whether this is the volume the kubelet and containers use: Karpenter sizes a node's
   * ephemeral storage from it. On AL2023 that is the OS volume (`/dev/xvda`); on Bottlerocket
   * it is the data volume (`/dev/xvdb`), not the 4Gi OS volume. @default false
   */
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

/**
 * Waivers of the validator's policy rules, by rule id, each with the reason (at least 10
 * characters). Rendered as `waivers.karpenter-as-code.io/<rule>` annotations and listed in
 * REPORT.md. Only policy rules can be waived (`npm run validate -- --list-rules`).
 */
export type Waivers = Readonly<Record<string, string>>;

/** An EC2NodeClass, declared once; cluster-specific values come from the environment. */
export interface NodeClassDefinition {
  /** EC2NodeClass name; must equal its key in `NODE_CLASSES`. */
  readonly name: NodeClassName;
  readonly description: string;
  /** AMI family; the version comes from `config/versions.ts` or the environment. */
  readonly amiFamily: AmiFamilyAlias;
  /** EBS volumes, all gp3 and encrypted. */
  readonly volumes: readonly NodeVolume[];
  /**
   * IMDS hop limit. 1 keeps pods off the node's instance credentials; 2 only with a waiver of
   * the `imdsv2` rule in `waivers` saying why. @default 1
   */
  readonly httpPutResponseHopLimit?: 1 | 2;
  /** Kubelet settings. @default Karpenter's defaults */
  readonly kubelet?: KubeletSettings;
  /** Bottlerocket TOML settings merged into user data. @default none */
  readonly bottlerocketSettings?: string;
  /** Policy rules this node class is allowed to break, with the reason. @default none */
  readonly waivers?: Waivers;
}

/** How Karpenter finds subnets or security groups: by tags, or by explicit IDs. */
export type SelectorTerms = TagSelector | IdSelector;

/** Subnets or security groups by tags (`{ tags: { 'karpenter.sh/discovery': 'my-cluster' } }`). */
export interface TagSelector {
  readonly tags: Readonly<Record<string, string>>;
}

/** Subnets or security groups by ID (`{ ids: ['subnet-0123'] }`). */
export interface IdSelector {
  readonly ids: readonly string[];
}

/**
 * Something outside the synthesized set that it depends on: a Kubernetes object its pods
 * reference (a Secret, a Service, a namespace) or a resource in AWS. Kubernetes references
 * the set makes to objects it does not define must be declared (synth fails otherwise); every
 * prerequisite is listed in REPORT.md, so the cluster can be made ready before the first sync.
 */
export interface Prerequisite {
  /** A Kubernetes kind (`Secret`, `Service`, `Namespace`, `ServiceAccount`...) or an AWS resource (`S3 bucket`, `IAM role`...). */
  readonly kind: string;
  readonly name: string;
  /** For namespaced Kubernetes objects. @default the workload's namespace (none for AWS resources) */
  readonly namespace?: string;
  /** What it holds or does, and who provides it. */
  readonly purpose: string;
}


/** Every pool, by name (`POOLS` in config/pools.ts). */
export type PoolCatalog = { readonly [P in PoolName]: PoolDefinition };

/** Every node class, by name (`NODE_CLASSES` in config/node-classes.ts). */
export type NodeClassCatalog = { readonly [N in NodeClassName]: NodeClassDefinition };

/** Transport protocols a NetworkPolicy port can name. */
export type NetworkProtocol = 'TCP' | 'UDP' | 'SCTP';

/**
 * A port of a flow, on the pods it reaches: a number, or the name the reached component's chart
 * gives one of its ports (a container port, or a range of ports, such as Spark's driver ports).
 */
export interface FlowPort {
  /** A port number, or the name of a port of the pods reached. */
  readonly port: number | string;
  /** @default 'TCP' */
  readonly protocol?: NetworkProtocol;
  /** The last port of a range that starts at `port` (a number). @default a single port */
  readonly endPort?: number;
}

/** Pods of a workload of the set: one of its components, or another group of its pods its `network` entry names (Airflow's Jobs). */
export interface WorkloadPeer {
  /** A workload of config/workloads.ts. */
  readonly workload: string;
  /** A key of that workload's `network` entry. */
  readonly component: string;
}

/**
 * Pods of a namespace the set does not create: a prerequisite's (Prometheus in `monitoring`, the
 * Jenkins controller in `jenkins`, the Redis Sentinels in `redis`), selected by the namespace's
 * `kubernetes.io/metadata.name` label and, optionally, by the pods' labels.
 */
export interface NamespacePeer {
  readonly namespace: string;
  /** Labels of its pods. @default every pod of the namespace */
  readonly podLabels?: Readonly<Record<string, string>>;
}

/**
 * An endpoint outside the cluster, by address: NetworkPolicy selects addresses, not names, so an
 * endpoint known by name (a Git host, a model registry, S3) is reached through the ranges it may
 * answer from.
 */
export interface ExternalPeer {
  /** What it is, for readers of config/ and REPORT.md (`the DAG repository`, `Amazon S3`). */
  readonly external: string;
  /**
   * Address ranges. @default the public internet: 0.0.0.0/0 except the private (RFC 1918), shared
   * (RFC 6598) and link-local ranges, so that no pod of the cluster and not the instance
   * metadata service is among them
   */
  readonly cidrs?: readonly string[];
}

/** A client of a component: who may connect, to which of its ports, and why. */
export interface IngressFlow {
  readonly from: WorkloadPeer | NamespacePeer;
  readonly ports: readonly FlowPort[];
  /** Why the client connects (one line, kept with the flow). */
  readonly why: string;
}

/**
 * Something a component connects to outside the set. Flows to another workload of the set are
 * declared once, as that workload's ingress; the egress they need is derived.
 */
export interface EgressFlow {
  readonly to: NamespacePeer | ExternalPeer;
  readonly ports: readonly FlowPort[];
  readonly why: string;
}

/**
 * Who may reach a component's pods and what they may reach, declared once: the NetworkPolicies
 * of its namespace (a default deny, then an allow per flow) are derived from it, and DNS (UDP
 * and TCP 53 to CoreDNS in kube-system) is always allowed.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export interface ComponentNetwork {
  /** Its clients. @default none: no pod may connect to it (kubectl port-forward still can: it does not cross the pod network) */
  readonly ingress?: readonly IngressFlow[];
  /** What it reaches outside the set. @default none beyond DNS and the servers of the set that name it as a client */
  readonly egress?: readonly EgressFlow[];
}
