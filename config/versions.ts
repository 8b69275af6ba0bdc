/**
 * Every platform version the output depends on, in one place: a bump is a one-line diff.
 * Workload images are pinned beside their workload, in `config/workloads.ts`.
 */

/** Karpenter release whose CRDs `imports/` and the validator were generated from, and whose charts ArgoCD installs. */
export const KARPENTER_VERSION = '1.14.1';

/**
 * AMI alias versions (`<family>@<version>`), pinned: Karpenter recommends against `@latest`
 * outside pre-production, since a faulty AMI then reaches every node at once.
 * AL2023 uses the amazon-eks-ami release tag (`vYYYYMMDD`), Bottlerocket its semver tag.
 * @see https://karpenter.sh/docs/tasks/managing-amis/
 */
export const AMI_VERSIONS = {
  al2023: 'v20250715',
  bottlerocket: 'v1.43.0',
} as const;

/** KEDA release: the official chart (kedacore/charts) and the CRDs `imports/` and the validator were generated from. */
export const KEDA_VERSION = '2.20.2';
