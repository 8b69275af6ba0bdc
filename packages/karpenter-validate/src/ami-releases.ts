/** The AMI families whose aliases are pinned by release (`<family>@<version>`). */
export type AmiFamilyAlias = 'al2023' | 'bottlerocket';

/**
 * Which Kubernetes minors each AMI release is published for. Karpenter resolves an alias
 * `<family>@<version>` through an SSM parameter whose path holds the cluster's Kubernetes minor
 * (aws/karpenter-provider-aws v1.14.1 pkg/providers/amifamily/al2023.go AL2023.resolvePath:
 * `/aws/service/eks/optimized-ami/<k8s>/amazon-linux-2023/<arch>/<variant>/amazon-eks-node-al2023-<arch>-<variant>-<k8s>-<version>/image_id`;
 * bottlerocket.go Bottlerocket.DescribeImageQuery: `/aws/service/bottlerocket/aws-k8s-<k8s>[-nvidia]/<arch>/<version without v>/image_id`).
 * A release published before its family supported that minor has no such parameter: Karpenter
 * finds no AMI ("failed to discover any AMIs for alias"), the EC2NodeClass never turns Ready and
 * no node launches. Nor has a release published after the family stopped building that minor.
 */

/** The releases of one family that publish AMIs for one Kubernetes minor. */
export interface MinorReleases {
  /** The first release published for the minor. */
  readonly first: string;
  /** The first release no longer published for it, when the family has stopped building it. @default still published */
  readonly removedIn?: string;
}

/** What the project knows of a family's releases. */
export interface FamilyReleases {
  /** Where the facts come from. */
  readonly source: string;
  /** A recent release known to exist, for examples in messages. */
  readonly example: string;
  /** Releases by Kubernetes minor (`1.35`). */
  readonly minors: Readonly<Record<string, MinorReleases>>;
  /**
   * Every release tag up to the newest the source lists, when the source lists them all: a pin
   * among them that is not one of them is no release. @default not known (any well-formed tag is taken for one)
   */
  readonly releases?: readonly string[];
}

/**
 * amazon-eks-ami's AL2023 AMIs, read from awslabs/amazon-eks-ami CHANGELOG.md (commit 81fec2e8,
 * releases v20231106 to v20260714): each release's "AMI Details" name the AMIs it published,
 * `amazon-eks-node-al2023-<arch>-<variant>-<k8s>-<release>`. AL2023 AMIs start with v20240213;
 * every minor is published by a contiguous run of releases (checked when the table was made).
 */
const AL2023: FamilyReleases = {
  source: 'awslabs/amazon-eks-ami CHANGELOG.md (v20240213 to v20260714)',
  example: 'v20260714',
  minors: {
    '1.23': { first: 'v20240213', removedIn: 'v20241011' },
    '1.24': { first: 'v20240213', removedIn: 'v20250203' },
    '1.25': { first: 'v20240213', removedIn: 'v20250501' },
    '1.26': { first: 'v20240213', removedIn: 'v20250620' },
    '1.27': { first: 'v20240213', removedIn: 'v20250807' },
    '1.28': { first: 'v20240213', removedIn: 'v20251120' },
    '1.29': { first: 'v20240213', removedIn: 'v20260403' },
    '1.30': { first: 'v20240514' },
    '1.31': { first: 'v20240917' },
    '1.32': { first: 'v20241225' },
    '1.33': { first: 'v20250519' },
    '1.34': { first: 'v20250915' },
    '1.35': { first: 'v20260114' },
    '1.36': { first: 'v20260610' },
  },
  releases: (
    'v20240213 v20240227 v20240307 v20240315 v20240329 v20240409 v20240415 v20240424 v20240506 v20240514 v20240522 v20240531 v20240605 v20240615 v20240625 ' +
    'v20240703 v20240729 v20240817 v20240828 v20240904 v20240910 v20240917 v20240924 v20240928 v20241011 v20241016 v20241024 v20241106 v20241109 v20241115 ' +
    'v20241121 v20241205 v20241213 v20241225 v20250103 v20250116 v20250123 v20250203 v20250212 v20250224 v20250228 v20250304 v20250317 v20250403 v20250410 ' +
    'v20250419 v20250501 v20250505 v20250514 v20250519 v20250620 v20250627 v20250704 v20250715 v20250807 v20250813 v20250819 v20250821 v20250829 v20250904 ' +
    'v20250915 v20250920 v20251002 v20251007 v20251016 v20251023 v20251029 v20251108 v20251112 v20251120 v20251209 v20251217 v20260107 v20260114 v20260116 ' +
    'v20260120 v20260129 v20260209 v20260224 v20260304 v20260318 v20260403 v20260409 v20260415 v20260423 v20260505 v20260610 v20260618 v20260625 v20260714'
  ).split(' '),
};

