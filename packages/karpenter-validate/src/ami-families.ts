/**
 * Facts about the AMI families Karpenter's EC2NodeClass aliases name (`al2023@...`,
 * `bottlerocket@...`), shared by the node class construct and the validator.
 */

/**
 * The volume each AMI family's kubelet and containers use: AL2023's OS volume, Bottlerocket's
 * second (data) volume. Karpenter sizes a node's ephemeral storage from the block device mapping
 * marked rootVolume, so that must be this one.
 * @see https://karpenter.sh/docs/concepts/nodeclasses/#specblockdevicemappings
 */
export const KUBELET_VOLUME: Readonly<Record<string, string>> = { al2023: '/dev/xvda', bottlerocket: '/dev/xvdb' };

/** The AMI family of an alias (`bottlerocket@v1.43.0` → `bottlerocket`). */
export function amiFamilyOf(alias: string): string {
  return alias.split('@')[0]!;
}
