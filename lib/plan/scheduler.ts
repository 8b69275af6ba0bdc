import { goSortSlice } from './go-sort';

/**
 * Karpenter's provisioning scheduler, as far as the project's pods use it: the emulation the
 * capacity plan (lib/plan/capacity.ts) runs to know how many nodes of which type each pool launches.
 * Read from sigs.k8s.io/karpenter v1.14.1 pkg/controllers/provisioning/scheduling (scheduler.go
 * Solve, add, addToInflightNode, addToNewNodeClaim; nodeclaim.go CanAdd, filterInstanceTypesByRequirements;
 * queue.go; topology.go and topologygroup.go nextDomainTopologySpread; preferences.go Relax) and
 * held to it by the Go tier (test/oracle-karpenter.test.ts runs the real scheduler on both
 * environments and on a seeded corpus). What it does, in Karpenter's order:
 *
 * - pods sorted by CPU, then memory, descending, then by UID (queue.go byCPUAndMemoryDescending);
 *   a pod that fails goes to the back of the queue, and the queue stops when a full pass places none;
 * - a pod first tries the NodeClaims being built, re-sorted by pod count before each pod with Go's
 *   unstable sort (go-sort.ts), taking the first that can add it; else a new NodeClaim of the first
 *   pool, by weight then name descending (utils/nodepool OrderByWeight), that can;
 * - a NodeClaim keeps every instance type of its pool that still holds its pods plus the DaemonSets
 *   (requests, pod slots, GPUs against allocatable after Karpenter's overhead) and has an offering
 *   in its zones; a new one starts from the types its pool's remaining limits allow, and subtracts
 *   from those limits the largest capacity among the types it keeps (subtractMax);
 * - topology spread over zones or hostnames, DoNotSchedule and ScheduleAnyway alike: preferences are
 *   required until a pod fails, then relaxed one at a time (ScheduleAnyway constraints last); a
 *   spread narrows a NodeClaim to the least-populated allowed zone; required pod anti-affinity on the
 *   hostname keeps matching pods off a NodeClaim;
 * - at launch (aws provider pkg/providers/instance: filter.ExoticInstanceTypeFilter, getCapacityType,
 *   EC2 Fleet lowest-price) metal and accelerator types are dropped when others remain, spot is used
 *   when the pool allows it, and the cheapest remaining type is launched.
 *
 * Not emulated, because no pod of the project uses them: pod affinity, anti-affinity on keys other
 * than the hostname, a second required node affinity term, volume topology, existing nodes.
 */

/** An instance type a pool may launch, with what Karpenter computes for it. */
export interface TypeOption {
  readonly name: string;
  /** $/hour of an on-demand offering (spot is priced the same for ordering: the pricing provider's static list). */
  readonly price: number;
  /** Metal, or with GPUs or Neuron devices: launched only when nothing else remains. */
  readonly exotic: boolean;
  /** What pods can request on a node of this type (cpu in cores, memory and ephemeral-storage in bytes, pods, GPUs). */
  readonly allocatable: Readonly<Record<string, number>>;
  /** The node's capacity, which pool limits are counted in. */
  readonly capacity: Readonly<Record<string, number>>;
}

export interface SchedulingPool {
  readonly name: string;
  readonly weight: number;
  /** The types its requirements allow that have an offering, in any order. */
  readonly types: readonly TypeOption[];
  readonly zones: readonly string[];
  readonly capacityTypes: readonly string[];
  /** The DaemonSet pods every node of the pool runs: their requests summed, and `pods` their count. */
  readonly daemons: Readonly<Record<string, number>>;
  /** spec.limits (cpu in cores, memory in bytes, nodes, ...). */
  readonly limits: Readonly<Record<string, number>>;
}

/** A topology spread constraint or a required anti-affinity term, by what it selects. */
export interface PodTopology {
  readonly key: string;
  /** Which pods (namespace, labels) the term's selector picks. */
  readonly selects: (namespace: string, labels: Readonly<Record<string, string>>) => boolean;
  /** A stable identity of the selector (Karpenter shares one group between pods with the same constraint). */
  readonly selector: string;
}

export interface PodSpread extends PodTopology {
  readonly maxSkew: number;
  /** DoNotSchedule; ScheduleAnyway constraints are relaxed when the pod cannot be placed. */
  readonly required: boolean;
}

