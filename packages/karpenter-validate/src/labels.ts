// Kubernetes qualified names: an optional DNS-1123 subdomain prefix (max 253) and a name of
// at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric.
const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/**
 * Label domains node labels may not use on a NodePool: Karpenter reserves its own, and the
 * kubelet's NodeRestriction admission owns kubernetes.io and k8s.io.
 * @see https://karpenter.sh/docs/concepts/scheduling/#well-known-labels
 */
export const RESERVED_LABEL_DOMAINS = ['karpenter.sh', 'karpenter.k8s.aws', 'kubernetes.io', 'k8s.io'] as const;

/**
 * The prefix Kubernetes sets aside for node labels that workloads can trust because a kubelet
 * cannot set them on itself: exactly what a pool's isolation labels are. Karpenter's CRD
 * accepts it (it restricts only its own domains and kubernetes.io/hostname).
 * @see https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#noderestriction
 */
export const NODE_RESTRICTION_PREFIX = 'node-restriction.kubernetes.io';

/** Whether `value` is a DNS-1123 label: at most 63 lowercase alphanumerics or '-', starting and ending alphanumeric. */
export function isDns1123Label(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** Whether `value` is a DNS-1123 subdomain: dot-separated DNS-1123 labels, at most 253 characters. */
export function isDns1123Subdomain(value: string): boolean {
  return value.length <= 253 && DNS1123_SUBDOMAIN.test(value);
}

/** Whether `key` is a valid label key (qualified name). */
export function isLabelKey(key: string): boolean {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && !isDns1123Subdomain(prefix)) return false;
  return name.length > 0 && name.length <= 63 && NAME.test(name);
}

/** Whether `value` is a valid label value (may be empty). */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && VALUE.test(value);
}

/** The reserved domain a label key falls in, if any. */
export function reservedDomain(key: string): string | undefined {
  const slash = key.indexOf('/');
  if (slash < 0) return undefined;
  const prefix = key.slice(0, slash);
  if (prefix === NODE_RESTRICTION_PREFIX) return undefined;
  return RESERVED_LABEL_DOMAINS.find((domain) => prefix === domain || prefix.endsWith(`.${domain}`));
}
