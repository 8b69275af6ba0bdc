import { PRICING } from '../../config/pricing';
import { activeKarpenterRelease, InstanceType, KarpenterRelease, priceRegion } from 'karpenter-validate/model';
import { PlannedNodeClaim, PodSpread, PodTopology, SchedulingPod, SchedulingPool, solve, TypeOption } from './scheduler';
import { daemonSetRequests, poolViews, replicasOf } from 'karpenter-validate/model';
import { embeddedPods } from 'karpenter-validate';
import { KubeObject } from 'karpenter-validate';
import { PoolView } from 'karpenter-validate/model';
import { allocatable } from 'karpenter-validate/model';
import { allowsInstanceType, mismatch, podRequests } from 'karpenter-validate/model';
import { isObject, Json, podOf } from 'karpenter-validate/model';
import { LabelSelector, selects } from 'karpenter-validate/model';

/**
 * A capacity plan read from a set of objects: every pod of every workload at rest (each
 * autoscaler at its minimum: 0 for a workload that scales to zero) and at peak (at its maximum),
 * on the instance types of the environment's Karpenter release (its catalog), placed as
 * Karpenter's scheduler places pending pods, which 1.14.1 and 1.15.0 do alike for our pools (the
 * oracle schedules dev, prod and 100 seeded variations identically at both; lib/plan/scheduler.ts: the pools by
 * weight, NodeClaims that grow until no instance type of the pool holds more, zone spreads, limits),
 * each NodeClaim launched as the cheapest instance type it still allows, and what that costs per
 * hour. The node counts are our model's, held to Karpenter's own scheduler in the Go tier
 * (test/oracle-karpenter.test.ts, with verdicts recorded under test/oracle/karpenter/). The cost is an
 * estimate: the catalog's on-demand prices (us-east-1, Karpenter's static list) and
 * config/pricing.ts's spot ratio, where Karpenter pays regional and live spot prices.
 */

/** Pods of one workload, and the pool Karpenter puts them on. */
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

/** Nodes a pool launches for a number of pods, and what they cost. */
export interface NodeEstimate {
  readonly nodes: number;
  /** The instance type, when every node is of one type. */
  readonly instanceType?: string;
  /** Nodes by instance type, the most numerous first; absent when there is no node. */
  readonly byType?: readonly { readonly instanceType: string; readonly nodes: number }[];
  /** $ per hour. */
  readonly hourly: number;
}

export interface PoolPlan {
  readonly pool: string;
  /** The capacity type priced: spot when the pool allows it (Karpenter launches spot when a spot offering exists), else on-demand. */
  readonly capacityType: 'spot' | 'on-demand';
  readonly weight: number;
  readonly limits: Readonly<Record<string, number>>;
  readonly workloads: readonly PlannedWorkload[];
  readonly idle: NodeEstimate;
  readonly peak: NodeEstimate;
  /** The pool filled to its limits with the instance type it uses most at peak (or its cheapest): the most the limits let it spend. */
  readonly atLimits: NodeEstimate;
  /**
   * No taint keeps other pods off it: pods from outside this repository (the cluster's
   * prerequisites, add-ons, anything without a node selector) may land on it, which the plan
   * cannot count.
   */
  readonly takesOutsidePods: boolean;
}

export interface CapacityPlan {
  readonly pools: readonly PoolPlan[];
  readonly idleHourly: number;
  readonly peakHourly: number;
  /** Workloads no pool of the set can take (they run on nodes Karpenter does not manage, or nowhere). */
  readonly unplaced: readonly string[];
  /** Pods a pool could take that Karpenter would leave pending (limits reached), by pod UID. */
  readonly unschedulable: { readonly idle: readonly string[]; readonly peak: readonly string[] };
  /** Every NodeClaim of the simulation: what the Go tier compares with Karpenter's. */
  readonly nodeClaims: { readonly idle: readonly PlannedNodeClaim[]; readonly peak: readonly PlannedNodeClaim[] };
  readonly assumptions: readonly string[];
  /** The Karpenter release planned for: its instance catalog and prices (the alerts and dashboard follow it too). */
  readonly karpenterVersion: KarpenterRelease;
}