export interface SchedulingPod {
  /** `<namespace>/<workload>/<index>`: Karpenter orders pods of equal requests by UID. */
  readonly uid: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Requests of one pod (cpu in cores, memory in bytes, ...), without the pod slot. */
  readonly requests: Readonly<Record<string, number>>;
  /** The pools whose taints it tolerates and whose requirements its node selector and required affinity allow. */
  readonly pools: ReadonlySet<string>;
  /** Zones its own node selector or required affinity allows; undefined when it does not restrict them. */
  readonly zones?: readonly string[];
  /**
   * Instance types its node selector and required affinity allow by their labels (architecture,
   * type, family...), by name; undefined when they do not restrict them. Karpenter narrows a
   * NodeClaim's instance types to those compatible with each pod's requirements (nodeclaim.go
   * CanAdd, filterInstanceTypesByRequirements).
   */
  readonly types?: ReadonlySet<string>;
  readonly spreads: readonly PodSpread[];
  readonly antiAffinity: readonly PodTopology[];
}

export interface PlannedNodeClaim {
  readonly pool: string;
  readonly instanceType: string;
  readonly capacityType: 'spot' | 'on-demand';
  /** $/hour on-demand of the launched type (spot is priced by the caller). */
  readonly price: number;
  /** The zone, when its pods narrowed it to one. */
  readonly zone?: string;
  /** The instance types it could still launch, by name. */
  readonly options: readonly string[];
  readonly pods: readonly string[];
}

export interface Solution {
  readonly nodeClaims: readonly PlannedNodeClaim[];
  readonly unschedulable: readonly { readonly pod: string; readonly reason: string }[];
}

const ZONE = 'topology.kubernetes.io/zone';
const HOSTNAME = 'kubernetes.io/hostname';
const EPSILON = 1e-9;

interface Claim {
  readonly pool: SchedulingPool;
  readonly hostname: string;
  pods: SchedulingPod[];
  requests: Record<string, number>;
  zones: readonly string[];
  options: readonly TypeOption[];
}

/** A topology group (topologygroup.go): pods counted per domain, and the pods whose constraint it is. */
interface Group {
  readonly key: string;
  readonly kind: 'spread' | 'anti-affinity';
  readonly maxSkew: number;
  readonly selects: PodTopology['selects'];
  /** The pools a node of which counts (the owner's node selector and required affinity, nodeAffinityPolicy Honor). */
  readonly countsOn: ReadonlySet<string>;
  readonly domains: Map<string, number>;
  readonly owners: Set<string>;
}

interface Placement {
  readonly zones: readonly string[];
  readonly options: readonly TypeOption[];
}

const add = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>) => {
  const sum: Record<string, number> = { ...a };
  for (const [k, v] of Object.entries(b)) sum[k] = (sum[k] ?? 0) + v;
  return sum;
};

/** resources.Fits: every requested quantity within what the type offers (an absent resource offers 0). */
const fits = (requests: Readonly<Record<string, number>>, type: TypeOption) => Object.entries(requests).every(([k, v]) => v <= (type.allocatable[k] ?? 0) + EPSILON);

/** Karpenter's scheduling simulation of `pods` on `pools` (already in OrderByWeight order), with no existing node. */
export function solve(pools: readonly SchedulingPool[], pods: readonly SchedulingPod[]): Solution {
  return new Scheduler(pools, pods).run();
}

class Scheduler {
  private readonly claims: Claim[] = [];
  private readonly groups = new Map<string, Group>();
  private readonly remaining = new Map<string, Record<string, number>>();
  private readonly allZones: string[];
  private hostnames = 0;

  constructor(
    private readonly pools: readonly SchedulingPool[],
    private readonly pods: readonly SchedulingPod[],
  ) {
    // Domains of zone topologies: every zone any pool offers (topology.go buildDomainGroups).
    this.allZones = [...new Set(pools.flatMap((p) => (p.types.length > 0 ? p.zones : [])))].sort();
    for (const pool of pools) this.remaining.set(pool.name, { ...pool.limits });
    for (const pod of pods) this.update(pod, pod.spreads);
  }

