/**
 * Every platform version the output depends on, in one place: a bump is a one-line diff.
 * Workload images are pinned beside their workload, in `config/workloads.ts`.
 */

/** Karpenter release whose CRDs `imports/` and the validator were generated from, and whose charts ArgoCD installs. */
export const KARPENTER_VERSION = '1.14.1';

/**
 * AMI alias versions (`<family>@<version>`), pinned: Karpenter recommends against `@latest`
 * outside pre-production, since a faulty AMI then reaches every node at once.
 * AL2023 uses the amazon-eks-ami release tag (`vYYYYMMDD`), Bottlerocket its semver tag. Each
 * must be published for every environment's kubernetesVersion (1.35): Karpenter resolves the
 * alias through an SSM parameter named for the cluster's minor, which older releases do not
 * have (synth checks it against packages/karpenter-validate/src/ami-releases.ts). v20260714 publishes AL2023 AMIs for 1.30
 * to 1.36 (1.35 since v20260114); Bottlerocket v1.64.0 (2026-08-05) has the aws-k8s-1.35
 * variants (added in v1.53.0).
 * @see https://karpenter.sh/docs/tasks/managing-amis/
 */
export const AMI_VERSIONS = {
  al2023: 'v20260714',
  bottlerocket: 'v1.64.0',
} as const;

/** KEDA release: the official chart (kedacore/charts) and the CRDs `imports/` and the validator were generated from. */
export const KEDA_VERSION = '2.20.2';
