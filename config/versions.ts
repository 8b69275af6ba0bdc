/**
 * Every platform version the output depends on, in one place: a bump is a one-line diff.
 * Workload images are pinned beside their workload, in `config/workloads.ts`.
 */

/**
 * The Karpenter releases an environment may run (`karpenterVersion` in config/environments/), each
 * with what Argo CD installs for it: the controller chart and the CRD chart (OCI,
 * public.ecr.aws/karpenter, config/argocd.ts), both published at the release's own version. The
 * validator judges each environment by its release's CRDs, instance catalog and metrics, generated
 * per release from the Go modules below (github.com/aws/karpenter-provider-aws and
 * sigs.k8s.io/karpenter, pinned in oracle/karpenter/go.mod and go.v<release>.mod, through the Go
 * module proxy: scripts/karpenter-release.mjs). Supporting a release is adding an entry here and
 * generating its data (README, Upgrading Karpenter).
 */
export const KARPENTER_RELEASES = {
  '1.14.1': { chart: '1.14.1', crdChart: '1.14.1' },
  '1.15.0': { chart: '1.15.0', crdChart: '1.15.0' },
} as const;

/** A Karpenter release the project supports: a key of {@link KARPENTER_RELEASES}. */
export type KarpenterVersion = keyof typeof KARPENTER_RELEASES;

/**
 * The release an environment runs when it names none (`karpenterVersion`). Moving it upgrades every
 * such environment at once: stage an upgrade by setting `karpenterVersion` on one environment
 * first, and read `npm run plan` (README, Upgrading Karpenter).
 */
export const KARPENTER_VERSION: KarpenterVersion = '1.14.1';

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