  run(): Solution {
    // queue.go: sorted once, failed pods requeued; a pass without progress ends it.
    const queue = [...this.pods].sort((a, b) => (b.requests.cpu ?? 0) - (a.requests.cpu ?? 0) || (b.requests.memory ?? 0) - (a.requests.memory ?? 0) || (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0));
    const lastLen = new Map<string, number>();
    const errors = new Map<string, string>();
    for (;;) {
      const pod = queue[0];
      if (!pod || lastLen.get(pod.uid) === queue.length) break;
      queue.shift();
      const error = this.trySchedule(pod);
      if (error === undefined) {
        errors.delete(pod.uid);
        continue;
      }
      errors.set(pod.uid, error);
      this.update(pod, pod.spreads);
      queue.push(pod);
      lastLen.set(pod.uid, queue.length);
    }
    return {
      nodeClaims: this.claims.map((c) => this.launch(c)),
      unschedulable: [...errors].map(([pod, reason]) => ({ pod, reason })).sort((a, b) => (a.pod < b.pod ? -1 : 1)),
    };
  }

  /** scheduler.go trySchedule: add, relaxing one preference at a time (preferences.go Relax). */
  private trySchedule(pod: SchedulingPod): string | undefined {
    let spreads = [...pod.spreads];
    for (;;) {
      const error = this.add(pod);
      if (error === undefined) return undefined;
      // removeTopologySpreadScheduleAnyway: the first ScheduleAnyway constraint, replaced by the last.
      const i = spreads.findIndex((s) => !s.required);
      if (i < 0) return error;
      spreads[i] = spreads[spreads.length - 1]!;
      spreads = spreads.slice(0, -1);
      this.update(pod, spreads);
    }
  }

  private add(pod: SchedulingPod): string | undefined {
    goSortSlice(this.claims, (a, b) => a.pods.length < b.pods.length);
    for (const claim of this.claims) {
      const placement = this.canAdd(claim, pod);
      if (typeof placement !== 'string') {
        this.commit(claim, pod, placement);
        return undefined;
      }
    }
    if (this.pools.length === 0) return 'nodepool requirements filtered out all available instance types';
    const errors: string[] = [];
    for (const pool of this.pools) {
      const remaining = this.remaining.get(pool.name)!;
      if (remaining.nodes !== undefined && remaining.nodes <= 0) {
        errors.push(`node limits have been exhausted for nodepool ${pool.name}`);
        continue;
      }
      // filterByRemainingResources: types whose capacity exceeds no remaining limit.
      const options = pool.types.filter((t) => Object.entries(remaining).every(([k, v]) => (t.capacity[k] ?? 0) <= v + EPSILON));
      if (options.length === 0) {
        errors.push(`all available instance types exceed limits for nodepool ${pool.name}`);
        continue;
      }
      const claim: Claim = { pool, hostname: `hostname-placeholder-${String(++this.hostnames).padStart(4, '0')}`, pods: [], requests: {}, zones: pool.zones, options };
      const placement = this.canAdd(claim, pod);
      if (typeof placement === 'string') {
        errors.push(placement);
        continue;
      }
      this.commit(claim, pod, placement);
      this.claims.push(claim);
      // subtractMax: the largest capacity among the types the NodeClaim may still launch.
      for (const key of Object.keys(remaining)) remaining[key] = remaining[key]! - Math.max(...claim.options.map((t) => t.capacity[key] ?? 0));
      return undefined;
    }
    return errors.join('; ');
  }

