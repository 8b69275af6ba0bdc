import { INSTANCE_TYPES, InstanceType } from '../instance-types';
import { isQuantity, parseQuantity } from '../quantity';
import { KubeObject } from './findings';
import { KubeletSettings } from './overhead';

/** A NodePool requirement (a node selector requirement with Karpenter's extra operators). */
export interface Requirement {
  readonly key: string;
  readonly operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | 'Gte' | 'Lte';
  readonly values: readonly string[];
}

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: string;
}

/** What the cross-object checks need to know about one NodePool. */
export interface PoolView {
  readonly name: string;
  readonly object: KubeObject;
  /** Labels every node of the pool carries: template labels, karpenter.sh/nodepool, and single-valued `In` requirements. */
  readonly labels: Readonly<Record<string, string>>;
  readonly requirements: readonly Requirement[];
  /** Taints pods must tolerate (startupTaints are removed once the node is ready, so they do not count). */
  readonly taints: readonly Taint[];
  readonly nodeClassName?: string;
  /** The EC2NodeClass it references, when it is in the set. */
  readonly nodeClass?: KubeObject;
  readonly kubelet: KubeletSettings;
  /**
   * Instance types the pool can launch, when its requirements pin `node.kubernetes.io/instance-type`
   * to types of the catalog; undefined when it leaves the choice open (Karpenter then picks
   * among hundreds of types, and no fit can be decided here).
   */
  readonly instances?: readonly InstanceType[];
  /** Instance types the pool names that the catalog does not know. */
  readonly unknownInstances: readonly string[];
  /** Zones the pool launches in; undefined when not restricted. */
  readonly zones?: readonly string[];
  /** Architectures the pool launches; undefined when not restricted. */
  readonly architectures?: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  readonly terminationGracePeriod?: string;
}

const INSTANCE_TYPE = 'node.kubernetes.io/instance-type';

/** Whether a label value satisfies a requirement (Karpenter's Gt/Lt/Gte/Lte compare integers). */
export function satisfies(requirement: Requirement, value: string | undefined): boolean {
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
      if (value === undefined) return false;
      const [have, bound] = [Number(value), Number(requirement.values[0])];
      return { Gt: have > bound, Lt: have < bound, Gte: have >= bound, Lte: have <= bound }[requirement.operator];
    }
  }
}

/** The well-known labels a node of this instance type carries, for matching requirements. */
export function instanceLabels(type: InstanceType): Record<string, string> {
  const [family = '', size = ''] = type.name.split('.');
  return {
    [INSTANCE_TYPE]: type.name,
    'kubernetes.io/arch': type.arch,
    'karpenter.k8s.aws/instance-family': family,
    'karpenter.k8s.aws/instance-size': size,
    'karpenter.k8s.aws/instance-category': /^[a-z]+/.exec(family)?.[0] ?? '',
    'karpenter.k8s.aws/instance-generation': /[0-9]+/.exec(family)?.[0] ?? '',
    'karpenter.k8s.aws/instance-cpu': String(type.vcpu),
    'karpenter.k8s.aws/instance-memory': String(type.memoryGiB * 1024),
    ...(type.gpus > 0 ? { 'karpenter.k8s.aws/instance-gpu-count': String(type.gpus) } : {}),
  };
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Reads a NodePool (as stored: defaulted) against the EC2NodeClasses of the set. */
export function poolView(object: KubeObject, nodeClasses: ReadonlyMap<string, KubeObject>): PoolView {
  const spec = (object.spec ?? {}) as any;
  const template = spec.template ?? {};
  const requirements: Requirement[] = (template.spec?.requirements ?? []).map((r: any) => ({ key: String(r.key), operator: r.operator, values: (r.values ?? []).map(String) }));
  const name = str(object.metadata?.name) ?? '';
  const labels: Record<string, string> = { ...(template.metadata?.labels ?? {}), 'karpenter.sh/nodepool': name };
  for (const r of requirements) if (r.operator === 'In' && r.values.length === 1) labels[r.key] = r.values[0]!;
  const nodeClassName = str(template.spec?.nodeClassRef?.name);
  const nodeClass = nodeClassName !== undefined ? nodeClasses.get(nodeClassName) : undefined;
  const typeRequirement = requirements.find((r) => r.key === INSTANCE_TYPE && r.operator === 'In');
  const named = typeRequirement?.values ?? [];
  const known = named.map((n) => INSTANCE_TYPES.get(n)).filter((t): t is InstanceType => t !== undefined);
  const instances = typeRequirement ? known.filter((type) => requirements.every((r) => !(r.key in instanceLabels(type)) || satisfies(r, instanceLabels(type)[r.key]))) : undefined;
  const values = (key: string) => requirements.find((r) => r.key === key && r.operator === 'In')?.values;
  const limits = Object.fromEntries(
    Object.entries(spec.limits ?? {}).filter(([, v]) => typeof v === 'number' || (typeof v === 'string' && isQuantity(v))).map(([k, v]) => [k, parseQuantity(v as string | number)]),
  );
  const architectures = values('kubernetes.io/arch') ?? (instances ? [...new Set(instances.map((t) => t.arch))] : undefined);
  return {
    name,
    object,
    labels,
    requirements,
    taints: (template.spec?.taints ?? []).map((t: any) => ({ key: String(t.key), ...(t.value !== undefined ? { value: String(t.value) } : {}), effect: String(t.effect) })),
    ...(nodeClassName !== undefined ? { nodeClassName } : {}),
    ...(nodeClass ? { nodeClass } : {}),
    kubelet: ((nodeClass?.spec as any)?.kubelet ?? {}) as KubeletSettings,
    ...(instances ? { instances } : {}),
    unknownInstances: named.filter((n) => !INSTANCE_TYPES.has(n)),
    ...(values('topology.kubernetes.io/zone') ? { zones: values('topology.kubernetes.io/zone')! } : {}),
    ...(architectures ? { architectures } : {}),
    limits,
    ...(str(template.spec?.terminationGracePeriod) ? { terminationGracePeriod: template.spec.terminationGracePeriod } : {}),
  };
}
