import { candidateTypes, InstanceType, knownType } from '../catalog';
import { activeKarpenterRelease, KarpenterRelease } from '../karpenter-release';
import { isQuantity, parseQuantity } from '../quantity';
import { allowedInstances, isInstanceRequirement, NodeRequirement } from '../requirements';
import { KubeObject } from './findings';
import { KubeletSettings, RootVolumeBytes } from './overhead';
import { isObject, objectOr, stringMap } from './pods';

/** A NodePool requirement (a node selector requirement with Karpenter's extra operators). */
export type Requirement = NodeRequirement;

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
  /** Size of the node class's rootVolume mapping, which Karpenter sizes ephemeral storage from. */
  readonly rootVolume: RootVolumeBytes;
  /**
   * Instance types of Karpenter's catalog the pool's requirements allow (by name, family,
   * category, generation, size, CPU count or any other instance label), or undefined when its
   * requirements cannot be read (then no fit can be decided).
   */
  readonly instances?: readonly InstanceType[];
  /** Instance types the pool names that Karpenter does not know. */
  readonly unknownInstances: readonly string[];
  /** Zones the pool launches in; undefined when not restricted. */
  readonly zones?: readonly string[];
  /** Architectures the pool launches; undefined when not restricted. */
  readonly architectures?: readonly string[];
  /** Capacity types the pool may launch. */
  readonly capacityTypes: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  readonly expireAfter?: string;
  readonly terminationGracePeriod?: string;
}

const INSTANCE_TYPE = 'node.kubernetes.io/instance-type';
const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt', 'Gte', 'Lte']);

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The size of the block device mapping marked rootVolume, in bytes. */
function rootVolumeOf(nodeClass: KubeObject | undefined): RootVolumeBytes {
  const mappings = (nodeClass?.spec as any)?.blockDeviceMappings;
  if (!Array.isArray(mappings)) return undefined;
  const size = mappings.find((m: any) => m?.rootVolume === true)?.ebs?.volumeSize;
  return typeof size === 'string' && isQuantity(size) ? parseQuantity(size) : undefined;
}

/**
 * The kubelet settings of a node class that change allocatable resources, read as their types
 * allow: a field of another type (which the CRD schema refuses) is left out, as if unset.
 */
function kubeletOf(value: unknown): KubeletSettings {
  const kubelet = objectOr(value);
  const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined);
  const maxPods = count(kubelet.maxPods);
  const podsPerCore = count(kubelet.podsPerCore);
  return {
    ...(maxPods !== undefined ? { maxPods } : {}),
    ...(podsPerCore !== undefined ? { podsPerCore } : {}),
    ...(isObject(kubelet.kubeReserved) ? { kubeReserved: stringMap(kubelet.kubeReserved) } : {}),
    ...(isObject(kubelet.systemReserved) ? { systemReserved: stringMap(kubelet.systemReserved) } : {}),
    ...(isObject(kubelet.evictionHard) ? { evictionHard: stringMap(kubelet.evictionHard) } : {}),
  };
}

/** Reads a NodePool (as stored: defaulted) against the EC2NodeClasses of the set, with the instance types of a Karpenter release (by default the one being validated with). */
export function poolView(object: KubeObject, nodeClasses: ReadonlyMap<string, KubeObject>, release: KarpenterRelease = activeKarpenterRelease()): PoolView {
  const spec = objectOr(object.spec) as any;
  const template = objectOr(spec.template) as any;
  const requirements: Requirement[] = (Array.isArray(template.spec?.requirements) ? template.spec.requirements : [])
    .filter((r: any) => isObject(r) && typeof r.key === 'string' && OPERATORS.has(r.operator as string))
    .map((r: any) => ({ key: r.key, operator: r.operator, values: (Array.isArray(r.values) ? r.values : []).map(String) }));
  const name = str(object.metadata?.name) ?? '';
  const labels: Record<string, string> = { ...stringMap(objectOr(template.metadata).labels), 'karpenter.sh/nodepool': name };
  for (const r of requirements) if (r.operator === 'In' && r.values.length === 1) labels[r.key] = r.values[0]!;
  const nodeClassName = str(template.spec?.nodeClassRef?.name);
  const nodeClass = nodeClassName !== undefined ? nodeClasses.get(nodeClassName) : undefined;
  const named = requirements.filter((r) => r.key === INSTANCE_TYPE && r.operator === 'In').flatMap((r) => r.values);
  const instances = allowedInstances(requirements.filter(isInstanceRequirement), candidateTypes(requirements, release));
  const values = (key: string) => requirements.find((r) => r.key === key && r.operator === 'In')?.values;
  const limits = Object.fromEntries(
    Object.entries(objectOr(spec.limits)).filter(([, v]) => typeof v === 'number' || (typeof v === 'string' && isQuantity(v))).map(([k, v]) => [k, parseQuantity(v as string | number)]),
  );
  const architectures = values('kubernetes.io/arch') ?? [...new Set(instances.map((t) => t.arch))];
  return {
    name,
    object,
    labels,
    requirements,
    taints: (Array.isArray(template.spec?.taints) ? template.spec.taints : []).map((t: any) => ({ key: String(t?.key), ...(t?.value !== undefined ? { value: String(t.value) } : {}), effect: String(t?.effect) })),
    ...(nodeClassName !== undefined ? { nodeClassName } : {}),
    ...(nodeClass ? { nodeClass } : {}),
    kubelet: kubeletOf(objectOr(nodeClass?.spec).kubelet),
    rootVolume: rootVolumeOf(nodeClass),
    instances,
    unknownInstances: named.filter((n) => !knownType(n, release)),
    ...(values('topology.kubernetes.io/zone') ? { zones: values('topology.kubernetes.io/zone')! } : {}),
    architectures,
    capacityTypes: values('karpenter.sh/capacity-type') ?? ['on-demand'],
    limits,
    ...(str(template.spec?.expireAfter) ? { expireAfter: template.spec.expireAfter } : {}),
    ...(str(template.spec?.terminationGracePeriod) ? { terminationGracePeriod: template.spec.terminationGracePeriod } : {}),
  };
}