  /** nodeclaim.go CanAdd: taints and requirements, topology, then the instance types that still hold everything. */
  private canAdd(claim: Claim, pod: SchedulingPod): Placement | string {
    if (!pod.pools.has(claim.pool.name)) return `incompatible with nodepool ${claim.pool.name}`;
    let zones = pod.zones ? claim.zones.filter((z) => pod.zones!.includes(z)) : claim.zones;
    if (zones.length === 0) return 'incompatible requirements, no zone in common';
    for (const group of this.groups.values()) {
      if (!group.owners.has(pod.uid)) continue;
      if (group.kind === 'anti-affinity') {
        if (claim.pods.some((p) => group.selects(p.namespace, p.labels))) return `unsatisfiable anti-affinity on ${group.key}`;
        continue;
      }
      const self = group.selects(pod.namespace, pod.labels) ? 1 : 0;
      if (group.key === HOSTNAME) {
        if ((group.domains.get(claim.hostname) ?? 0) + self > group.maxSkew) return `unsatisfiable topology constraint for spread, key=${HOSTNAME}`;
        continue;
      }
      // nextDomainTopologySpread: the least-populated domain the NodeClaim allows, within maxSkew of the global minimum.
      const podDomains = group.key === ZONE && pod.zones ? pod.zones : undefined;
      const counts = [...group.domains].filter(([d]) => !podDomains || podDomains.includes(d)).map(([, n]) => n);
      const min = counts.length > 0 ? Math.min(...counts) : Number.MAX_SAFE_INTEGER;
      const nodeDomains = group.key === ZONE ? zones : undefined;
      let best: string | undefined;
      let bestCount = Infinity;
      for (const [domain, n] of [...group.domains].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (nodeDomains && !nodeDomains.includes(domain)) continue;
        const count = n + self;
        if (count - min <= group.maxSkew && count < bestCount) [best, bestCount] = [domain, count];
      }
      if (best === undefined) return `unsatisfiable topology constraint for spread, key=${group.key}`;
      if (group.key === ZONE) zones = [best];
    }
    // Pods already on the NodeClaim whose anti-affinity selects this one (inverse anti-affinity).
    for (const other of claim.pods) {
      if (other.antiAffinity.some((t) => t.key === HOSTNAME && t.selects(pod.namespace, pod.labels))) return `unsatisfiable inverse anti-affinity on ${HOSTNAME}`;
    }
    const requests = add(add(claim.requests, pod.requests), { pods: 1 });
    const total = add(requests, claim.pool.daemons);
    const options = claim.options.filter((t) => (pod.types === undefined || pod.types.has(t.name)) && fits(total, t));
    if (options.length === 0) return `no instance type of nodepool ${claim.pool.name} has room for the pods and DaemonSets`;
    return { zones, options };
  }

  /** nodeclaim.go Add, with the topology's Register and Record. */
  private commit(claim: Claim, pod: SchedulingPod, placement: Placement): void {
    claim.pods.push(pod);
    claim.requests = add(add(claim.requests, pod.requests), { pods: 1 });
    claim.zones = placement.zones;
    claim.options = placement.options;
    for (const group of this.groups.values()) {
      if (group.key === HOSTNAME && !group.domains.has(claim.hostname)) group.domains.set(claim.hostname, 0);
    }
    for (const group of this.groups.values()) {
      if (!group.selects(pod.namespace, pod.labels) || !group.countsOn.has(claim.pool.name)) continue;
      if (group.key === HOSTNAME) group.domains.set(claim.hostname, (group.domains.get(claim.hostname) ?? 0) + 1);
      else if (group.key === ZONE && claim.zones.length === 1) group.domains.set(claim.zones[0]!, (group.domains.get(claim.zones[0]!) ?? 0) + 1);
    }
  }

  /** topology.go Update: the pod owns the groups of the constraints it still has. */
  private update(pod: SchedulingPod, spreads: readonly PodSpread[]): void {
    for (const group of this.groups.values()) group.owners.delete(pod.uid);
    const own = (kind: Group['kind'], term: PodTopology, maxSkew: number) => {
      const id = JSON.stringify([kind, term.key, pod.namespace, term.selector, maxSkew, [...pod.pools].sort()]);
      let group = this.groups.get(id);
      if (!group) {
        const domains = new Map<string, number>();
        // Hostname domains are registered as NodeClaims take pods (commit).
        if (term.key === ZONE) for (const zone of this.allZones) domains.set(zone, 0);
        group = { key: term.key, kind, maxSkew, selects: term.selects, countsOn: pod.pools, domains, owners: new Set() };
        this.groups.set(id, group);
      }
      group.owners.add(pod.uid);
    };
    for (const spread of spreads) own('spread', spread, spread.maxSkew);
    for (const term of pod.antiAffinity) own('anti-affinity', term, 0);
  }

  /** What the AWS provider launches for a NodeClaim: no exotic type unless only those remain, spot when allowed, the cheapest. */
  private launch(claim: Claim): PlannedNodeClaim {
    const generic = claim.options.filter((t) => !t.exotic);
    const kept = generic.length > 0 ? generic : claim.options;
    const cheapest = [...kept].sort((a, b) => a.price - b.price || (a.name < b.name ? -1 : 1))[0]!;
    return {
      pool: claim.pool.name,
      instanceType: cheapest.name,
      capacityType: claim.pool.capacityTypes.includes('spot') ? 'spot' : 'on-demand',
      price: cheapest.price,
      ...(claim.zones.length === 1 ? { zone: claim.zones[0]! } : {}),
      options: claim.options.map((t) => t.name).sort(),
      pods: claim.pods.map((p) => p.uid).sort(),
    };
  }
}