const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';
/** Zones of an environment whose pools restrict none: three, as a typical EKS VPC has. */
const FALLBACK_ZONES = ['zone-a', 'zone-b', 'zone-c'];

/** Replicas at rest and at peak: the autoscaler's bounds (replicasOf), and for a Job its parallelism while it runs. */
function replicas(object: KubeObject, scalers: readonly KubeObject[]): { idle: number; peak: number } {
  if (object.kind === 'Job') return { idle: 0, peak: ((object.spec ?? {}) as Json).parallelism ?? 1 };
  const { min, max } = replicasOf(object, scalers);
  return { idle: min, peak: max };
}

const weightOf = (pool: PoolView) => Number((pool.object.spec as Json)?.weight ?? 0);

/** Karpenter's pool order: weight descending, then name descending (sigs.k8s.io/karpenter v1.14.1 pkg/utils/nodepool OrderByWeight). */
const byWeight = (a: PoolView, b: PoolView) => weightOf(b) - weightOf(a) || (a.name < b.name ? 1 : a.name > b.name ? -1 : 0);

/** $ per hour of one node of a type, for the capacity type priced. */
const priceOf = (price: number, capacityType: 'spot' | 'on-demand') => (capacityType === 'spot' ? price * PRICING.spotRatio : price);

/**
 * Launched only when nothing else remains: metal sizes, and types with GPUs or Neuron devices
 * (aws/karpenter-provider-aws v1.14.1 pkg/providers/instance/filter/filter.go ExoticInstanceTypeFilter).
 */
function isExotic(type: InstanceType): boolean {
  const label = (key: string) => type.labels[`karpenter.k8s.aws/instance-${key}`];
  return (label('size') ?? '').includes('metal') || (Number(label('gpu-count') ?? 0) > 0 && ['nvidia', 'amd', 'habana'].includes(label('gpu-manufacturer') ?? '')) || label('accelerator-manufacturer') === 'aws';
}

/** The AMI family of a pool's node class, from its alias or amiFamily. */
function amiFamilyOf(pool: PoolView): string | undefined {
  const spec = (pool.nodeClass?.spec ?? {}) as Json;
  const alias = ((spec.amiSelectorTerms ?? []) as Json[]).map((t) => t?.alias).find((a) => typeof a === 'string');
  return typeof spec.amiFamily === 'string' ? spec.amiFamily : typeof alias === 'string' ? alias.split('@')[0]!.toLowerCase() : undefined;
}

/** A pool as Karpenter's scheduler sees it: the types with an offering whose nodes hold at least the DaemonSets. */
function schedulingPool(pool: PoolView, daemonSets: readonly KubeObject[], allZones: readonly string[]): SchedulingPool {
  const setDaemons = daemonSets.filter((ds) => {
    const pod = podOf(ds);
    return pod !== undefined && mismatch(pod.spec, pool) === undefined;
  });
  // Two pod slots go to EKS's own DaemonSets (aws-node, kube-proxy), whose requests daemonSetRequests adds.
  const daemons = { ...daemonSetRequests(pool, daemonSets), pods: 2 + setDaemons.length };
  const capacityTypes = pool.capacityTypes.filter((c) => c === 'spot' || c === 'on-demand');
  const zones = pool.zones ?? allZones;
  // aws provider pkg/providers/instancetype/compatibility: AL2023 has no a1 images.
  const al2023 = amiFamilyOf(pool) === 'al2023';
  const types: TypeOption[] = [];
  if (capacityTypes.length > 0 && zones.length > 0) {
    for (const type of pool.instances ?? []) {
      // An offering without a price is unavailable (offering/base_resolver.go).
      if (type.price === undefined || (al2023 && type.name.startsWith('a1.'))) continue;
      const { capacity, allocatable: free } = allocatable(type, pool.kubelet, pool.rootVolume);
      const option: TypeOption = {
        name: type.name,
        price: type.price,
        exotic: isExotic(type),
        allocatable: { cpu: free.cpu, memory: free.memory, 'ephemeral-storage': free.ephemeralStorage, pods: free.pods, 'nvidia.com/gpu': free.gpu },
        capacity: { cpu: capacity.cpu, memory: capacity.memory, 'ephemeral-storage': capacity.ephemeralStorage, pods: capacity.pods, 'nvidia.com/gpu': capacity.gpu },
      };
      // NewScheduler keeps the types whose nodes hold the DaemonSets alone.
      if (Object.entries(daemons).every(([k, v]) => v <= (option.allocatable[k] ?? 0) + 1e-9)) types.push(option);
    }
  }
  return { name: pool.name, weight: weightOf(pool), types, zones, capacityTypes, daemons, limits: pool.limits };
}

