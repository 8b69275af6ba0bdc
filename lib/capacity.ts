import { PRICING } from '../config/pricing';
import { PRICE_REGION, InstanceType } from './catalog';
import { daemonSetRequests, POOLS_ANNOTATION, poolViews, replicasOf } from './validation/cluster';
import { embeddedPods } from './validation/embedded';
import { KubeObject } from './validation/findings';
import { PoolView } from './validation/node-pools';
import { allocatable, maxPods } from './validation/overhead';
import { podRequests, poolsFor } from './validation/placement';
import { isObject, Json, podOf } from './validation/pods';
import { LabelSelector, selects } from './validation/selectors';

/**
 * A capacity plan read from a set of objects: which pods land on which pool (the pools their
 * template can land on, the highest weight first, as Karpenter tries them), how many at rest (the
 * autoscaler's minimum: 0 for a workload that scales to zero) and at peak (its maximum), and the
 * nodes and hourly cost that takes, packed on the pool's instance type that makes it cheapest.
 * An estimate: Karpenter packs pods as they arrive, picks among all allowed types by price and
 * availability, and pays regional and live spot prices; this uses the catalog's on-demand prices
 * (us-east-1) and config/pricing.ts's spot ratio. It is what reviewers compare, not a bill.
 */

/** Pods of one workload on one pool. */
export interface PlannedWorkload {
  /** `<namespace>/<name>` (`<namespace>/<template>` for pods a controller launches, e.g. Jenkins agents). */
  readonly name: string;
  readonly idle: number;
  readonly peak: number;
  /** Requests of one pod (cpu in cores, memory in bytes, nvidia.com/gpu). */
  readonly requests: Readonly<Record<string, number>>;
  /** The pod's terminationGracePeriodSeconds (30, the default, when unset): how long draining it may take. */
  readonly gracePeriodSeconds: number;
}

/** Nodes a pool needs for a number of pods, and what they cost. */
export interface NodeEstimate {
  readonly nodes: number;
  readonly instanceType?: string;
  /** $ per hour. */
  readonly hourly: number;
}

export interface PoolPlan {
  readonly pool: string;
  /** The capacity type priced: spot when the pool allows it (Karpenter prefers spot), else on-demand. */
  readonly capacityType: 'spot' | 'on-demand';
  readonly weight: number;
  readonly limits: Readonly<Record<string, number>>;
  readonly workloads: readonly PlannedWorkload[];
  readonly idle: NodeEstimate;
  readonly peak: NodeEstimate;
  /** The pool filled to its limits with the instance type it uses at peak (or its cheapest): the most the limits let it spend. */
  readonly atLimits: NodeEstimate;
}

export interface CapacityPlan {
  readonly pools: readonly PoolPlan[];
  readonly idleHourly: number;
  readonly peakHourly: number;
  /** Pods no pool of the set can take (they run on nodes Karpenter does not manage, or nowhere). */
  readonly unplaced: readonly string[];
  readonly assumptions: readonly string[];
}

interface Demand {
  readonly workload: PlannedWorkload;
  /** Replicas that must sit on distinct nodes (required anti-affinity or a hostname spread that cannot skew). */
  readonly distinctNodes: boolean;
  /** Replicas spread over zones without skew: one node per zone at least, up to the replica count. */
  readonly zoneSpread: boolean;
}

const ZONE = 'topology.kubernetes.io/zone';
/** Zones a pool launches in when it does not restrict them: the three of a typical EKS VPC. */
const DEFAULT_ZONES = 3;

const HOSTNAME = 'kubernetes.io/hostname';

/** Whether a term's selector picks the pod's own replicas. */
const selectsOwn = (selector: Json, labels: Record<string, string>) => isObject(selector) && selects(selector as LabelSelector, labels);

/** Whether a pod spec spreads its replicas evenly over zones, hard. */
function spreadsOverZones(spec: Json, labels: Record<string, string>): boolean {
  return ((spec.topologySpreadConstraints ?? []) as Json[]).some((c) => c.topologyKey === ZONE && c.whenUnsatisfiable === 'DoNotSchedule' && selectsOwn(c.labelSelector, labels));
}

