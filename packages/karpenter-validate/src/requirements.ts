import { InstanceType } from './catalog';

/**
 * Karpenter's scheduling requirements (a node selector requirement with its extra operators
 * Gt, Lt, Gte and Lte), as Karpenter matches them against node labels.
 * @see https://karpenter.sh/docs/concepts/nodepools/#spectemplatespecrequirements
 */
export interface NodeRequirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | 'Gte' | 'Lte';
  readonly values: readonly string[];
}

/** Whether a label value (undefined: the node does not carry the label) satisfies a requirement. */
export function satisfies(requirement: NodeRequirement, value: string | undefined): boolean {
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && requirement.values.includes(value);
    case 'NotIn':
      return value === undefined || !requirement.values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    default: {
      // Integer comparisons; a node without the label never satisfies them.
      if (value === undefined || !/^-?[0-9]+$/.test(value)) return false;
      const [have, bound] = [Number(value), Number(requirement.values[0])];
      return { Gt: have > bound, Lt: have < bound, Gte: have >= bound, Lte: have <= bound }[requirement.operator];
    }
  }
}

// Label keys an instance type determines: requirements on them choose instance types.
const INSTANCE_LABEL = /^(node\.kubernetes\.io\/instance-type|kubernetes\.io\/arch|kubernetes\.io\/os|karpenter\.k8s\.aws\/instance-.+)$/;

/** Whether a requirement is about the instance type (rather than zone, capacity type or a pool label). */
export function isInstanceRequirement(requirement: NodeRequirement): boolean {
  return INSTANCE_LABEL.test(requirement.key);
}

/** The instance types of `types` that every instance requirement allows. */
export function allowedInstances(requirements: readonly NodeRequirement[], types: Iterable<InstanceType>): InstanceType[] {
  const relevant = requirements.filter(isInstanceRequirement);
  return [...types].filter((type) => relevant.every((r) => satisfies(r, type.labels[r.key])));
}

/**
 * The labels Karpenter knows on its nodes, by full key: the core's WellKnownLabels
 * (sigs.k8s.io/karpenter v1.14.1 pkg/apis/v1/labels.go) and those the AWS provider adds
 * (aws/karpenter-provider-aws v1.14.1 pkg/apis/v1/labels.go init), the kubelet's own
 * `kubernetes.io/hostname`. A requirement on a key of their domains that is none of these names a
 * label no node carries (and one the NodePool CRD refuses in the restricted domains).
 */
export const WELL_KNOWN_LABELS: readonly string[] = [
  'karpenter.sh/nodepool',
  'karpenter.sh/capacity-type',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'node.kubernetes.io/instance-type',
  'node.kubernetes.io/windows-build',
  'kubernetes.io/arch',
  'kubernetes.io/os',
  'kubernetes.io/hostname',
  'topology.k8s.aws/zone-id',
  ...[
    'capacity-reservation-id',
    'capacity-reservation-type',
    'capacity-reservation-interruptible',
    'instance-hypervisor',
    'instance-encryption-in-transit-supported',
    'instance-category',
    'instance-capability-flex',
    'instance-family',
    'instance-generation',
    'instance-size',
    'instance-local-nvme',
    'instance-cpu',
    'instance-cpu-manufacturer',
    'instance-cpu-sustained-clock-speed-mhz',
    'instance-memory',
    'instance-ebs-bandwidth',
    'instance-network-bandwidth',
    'instance-gpu-name',
    'instance-gpu-manufacturer',
    'instance-gpu-count',
    'instance-gpu-memory',
    'instance-accelerator-name',
    'instance-accelerator-manufacturer',
    'instance-accelerator-count',
    'instance-tenancy',
    'placement-group-id',
    'placement-group-partition',
  ].map((name) => `karpenter.k8s.aws/${name}`),
];

// Domains whose labels Karpenter, the kubelet or AWS set: a key there is one of theirs or a mistake.
const KNOWN_DOMAINS = /^(([^/]+\.)?(karpenter\.sh|karpenter\.k8s\.aws|kubernetes\.io|k8s\.io|k8s\.aws))\//;

/**
 * When a requirement key looks meant for a well-known label and is not one (`karpenter.k8s.aws/instance-familly`,
 * `instance-family`), the key meant; undefined for well-known keys and the pool's own labels.
 */
export function misspeltLabel(key: string, distance: (a: string, b: string) => number): string | undefined {
  if (WELL_KNOWN_LABELS.includes(key)) return undefined;
  const name = key.slice(key.indexOf('/') + 1);
  const ranked = WELL_KNOWN_LABELS.map((known) => ({ known, d: Math.min(distance(key, known), distance(name, known.slice(known.indexOf('/') + 1))) })).sort((a, b) => a.d - b.d);
  const best = ranked[0]!;
  // In a known domain any key is a mistake; elsewhere only a long name (not a short one of the
  // pool's own, like `zone`) within two letters of a known label's name.
  if (KNOWN_DOMAINS.test(key) || (name.length > 8 && best.d <= 2)) return best.known;
  return undefined;
}