/** Zones a pod's node selector or first required node affinity term allows, when it restricts them. */
function podZones(spec: Json): string[] | undefined {
  const selected = (spec.nodeSelector ?? {})[ZONE];
  if (typeof selected === 'string') return [selected];
  const term: Json | undefined = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0];
  const zoneIn = ((term?.matchExpressions ?? []) as Json[]).find((e) => e?.key === ZONE && e.operator === 'In');
  return zoneIn ? (zoneIn.values ?? []).map(String) : undefined;
}

/** A selector term of a spread or anti-affinity, as a predicate on pods. */
function topologyOf(key: string, selector: Json, namespaces: readonly string[]): PodTopology {
  return {
    key,
    selector: JSON.stringify([selector ?? null, namespaces]),
    selects: (namespace, labels) => namespaces.includes(namespace) && isObject(selector) && selects(selector as LabelSelector, labels),
  };
}

/** The zone and hostname spreads of a pod, with matchLabelKeys folded into the selector as Karpenter does (topology.go newForTopologies). */
function spreadsOf(spec: Json, namespace: string, labels: Record<string, string>): PodSpread[] {
  return ((spec.topologySpreadConstraints ?? []) as Json[])
    .filter((c) => c?.topologyKey === ZONE || c?.topologyKey === HOSTNAME)
    .map((c) => {
      const keys = ((c.matchLabelKeys ?? []) as string[]).filter((k) => labels[k] !== undefined);
      const selector = keys.length > 0 ? { ...(c.labelSelector ?? {}), matchExpressions: [...(c.labelSelector?.matchExpressions ?? []), ...keys.map((k) => ({ key: k, operator: 'In', values: [labels[k]] }))] } : c.labelSelector;
      return { ...topologyOf(c.topologyKey, selector, [namespace]), maxSkew: Number(c.maxSkew ?? 1), required: c.whenUnsatisfiable !== 'ScheduleAnyway' };
    });
}

/** Required pod anti-affinity terms on the hostname. */
function antiAffinityOf(spec: Json, namespace: string): PodTopology[] {
  const terms: Json[] = spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
  return terms.filter((t) => t?.topologyKey === HOSTNAME).map((t) => topologyOf(HOSTNAME, t.labelSelector, Array.isArray(t.namespaces) && t.namespaces.length > 0 ? t.namespaces : [namespace]));
}

