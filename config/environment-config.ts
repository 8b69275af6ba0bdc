import type { PoolName, PoolOverride, Prerequisite, SelectorTerms } from './types';
import type { KarpenterVersion } from './versions';
import type { WorkloadOverrides } from './workloads';

// An environment's config (config/environments/<name>.ts), apart from the types of pools, node
// classes and workloads it refers to: they do not depend on it.

/** An environment: one cluster and its per-environment choices. */
export interface EnvironmentConfig {
  /** Folder under `dist/` and the `Environment` tag; a DNS-1123 label. Its file is `config/environments/<name>.ts`. */
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
  readonly amiVersions?: {
    readonly al2023?: string;
    readonly bottlerocket?: string;
  };
  /** Changes to pools in this environment. @default none */
  readonly pools?: { readonly [P in PoolName]?: PoolOverride };
  /** Workload sizing and settings in this environment, by workload. @default the workloads' own (config/workloads.ts) */
  readonly workloads?: WorkloadOverrides;
  /** EFS file system holding the AI models (seed 001). */
  readonly modelsFileSystemId: string;
  /** Whether this environment is production (stricter rules: pinned AMIs, the workloads' production minimums, an interruption queue). */
  readonly production: boolean;
  /**
   * The Kubernetes minor the cluster runs (`1.35`): what the output is validated against (the
   * OpenAPI of that release's kube-apiserver, schemas/kubernetes/), what `npm run verify` runs,
   * and what the pinned AMI releases must have been published for.
   */
  readonly kubernetesVersion: string;
  /** The API server ArgoCD deploys this environment to (a cluster registered in ArgoCD). */
  readonly argocdDestination: string;
  /**
   * The git revision Argo CD syncs this environment from: its root Application, the Applications
   * in it and its manifests (dist/<env>/) all follow it. A branch that moves only by promotion
   * (`prod`) makes a change reach the environment once it is promoted, after it ran elsewhere.
   * @default ARGOCD.targetRevision (`main`, config/argocd.ts): every merged change, at once
   */
  readonly argocdRevision?: string;
  /**
   * The Karpenter release the cluster runs (a key of KARPENTER_RELEASES in config/versions.ts):
   * the controller and CRD charts Argo CD installs, and the release whose CRDs, instance catalog and
   * metrics the environment is validated, planned and monitored against. Change it one environment
   * at a time, dev first: `npm run plan` shows what the upgrade does (README, Upgrading Karpenter).
   * @default KARPENTER_VERSION in config/versions.ts (1.14.1)
   */
  readonly karpenterVersion?: KarpenterVersion;
  /** The Karpenter controller's own settings (seeds 000-002 install it by hand). */
  readonly karpenter: {
    /** IAM role of the controller's service account (IRSA). */
    readonly controllerRoleArn: string;
    /**
     * SQS queue fed by the EventBridge interruption rules (seeds 002, 004): spot interruptions,
     * rebalance recommendations, scheduled changes and instance state changes. Required in
     * production. @default none: Karpenter does not drain nodes ahead of a spot reclaim
     */
    readonly interruptionQueue?: string;
    /**
     * Karpenter's node repair (the NodeRepair feature gate, alpha and off in the chart): a node whose
     * kubelet reports Ready False or Unknown for 30 minutes, or whose Node Monitoring Agent reports
     * its GPU, storage, network or kernel failed, has its NodeClaim deleted and is replaced
     * (karpenter-provider-aws v1.14.1 pkg/cloudprovider/cloudprovider.go RepairPolicies;
     * sigs.k8s.io/karpenter v1.14.1 pkg/controllers/node/health/controller.go), never more than 20%
     * of a pool's nodes at once. Without it a hung instance keeps its pods: a Kafka broker's pod stays
     * on the dead node (a StatefulSet never starts a second pod of an ordinal while the first one's
     * object exists), with its EBS volume attached there, until someone deletes the node by hand.
     * @default true
     */
    readonly nodeRepair?: boolean;
  };
  /**
   * Labels of the managed node group the cluster's controllers (Karpenter, KEDA) run on: never
   * nodes Karpenter manages, which it could consolidate away from under itself (seed 002).
   */
  readonly systemNodeSelector: Readonly<Record<string, string>>;
  /** Further prerequisites of this environment (AWS resources, objects other teams deploy). @default none */
  readonly prerequisites?: readonly Prerequisite[];
}