/** Whether a pod spec forbids two of its replicas on one node. */
function oneReplicaPerNode(spec: Json, labels: Record<string, string>): boolean {
  const anti: Json[] = spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  if (anti.some((term) => term.topologyKey === HOSTNAME && selectsOwn(term.labelSelector, labels))) return true;
  return ((spec.topologySpreadConstraints ?? []) as Json[]).some((c) => c.topologyKey === HOSTNAME && c.whenUnsatisfiable === 'DoNotSchedule' && c.maxSkew === 1 && selectsOwn(c.labelSelector, labels));
}

/** Replicas at rest and at peak: the autoscaler's bounds (replicasOf), and for a Job its parallelism while it runs. */
function replicas(object: KubeObject, scalers: readonly KubeObject[]): { idle: number; peak: number } {
  if (object.kind === 'Job') return { idle: 0, peak: ((object.spec ?? {}) as Json).parallelism ?? 1 };
  const { min, max } = replicasOf(object, scalers);
  return { idle: min, peak: max };
}

/** The pool Karpenter would put a pod on: of those it can land on (and is meant for), the highest weight, then by name. */
function poolOf(spec: Json, annotations: Record<string, string>, pools: readonly PoolView[]): PoolView | undefined {
  const intended = annotations[POOLS_ANNOTATION]?.split(',').map((p) => p.trim());
  const candidates = poolsFor(spec, pools).filter((p) => !intended || intended.includes(p.name));
  return [...candidates].sort((a, b) => weightOf(b) - weightOf(a) || a.name.localeCompare(b.name))[0];
}

const weightOf = (pool: PoolView) => Number((pool.object.spec as Json)?.weight ?? 0);

/** $ per hour of one node of a type, for the capacity type priced. */
function priceOf(type: InstanceType, capacityType: 'spot' | 'on-demand'): number | undefined {
  if (type.price === undefined) return undefined;
  return capacityType === 'spot' ? type.price * PRICING.spotRatio : type.price;
}

/** The cheapest way to hold `pods` of each demand on one instance type of the pool. */
export function estimateNodes(pool: PoolView, demands: readonly { requests: Readonly<Record<string, number>>; count: number; distinctNodes: boolean; zoneSpread?: boolean }[], daemonSets: readonly KubeObject[], capacityType: 'spot' | 'on-demand'): NodeEstimate {
  const live = demands.filter((d) => d.count > 0);
  if (live.length === 0) return { nodes: 0, hourly: 0 };
  const daemons = daemonSetRequests(pool, daemonSets);
  let best: NodeEstimate | undefined;
  for (const type of pool.instances ?? []) {
    const price = priceOf(type, capacityType);
    if (price === undefined) continue;
    const free = allocatable(type, pool.kubelet, pool.rootVolume).allocatable;
    // Two pod slots go to EKS's own DaemonSets (aws-node, kube-proxy).
    const room = { cpu: free.cpu - (daemons.cpu ?? 0), memory: free.memory - (daemons.memory ?? 0), gpu: type.gpus, pods: maxPods(type, pool.kubelet) - 2 };
    const fits = live.every(({ requests: r }) => (r.cpu ?? 0) <= room.cpu && (r.memory ?? 0) <= room.memory && (r['nvidia.com/gpu'] ?? 0) <= room.gpu);
    if (!fits || room.pods <= 0) continue;
    const total = (key: string) => live.reduce((sum, d) => sum + (d.requests[key] ?? 0) * d.count, 0);
    const pods = live.reduce((sum, d) => sum + d.count, 0);
    const nodes = Math.max(
      Math.ceil(total('cpu') / room.cpu - 1e-9),
      Math.ceil(total('memory') / room.memory - 1e-9),
      room.gpu > 0 ? Math.ceil(total('nvidia.com/gpu') / room.gpu - 1e-9) : 0,
      Math.ceil(pods / room.pods),
      ...live.filter((d) => d.distinctNodes).map((d) => d.count),
      ...live.filter((d) => d.zoneSpread).map((d) => Math.min(d.count, pool.zones?.length ?? DEFAULT_ZONES)),
      1,
    );
    const hourly = nodes * price;
    if (!best || hourly < best.hourly - 1e-9 || (Math.abs(hourly - best.hourly) < 1e-9 && (nodes < best.nodes || (nodes === best.nodes && type.name < best.instanceType!)))) best = { nodes, instanceType: type.name, hourly };
  }
  return best ?? { nodes: 0, hourly: 0 };
}