interface Workload {
  readonly planned: PlannedWorkload;
  readonly namespace: string;
  readonly workload: string;
  readonly spec: Json;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

/** Every workload of the set with its pod template and counts, in the order of the set (pods are named, not ordered, by it). */
function workloadsOf(objects: readonly KubeObject[]): Workload[] {
  const scalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject');
  const out: Workload[] = [];
  const push = (namespace: string, name: string, spec: Json, labels: Record<string, string>, annotations: Record<string, string>, counts: { idle: number; peak: number }) =>
    out.push({ namespace, workload: name, spec, labels, annotations, planned: { name: `${namespace}/${name}`, ...counts, requests: podRequests(spec), gracePeriodSeconds: typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30 } });
  for (const object of objects) {
    if (object.kind === 'DaemonSet') continue;
    const pod = podOf(object);
    if (pod) push(String(object.metadata?.namespace ?? 'default'), String(object.metadata?.name), pod.spec, pod.labels, pod.annotations, replicas(object, scalers));
    for (const embedded of embeddedPods({ object })) {
      const p = embedded.object;
      push(String(p.metadata?.namespace ?? 'default'), String(p.metadata?.name), (p.spec ?? {}) as Json, (p.metadata?.labels ?? {}) as Record<string, string>, (p.metadata?.annotations ?? {}) as Record<string, string>, { idle: 0, peak: embedded.maxInstances ?? 1 });
    }
  }
  return out;
}

/** The pods of a workload, each named as the Go oracle names it (karpenter oracle pods.go podUID). */
function podsOf(w: Workload, count: number, pools: readonly PoolView[]): SchedulingPod[] {
  const admitting = new Set(pools.filter((p) => mismatch(w.spec, p) === undefined).map((p) => p.name));
  const zones = podZones(w.spec);
  // The instance types of its pools its own requirements allow, when they narrow them.
  const offered = pools.filter((p) => admitting.has(p.name)).flatMap((p) => p.instances ?? []);
  const allowed = offered.filter((t) => allowsInstanceType(w.spec, t));
  const types = allowed.length < offered.length ? new Set(allowed.map((t) => t.name)) : undefined;
  const base = { namespace: w.namespace, labels: w.labels, requests: w.planned.requests, pools: admitting, ...(zones ? { zones } : {}), ...(types ? { types } : {}), spreads: spreadsOf(w.spec, w.namespace, w.labels), antiAffinity: antiAffinityOf(w.spec, w.namespace) };
  return Array.from({ length: count }, (_, i) => ({ ...base, uid: `${w.namespace}/${w.workload}/${String(i).padStart(3, '0')}` }));
}

function estimate(claims: readonly PlannedNodeClaim[], capacityType: 'spot' | 'on-demand'): NodeEstimate {
  const counts = new Map<string, number>();
  for (const c of claims) counts.set(c.instanceType, (counts.get(c.instanceType) ?? 0) + 1);
  const byType = [...counts].map(([instanceType, nodes]) => ({ instanceType, nodes })).sort((a, b) => b.nodes - a.nodes || a.instanceType.localeCompare(b.instanceType));
  const hourly = claims.reduce((sum, c) => sum + priceOf(c.price, capacityType), 0);
  return { nodes: claims.length, ...(byType.length === 1 ? { instanceType: byType[0]!.instanceType } : {}), ...(byType.length > 0 ? { byType } : {}), hourly };
}

/** Nodes of one type that fill a pool to the first limit it reaches (none without limits). */
function atLimits(pool: PoolView, typeName: string | undefined, capacityType: 'spot' | 'on-demand'): NodeEstimate {
  const priced = (pool.instances ?? []).filter((t) => t.price !== undefined);
  const type = priced.find((t) => t.name === typeName) ?? [...priced].sort((a, b) => a.price! - b.price! || a.name.localeCompare(b.name))[0];
  const none = { nodes: 0, hourly: 0 };
  if (!type) return none;
  const limits = pool.limits;
  const fits = [
    limits.cpu !== undefined ? Math.floor(limits.cpu / type.vcpu) : Infinity,
    limits.memory !== undefined ? Math.floor(limits.memory / (type.memoryMiB * 2 ** 20)) : Infinity,
    limits['nvidia.com/gpu'] !== undefined && type.gpus > 0 ? Math.floor(limits['nvidia.com/gpu'] / type.gpus) : Infinity,
    limits.nodes !== undefined ? limits.nodes : Infinity,
  ];
  const nodes = Math.min(...fits);
  if (!Number.isFinite(nodes)) return none;
  return { nodes, instanceType: type.name, byType: [{ instanceType: type.name, nodes }], hourly: nodes * priceOf(type.price!, capacityType) };
}

/** Dollars as REPORT.md and the plan show them. */
export const formatDollars = (n: number | undefined): string => (n === undefined ? '-' : `$${n.toFixed(2)}`);

/** Where the plan's node counts come from at a Karpenter release, for REPORT.md and `npm run plan`. */
export const nodeCountSource = (release: KarpenterRelease): string =>
  `nodes: every pod placed as Karpenter ${release}'s scheduler places pending pods (pools by weight, NodeClaims that grow while an allowed instance type holds their pods and DaemonSets after Karpenter's overhead, zone spreads, limits), each NodeClaim launched as its cheapest remaining instance type; our model (lib/plan/scheduler.ts), held to Karpenter's own scheduler in the Go tier by test/oracle-karpenter.test.ts`;

/** Where the plan's node counts come from at Karpenter 1.14.1. */
export const NODE_COUNT_SOURCE = nodeCountSource('1.14.1');

/** The capacity plan of a set of objects, on the instance types of a Karpenter release (by default the one being validated with). */
export function capacityPlan(objects: readonly KubeObject[], release: KarpenterRelease = activeKarpenterRelease()): CapacityPlan {
  const views = poolViews(objects, release);
  const daemonSets = objects.filter((o) => o.kind === 'DaemonSet');
  const restricted = [...new Set(views.flatMap((p) => p.zones ?? []))].sort();
  const allZones = restricted.length > 0 ? restricted : FALLBACK_ZONES;
  const ordered = [...views].sort(byWeight);
  const pools = ordered.map((p) => schedulingPool(p, daemonSets, allZones)).filter((p) => p.types.length > 0);
  const workloads = workloadsOf(objects);
  const unplaced = workloads.filter((w) => !views.some((p) => mismatch(w.spec, p) === undefined)).map((w) => w.planned.name);
  const simulate = (which: 'idle' | 'peak') => solve(pools, workloads.flatMap((w) => podsOf(w, w.planned[which], views)));
  const [idle, peak] = [simulate('idle'), simulate('peak')];
  // A workload belongs to the pool its pods were placed on (at peak, else at rest), or its first admitting pool.
  const poolOfWorkload = (w: Workload) => {
    const prefix = `${w.namespace}/${w.workload}/`;
    const on = [...peak.nodeClaims, ...idle.nodeClaims].find((c) => c.pods.some((p) => p.startsWith(prefix)));
    return on?.pool ?? ordered.find((p) => mismatch(w.spec, p) === undefined)?.name;
  };
  const plans = views.map((view): PoolPlan => {
    const capacityType = view.capacityTypes.includes('spot') ? 'spot' : 'on-demand';
    const of = (solution: typeof idle) => solution.nodeClaims.filter((c) => c.pool === view.name);
    const peakEstimate = estimate(of(peak), capacityType);
    return {
      pool: view.name,
      capacityType,
      weight: weightOf(view),
      limits: view.limits,
      workloads: workloads.filter((w) => poolOfWorkload(w) === view.name).map((w) => w.planned),
      idle: estimate(of(idle), capacityType),
      peak: peakEstimate,
      atLimits: atLimits(view, peakEstimate.byType?.[0]?.instanceType, capacityType),
      // A PreferNoSchedule taint only steers the scheduler: such pods may still land.
      takesOutsidePods: !view.taints.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute'),
    };
  });
  const sum = (which: 'idle' | 'peak') => plans.reduce((s, p) => s + p[which].hourly, 0);
  const unscheduled = (solution: typeof idle) => solution.unschedulable.map((u) => u.pod).filter((uid) => !unplaced.some((name) => uid.startsWith(`${name}/`)));
  return {
    pools: plans,
    idleHourly: sum('idle'),
    peakHourly: sum('peak'),
    unplaced,
    unschedulable: { idle: unscheduled(idle), peak: unscheduled(peak) },
    nodeClaims: { idle: idle.nodeClaims, peak: peak.nodeClaims },
    assumptions: [
      `on-demand prices of ${priceRegion(release)} from Karpenter's catalog; spot at ${Math.round(PRICING.spotRatio * 100)}% of on-demand (config/pricing.ts); the cheapest allowed type is assumed launched for spot too (EC2 Fleet's price-capacity-optimized weighs live prices and capacity)`,
      'idle: every autoscaler at its minimum (a KEDA workload that scales to zero counts 0); peak: at its maximum',
      nodeCountSource(release),
    ],
    karpenterVersion: release,
  };
}
