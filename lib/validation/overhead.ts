import { InstanceType } from '../instance-types';
import { isQuantity, parseQuantity } from '../quantity';

/**
 * What a pod can use on a node Karpenter launches: the instance's capacity less Karpenter's
 * own accounting. Formulas from Karpenter's AWS provider (pkg/providers/instancetype/types.go)
 * as the docs describe them:
 * - memory capacity = EC2 memory x (1 - vmMemoryOverheadPercent), default 7.5%;
 * - kube-reserved CPU = 6% of the first core, 1% of the second, 0.5% of the third and
 *   fourth, 0.25% of every core above four;
 * - kube-reserved memory = 11 MiB x max pods + 255 MiB;
 * - eviction threshold memory.available = 100Mi unless the node class sets evictionHard;
 * - systemReserved only as the node class sets it.
 * The node class's kubelet.kubeReserved, when set, replaces the computed value per resource.
 * @see https://karpenter.sh/docs/concepts/nodeclasses/#speckubelet
 * @see https://karpenter.sh/docs/reference/settings/ (VM_MEMORY_OVERHEAD_PERCENT)
 */
export const VM_MEMORY_OVERHEAD_PERCENT = 0.075;
const MiB = 2 ** 20;

/** Resources a pod can request on a node: CPU in cores, memory in bytes, GPUs, pods. */
export interface Resources {
  readonly cpu: number;
  readonly memory: number;
  readonly gpu: number;
  readonly pods: number;
}

/** The kubelet settings of an EC2NodeClass that change allocatable resources. */
export interface KubeletSettings {
  readonly maxPods?: number;
  readonly podsPerCore?: number;
  readonly kubeReserved?: Readonly<Record<string, string>>;
  readonly systemReserved?: Readonly<Record<string, string>>;
  readonly evictionHard?: Readonly<Record<string, string>>;
}

function kubeReservedCpu(vcpu: number): number {
  const bands: readonly [number, number][] = [
    [1, 0.06],
    [1, 0.01],
    [2, 0.005],
    [Infinity, 0.0025],
  ];
  let left = vcpu;
  let reserved = 0;
  for (const [cores, share] of bands) {
    const used = Math.min(left, cores);
    reserved += used * share;
    left -= used;
  }
  return reserved;
}

function quantity(map: Readonly<Record<string, string>> | undefined, key: string): number | undefined {
  const value = map?.[key];
  return value !== undefined && isQuantity(value) ? parseQuantity(value) : undefined;
}

/** Max pods the kubelet allows: kubelet.maxPods, else the ENI limit, capped by podsPerCore. */
export function maxPods(type: InstanceType, kubelet: KubeletSettings = {}): number {
  const pods = kubelet.maxPods ?? type.maxPods;
  return kubelet.podsPerCore ? Math.min(pods, kubelet.podsPerCore * type.vcpu) : pods;
}

/** Capacity of an instance type as Karpenter models it, and the node's allocatable resources. */
export function allocatable(type: InstanceType, kubelet: KubeletSettings = {}): { capacity: Resources; allocatable: Resources } {
  const pods = maxPods(type, kubelet);
  const memoryCapacity = type.memoryGiB * 1024 * MiB * (1 - VM_MEMORY_OVERHEAD_PERCENT);
  const reservedCpu = (quantity(kubelet.kubeReserved, 'cpu') ?? kubeReservedCpu(type.vcpu)) + (quantity(kubelet.systemReserved, 'cpu') ?? 0);
  const reservedMemory = (quantity(kubelet.kubeReserved, 'memory') ?? (11 * pods + 255) * MiB) + (quantity(kubelet.systemReserved, 'memory') ?? 0);
  const eviction = kubelet.evictionHard?.['memory.available'];
  const evictionMemory = eviction === undefined ? 100 * MiB : eviction.endsWith('%') ? (memoryCapacity * Number(eviction.slice(0, -1))) / 100 : (quantity(kubelet.evictionHard, 'memory.available') ?? 100 * MiB);
  const capacity: Resources = { cpu: type.vcpu, memory: memoryCapacity, gpu: type.gpus, pods };
  return {
    capacity,
    allocatable: { cpu: type.vcpu - reservedCpu, memory: memoryCapacity - reservedMemory - evictionMemory, gpu: type.gpus, pods },
  };
}
