import type { InstanceType } from '../catalog';
import { isQuantity, parseQuantity } from '../quantity';

/**
 * What a pod can use on a node Karpenter launches: the instance's capacity less Karpenter's own
 * accounting, as aws/karpenter-provider-aws v1.14.1 computes it
 * (pkg/providers/instancetype/types.go: memory, kubeReservedResources, evictionThreshold,
 * ephemeralStorage):
 * - memory capacity = EC2 memory (less 64Mi of CMA on Graviton), less ceil(7.5%) in Mi;
 * - kube-reserved CPU = 6% of the first core, 1% of the second, 0.5% of the third and fourth,
 *   0.25% of every core above four (in whole millicores per band);
 * - kube-reserved memory = 11Mi x max pods + 255Mi, ephemeral storage 1Gi;
 * - eviction threshold = 100Mi of memory and 10% of ephemeral storage, unless the node class's
 *   evictionHard sets memory.available or nodefs.available;
 * - systemReserved only as the node class sets it; the node class's kubeReserved replaces the
 *   computed value per resource;
 * - ephemeral storage = the size of the block device mapping marked rootVolume (20Gi without).
 * The generated catalog holds Karpenter's own figures for the default case; test/catalog.test.ts
 * checks this computation against every one of them.
 * @see https://karpenter.sh/docs/reference/settings/ (VM_MEMORY_OVERHEAD_PERCENT)
 */
export const VM_MEMORY_OVERHEAD_PERCENT = 0.075;
const MiB = 2 ** 20;
const GiB = 2 ** 30;

/** Resources a pod can request on a node: CPU in cores, memory and ephemeral storage in bytes, GPUs, pods. */
export interface Resources {
  readonly cpu: number;
  readonly memory: number;
  readonly ephemeralStorage: number;
  readonly gpu: number;
  readonly pods: number;
}

/** The settings of an EC2NodeClass that change allocatable resources. */
export interface KubeletSettings {
  readonly maxPods?: number;
  readonly podsPerCore?: number;
  readonly kubeReserved?: Readonly<Record<string, string>>;
  readonly systemReserved?: Readonly<Record<string, string>>;
  readonly evictionHard?: Readonly<Record<string, string>>;
}

/** The node's volume Karpenter sizes ephemeral storage from (the rootVolume mapping), in bytes. @default 20Gi */
export type RootVolumeBytes = number | undefined;

/** Karpenter's kube-reserved CPU for `vcpu` cores, in cores. */
export function kubeReservedCpu(vcpu: number): number {
  const milli = vcpu * 1000;
  let reserved = 0;
  for (const [start, end, share] of [
    [0, 1000, 0.06],
    [1000, 2000, 0.01],
    [2000, 4000, 0.005],
    [4000, 2 ** 31, 0.0025],
  ] as const) {
    if (milli >= start) reserved += Math.trunc((Math.min(milli, end) - start) * share);
  }
  return reserved / 1000;
}

function quantity(map: Readonly<Record<string, string>> | undefined, key: string): number | undefined {
  const value = map !== undefined && map !== null && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
  return typeof value === 'string' && isQuantity(value) ? parseQuantity(value) : undefined;
}

// An eviction threshold the node class sets, by its own key only (never one a map inherits).
function signal(map: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  return map !== undefined && map !== null && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
}

// An eviction signal: a percentage of capacity (rounded up) or a quantity.
function evictionSignal(capacity: number, value: string | undefined, fallback: number): number {
  if (typeof value !== 'string') return fallback;
  if (value.endsWith('%')) {
    const percent = Number(value.slice(0, -1));
    return Math.ceil((capacity / 100) * (percent === 100 ? 0 : percent));
  }
  return isQuantity(value) ? parseQuantity(value) : fallback;
}

/** Max pods the kubelet allows: kubelet.maxPods, else the ENI limit, capped by podsPerCore. */
export function maxPods(type: InstanceType, kubelet: KubeletSettings = {}): number {
  const pods = kubelet.maxPods ?? type.maxPods;
  return kubelet.podsPerCore ? Math.min(pods, kubelet.podsPerCore * type.vcpu) : pods;
}

/** Capacity of an instance type as Karpenter models it, what it reserves, and the node's allocatable resources. */
export function allocatable(type: InstanceType, kubelet: KubeletSettings = {}, rootVolume: RootVolumeBytes = undefined): { capacity: Resources; reserved: Resources; allocatable: Resources } {
  const pods = maxPods(type, kubelet);
  const mib = type.memoryMiB - (type.arch === 'arm64' ? 64 : 0);
  const memory = (mib - Math.ceil(mib * VM_MEMORY_OVERHEAD_PERCENT)) * MiB;
  const storage = rootVolume ?? 20 * GiB;
  const kubeCpu = quantity(kubelet.kubeReserved, 'cpu') ?? kubeReservedCpu(type.vcpu);
  const kubeMemory = quantity(kubelet.kubeReserved, 'memory') ?? (11 * pods + 255) * MiB;
  const kubeStorage = quantity(kubelet.kubeReserved, 'ephemeral-storage') ?? GiB;
  const reserved: Resources = {
    cpu: kubeCpu + (quantity(kubelet.systemReserved, 'cpu') ?? 0),
    memory: kubeMemory + (quantity(kubelet.systemReserved, 'memory') ?? 0) + evictionSignal(memory, signal(kubelet.evictionHard, 'memory.available'), 100 * MiB),
    ephemeralStorage: kubeStorage + (quantity(kubelet.systemReserved, 'ephemeral-storage') ?? 0) + evictionSignal(storage, signal(kubelet.evictionHard, 'nodefs.available'), Math.ceil((storage / 100) * 10)),
    gpu: 0,
    pods: 0,
  };
  const capacity: Resources = { cpu: type.vcpu, memory, ephemeralStorage: storage, gpu: type.gpus, pods };
  return {
    capacity,
    reserved,
    allocatable: {
      cpu: capacity.cpu - reserved.cpu,
      memory: capacity.memory - reserved.memory,
      ephemeralStorage: capacity.ephemeralStorage - reserved.ephemeralStorage,
      gpu: capacity.gpu,
      pods,
    },
  };
}