/**
 * Bottlerocket's `aws-k8s-<minor>` variants, by the release that added and the release that
 * removed them (bottlerocket-os/bottlerocket): CHANGELOG.md "Add Kubernetes 1.29 variants"
 * (v1.18.0), "1.30" (v1.20.0), "1.31" (v1.22.0); the maintainers' variant tracking issues #4318
 * (1.32 released in v1.30.0), #4477 (1.33 in v1.39.0), #4620 (1.34 in v1.47.0); the v1.53.0
 * release notes (PR #4737: "Add new kubernetes 1.35 variants"); removals in the v1.58.0 notes
 * (PR #4797: "Remove aws-k8s-1.29 variants") and the v1.64.0 notes (PR #4896: "Remove
 * aws-k8s-1.30 variants"). The release list is not complete here, so tags are not checked.
 */
const BOTTLEROCKET: FamilyReleases = {
  source: 'bottlerocket-os/bottlerocket CHANGELOG.md and release notes (v1.18.0 to v1.64.0)',
  // Released 2026-08-05 (tracking issue #4895), with the aws-k8s-1.31 to 1.35 variants.
  example: 'v1.64.0',
  minors: {
    '1.29': { first: 'v1.18.0', removedIn: 'v1.58.0' },
    '1.30': { first: 'v1.20.0', removedIn: 'v1.64.0' },
    '1.31': { first: 'v1.22.0' },
    '1.32': { first: 'v1.30.0' },
    '1.33': { first: 'v1.39.0' },
    '1.34': { first: 'v1.47.0' },
    '1.35': { first: 'v1.53.0' },
  },
};

/** The release facts of every family this project uses. */
export const AMI_RELEASES: Readonly<Record<AmiFamilyAlias, FamilyReleases>> = { al2023: AL2023, bottlerocket: BOTTLEROCKET };

/** A pinned alias to show in place of `<family>@latest`: the family's example release, or the version's place marked. */
export function pinnedAliasExample(alias: string): string {
  const family = alias.split('@')[0]!;
  const facts = Object.prototype.hasOwnProperty.call(AMI_RELEASES, family) ? AMI_RELEASES[family as AmiFamilyAlias] : undefined;
  return `${family}@${facts ? facts.example : '<version>'}`;
}

/** Orders two release tags of one family (`v20250715`, `v1.43.0`): negative when `a` is older. */
export function compareReleases(a: string, b: string): number {
  const parts = (tag: string) => tag.replace(/^v/, '').split('.').map(Number);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * Why `family@version` has no AMI for Kubernetes `minor`, or undefined when it has one (or the
 * facts do not say: a minor the table does not hold, a release newer than it knows).
 */
export function amiReleaseProblem(family: AmiFamilyAlias, version: string, minor: string): string | undefined {
  const facts = AMI_RELEASES[family];
  const known = facts.releases;
  if (known && compareReleases(version, known[known.length - 1]!) <= 0 && !known.includes(version)) {
    const next = known.find((tag) => compareReleases(tag, version) > 0);
    const previous = [...known].reverse().find((tag) => compareReleases(tag, version) < 0);
    return `be a release of ${family} (${facts.source}); there is none named ${version}${previous || next ? ` (the nearest are ${[previous, next].filter(Boolean).join(' and ')})` : ''}, so Karpenter finds no AMI for the alias and no node launches`;
  }
  const range = facts.minors[minor];
  if (!range) return undefined;
  const where = `${family}@${version} resolves through an SSM parameter named for the cluster's Kubernetes minor, which that release does not publish: Karpenter finds no AMI, the EC2NodeClass never turns Ready and no node launches`;
  if (compareReleases(version, range.first) < 0) {
    return `be ${range.first} or later: ${family} publishes AMIs for Kubernetes ${minor} (kubernetesVersion) from ${range.first} on (${facts.source}); ${where}`;
  }
  if (range.removedIn !== undefined && compareReleases(version, range.removedIn) >= 0) {
    return `be older than ${range.removedIn}: ${family} stopped publishing AMIs for Kubernetes ${minor} (kubernetesVersion) in ${range.removedIn} (${facts.source}); ${where}. Upgrade the cluster`;
  }
  return undefined;
}