/** Nodes of one type that fill a pool to the first limit it reaches (none without limits). */
function atLimits(pool: PoolView, typeName: string | undefined, capacityType: 'spot' | 'on-demand'): NodeEstimate {
  const priced = (pool.instances ?? []).filter((t) => t.price !== undefined);
  const type = priced.find((t) => t.name === typeName) ?? [...priced].sort((a, b) => a.price! - b.price! || a.name.localeCompare(b.name))[0];
  if (!type) return { nodes: 0, hourly: 0 };
  const limits = pool.limits;
  const fits = [
    limits.cpu !== undefined ? Math.floor(limits.cpu / type.vcpu) : Infinity,
    limits.memory !== undefined ? Math.floor(limits.memory / (type.memoryMiB * 2 ** 20)) : Infinity,
    limits['nvidia.com/gpu'] !== undefined && type.gpus > 0 ? Math.floor(limits['nvidia.com/gpu'] / type.gpus) : Infinity,
    limits.nodes !== undefined ? limits.nodes : Infinity,
  ];
  const nodes = Math.min(...fits);
  if (!Number.isFinite(nodes)) return { nodes: 0, hourly: 0 };
  return { nodes, instanceType: type.name, hourly: nodes * priceOf(type, capacityType)! };
}

/** Dollars as REPORT.md and the plan show them. */
export const formatDollars = (n: number | undefined): string => (n === undefined ? '-' : `$${n.toFixed(2)}`);

/** The capacity plan of a set of objects. */
export function capacityPlan(objects: readonly KubeObject[]): CapacityPlan {
  const pools = poolViews(objects);
  const scalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject');
  const daemonSets = objects.filter((o) => o.kind === 'DaemonSet');
  const byPool = new Map<string, Demand[]>();
  const unplaced: string[] = [];
  const add = (name: string, spec: Json, labels: Record<string, string>, annotations: Record<string, string>, counts: { idle: number; peak: number }) => {
    const pool = poolOf(spec, annotations, pools);
    if (!pool) {
      unplaced.push(name);
      return;
    }
    byPool.set(pool.name, [...(byPool.get(pool.name) ?? []), { workload: { name, ...counts, requests: podRequests(spec), gracePeriodSeconds: typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30 }, distinctNodes: oneReplicaPerNode(spec, labels), zoneSpread: spreadsOverZones(spec, labels) }]);
  };
  for (const object of objects) {
    if (object.kind === 'DaemonSet') continue;
    const pod = podOf(object);
    if (pod) add(`${object.metadata?.namespace ?? 'default'}/${object.metadata?.name}`, pod.spec, pod.labels, pod.annotations, replicas(object, scalers));
    for (const embedded of embeddedPods({ object })) {
      const p = embedded.object;
      add(`${p.metadata?.namespace ?? 'default'}/${p.metadata?.name}`, (p.spec ?? {}) as Json, (p.metadata?.labels ?? {}) as Record<string, string>, (p.metadata?.annotations ?? {}) as Record<string, string>, { idle: 0, peak: embedded.maxInstances ?? 1 });
    }
  }
  const plans = pools.map((pool): PoolPlan => {
    const demands = byPool.get(pool.name) ?? [];
    const capacityType = pool.capacityTypes.includes('spot') ? 'spot' : 'on-demand';
    const at = (which: 'idle' | 'peak') => estimateNodes(pool, demands.map((d) => ({ requests: d.workload.requests, count: d.workload[which], distinctNodes: d.distinctNodes, zoneSpread: d.zoneSpread })), daemonSets, capacityType);
    const peak = at('peak');
    return { pool: pool.name, capacityType, weight: weightOf(pool), limits: pool.limits, workloads: demands.map((d) => d.workload), idle: at('idle'), peak, atLimits: atLimits(pool, peak.instanceType, capacityType) };
  });
  const sum = (which: 'idle' | 'peak') => plans.reduce((s, p) => s + p[which].hourly, 0);
  return {
    pools: plans,
    idleHourly: sum('idle'),
    peakHourly: sum('peak'),
    unplaced,
    assumptions: [
      `on-demand prices of ${PRICE_REGION} from Karpenter's catalog; spot at ${Math.round(PRICING.spotRatio * 100)}% of on-demand (config/pricing.ts)`,
      'idle: every autoscaler at its minimum (a KEDA workload that scales to zero counts 0); peak: at its maximum',
      "nodes: the pool's cheapest allowed instance type that holds the pods after Karpenter's overhead and DaemonSets",
    ],
  };
}
