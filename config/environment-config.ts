import type { PoolName, PoolOverride, Prerequisite, SelectorTerms } from './types';
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
  };
  /**
   * Labels of the managed node group the cluster's controllers (Karpenter, KEDA) run on: never
   * nodes Karpenter manages, which it could consolidate away from under itself (seed 002).
   */
  readonly systemNodeSelector: Readonly<Record<string, string>>;
  /** Further prerequisites of this environment (AWS resources, objects other teams deploy). @default none */
  readonly prerequisites?: readonly Prerequisite[];
}
