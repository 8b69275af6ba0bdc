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
