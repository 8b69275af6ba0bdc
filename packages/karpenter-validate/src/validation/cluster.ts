import { isLabelValue } from '../labels';
import { formatGiB, formatMilliCpu } from '../quantity';
import { child, KubeObject, Reporter, Severity } from './findings';
import { PoolView, poolView } from './node-pools';
import { allocatable, maxPods } from './overhead';
import { durationSeconds } from '../durations';
import { catalog } from '../catalog';
import { activeKarpenterRelease, KarpenterRelease } from '../karpenter-release';

/** The Karpenter release whose instance catalog and CRDs the validator knows. */
import { architecturesOn, mismatch, podRequests, poolsFor } from './placement';
import { objectOr, objectsOf, podOf, stringMap } from './pods';
import { LabelSelector, selects } from './selectors';

/**
 * Checks across objects: what Karpenter and the scheduler would do with the set as a whole.
 * `complete` says the set is everything that will exist (synth); otherwise (the CLI) a
 * reference to an object outside it is only a warning, since it may live in the cluster.
 */

/** Annotation listing the pools a workload is meant for (written by the Workload construct). */
export const POOLS_ANNOTATION = 'karpenter-as-code.io/pools';
/** Annotation listing the architectures all of a workload's images are published for. */
export const ARCHITECTURES_ANNOTATION = 'karpenter-as-code.io/architectures';

/**
 * DaemonSets every EKS node runs that a manifest set does not contain: the VPC CNI (aws-node,
 * 25m CPU) and kube-proxy (100m CPU), with the requests of the EKS managed add-ons' default
 * configuration. Added to the DaemonSets of the set when sizing nodes.
 */
export const EKS_DAEMONSET_REQUESTS: Readonly<Record<string, number>> = { cpu: 0.125, memory: 0 };

/** One object of the set, as stored by the API server, with its reporter. */
export interface Checked {
  readonly object: KubeObject;
  readonly reporter: Reporter;
  /** A pod another object describes (a JCasC pod template): created by its controller at run time, never synced. */
  readonly embedded?: boolean;
}

export interface ClusterOptions {
  readonly complete: boolean;
  /** Runs one object's checks, reporting the validator's own failure on it instead of throwing. */
  readonly guard: <T>(reporter: Reporter, fallback: T, check: () => T) => T;
  /** Objects of the set the API server would refuse: references to them resolve, but nothing is placed on them. */
  readonly refused: readonly KubeObject[];
}

const GPU = 'nvidia.com/gpu';
const nameOf = (o: KubeObject) => String(o.metadata?.name ?? '');
const namespaceOf = (o: KubeObject) => (typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : 'default');

// CPU and memory of requests or room; ephemeral storage only when the pod asks for some.
function describeResources(r: Partial<Record<string, number>>, storage = false): string {
  return `${formatMilliCpu(r.cpu ?? 0)} CPU, ${formatGiB(r.memory ?? 0)} memory${storage ? `, ${formatGiB(r['ephemeral-storage'] ?? r.ephemeralStorage ?? 0)} ephemeral storage` : ''}`;
}

// Sums the requests of the DaemonSets (in the set, plus EKS's own) that would run on a pool's nodes.
export function daemonSetRequests(pool: PoolView, daemonSets: readonly KubeObject[]): Record<string, number> {
  const total: Record<string, number> = { ...EKS_DAEMONSET_REQUESTS };
  for (const ds of daemonSets) {
    const pod = podOf(ds);
    if (!pod || mismatch(pod.spec, pool) !== undefined) continue;
    for (const [k, v] of Object.entries(podRequests(pod.spec))) total[k] = (total[k] ?? 0) + v;
  }
  return total;
}

/** Why a pod does not fit on any instance type of a pool, or undefined when some instance holds it. */
function fitProblem(requests: Record<string, number>, pool: PoolView, daemonSets: readonly KubeObject[]): string | undefined {
  if (!pool.instances || pool.instances.length === 0) return undefined;
  const daemons = daemonSetRequests(pool, daemonSets);
  const candidates = pool.instances.map((type) => {
    const { allocatable: free } = allocatable(type, pool.kubelet, pool.rootVolume);
    const room = { cpu: free.cpu - (daemons.cpu ?? 0), memory: free.memory - (daemons.memory ?? 0), ephemeralStorage: free.ephemeralStorage - (daemons['ephemeral-storage'] ?? 0) };
    const shortCpu = (requests.cpu ?? 0) - room.cpu;
    const shortMemory = (requests.memory ?? 0) - room.memory;
    const shortStorage = (requests['ephemeral-storage'] ?? 0) - room.ephemeralStorage;
    return { type, room, shortCpu, shortMemory, shortStorage };
  });
  if (candidates.some((c) => c.shortCpu <= 0 && c.shortMemory <= 0 && c.shortStorage <= 0)) return undefined;
  const storage = (requests['ephemeral-storage'] ?? 0) > 0;
  const largest = [...candidates].sort((a, b) => b.type.vcpu - a.type.vcpu || b.type.memoryMiB - a.type.memoryMiB || a.type.name.localeCompare(b.type.name))[0]!;
  const short = [
    largest.shortCpu > 0 ? `CPU short by ${formatMilliCpu(largest.shortCpu)}` : undefined,
    largest.shortMemory > 0 ? `memory short by ${formatGiB(largest.shortMemory)}` : undefined,
    largest.shortStorage > 0 ? `ephemeral storage short by ${formatGiB(largest.shortStorage)} (the node class's rootVolume mapping sizes it)` : undefined,
  ].filter(Boolean);
  return (
    `requests (${describeResources(requests, storage)}) do not fit any instance type of NodePool "${pool.name}": the largest, ${largest.type.name} ` +
    `(${largest.type.vcpu} vCPU, ${formatGiB(largest.type.memoryMiB * 2 ** 20)}), leaves ${describeResources(largest.room, storage)} for pods after Karpenter's overhead ` +
    `(7.5% VM memory, ${pool.kubelet.kubeReserved ? "the node class's kubeReserved" : `kube-reserved for ${maxPods(largest.type, pool.kubelet)} pods`}, eviction threshold) and DaemonSets (${describeResources(daemons)}); ${short.join(', ')}. ` +
    'Allow a larger instance type in the pool or lower the requests'
  );
}

/**
 * A workload's replicas: its autoscaler's bounds (an HPA, or a KEDA ScaledObject, whose minimum
 * may be 0 and whose maximum defaults to 100), else its own count.
 */
export function replicasOf(workload: KubeObject, hpas: readonly KubeObject[]): { min: number; max: number; hpa?: KubeObject } {
  const targets = (h: KubeObject) => {
    const ref = objectOr(objectOr(h.spec).scaleTargetRef);
    return namespaceOf(h) === namespaceOf(workload) && (ref.kind ?? 'Deployment') === workload.kind && ref.name === nameOf(workload);
  };
  // A count that is not a whole number (the schema layer reports it) counts as the default.
  const count = (value: unknown, fallback: number) => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback);
  const hpa = hpas.find(targets);
  const spec = objectOr(hpa?.spec);
  if (hpa?.kind === 'ScaledObject') return { min: count(spec.minReplicaCount, 0), max: count(spec.maxReplicaCount, 100), hpa };
  if (hpa) return { min: count(spec.minReplicas, 1), max: count(spec.maxReplicas, 1), hpa };
  const replicas = count(objectOr(workload.spec).replicas, 1);
  return { min: replicas, max: replicas };
}

function checkWorkload(item: Checked, pools: readonly PoolView[], set: { daemonSets: KubeObject[]; hpas: KubeObject[]; pdbs: KubeObject[]; complete: boolean }): void {
  const { object, reporter } = item;
  const pod = podOf(object);
  if (!pod || object.kind === 'DaemonSet' || pools.length === 0) return;
  const on = poolsFor(pod.spec, pools);
  const annotations = stringMap(objectOr(object.metadata).annotations);
  const intended = annotations[POOLS_ANNOTATION]?.split(',').map((p) => p.trim()).filter(Boolean);
  if (on.length === 0) {
    const reasons = pools.map((pool) => `"${pool.name}": ${mismatch(pod.spec, pool)}`);
    reporter.report('placement', pod.path, `can land on none of the ${pools.length} NodePools, so its pods stay Pending: ${reasons.join('; ')}`);
    return;
  }
  if (intended) {
    const names = on.map((p) => p.name);
    const extra = names.filter((n) => !intended.includes(n));
    const missing = intended.filter((n) => !names.includes(n));
    if (extra.length > 0) reporter.report('placement', pod.path, `can also land on NodePool ${extra.map((n) => `"${n}"`).join(', ')}, which it is not meant for (${POOLS_ANNOTATION}: ${intended.join(',')}): narrow its node selector or taint that pool`);
    for (const name of missing) {
      const pool = pools.find((p) => p.name === name);
      if (pool) reporter.report('placement', pod.path, `is meant for NodePool "${name}" but cannot land there: ${mismatch(pod.spec, pool)}`);
      else reporter.report('placement', pod.path, `is meant for NodePool "${name}", which is not ${set.complete ? 'in the set' : 'in the files given (it may exist in the cluster)'}`, undefined, set.complete ? 'error' : 'warning');
    }
  }
  const requests = podRequests(pod.spec);
  const gpus = requests[GPU] ?? 0;
  if (gpus > 0) {
    const without = on.filter((p) => p.instances && !p.instances.some((t) => t.gpus >= gpus));
    for (const pool of without) reporter.report('gpu-pool', pod.path, `requests ${gpus} ${GPU} but can land on NodePool "${pool.name}", whose instance types (${pool.instances!.map((t) => t.name).join(', ')}) have ${Math.max(0, ...pool.instances!.map((t) => t.gpus))} GPUs`);
  }
  const problems = on.map((pool) => ({ pool, problem: fitProblem(requests, pool, set.daemonSets) }));
  const failing = problems.filter((p) => p.problem !== undefined);
  // A pod that fits one of its pools is placed there; the others only lose it.
  for (const { problem } of failing) reporter.report('fits-instance', pod.path, problem!, undefined, failing.length === problems.length ? 'error' : 'warning');
  const archs = annotations[ARCHITECTURES_ANNOTATION]?.split(',').map((a) => a.trim()).filter(Boolean);
  if (archs) {
    for (const pool of on) {
      const foreign = architecturesOn(pod.spec, pool).filter((a) => !archs.includes(a));
      if (foreign.length > 0) reporter.report('architecture', pod.path, `its images are published for [${archs.join(', ')}] but it can land on NodePool "${pool.name}", which launches ${foreign.join(', ')} nodes`);
    }
  }
  const { max, hpa } = replicasOf(object, set.hpas);
  if (hpa) {
    for (const resource of ['cpu', 'memory', GPU]) {
      const need = (requests[resource] ?? 0) * max;
      const limit = on.reduce((sum, p) => sum + (p.limits[resource] ?? Infinity), 0);
      if (need > limit) {
        const show = (v: number) => (resource === 'memory' ? formatGiB(v) : resource === 'cpu' ? formatMilliCpu(v) : String(v));
        reporter.report('pool-capacity', 'spec', `${hpa.kind} "${nameOf(hpa)}" may scale to ${max} replicas x ${show(requests[resource] ?? 0)} ${resource} = ${show(need)}, more than the ${resource} limits of [${on.map((p) => p.name).join(', ')}] (${show(limit)}): the extra pods would stay Pending`);
      }
    }
  }
  for (const constraint of objectsOf(pod.spec.topologySpreadConstraints)) {
    if (constraint.topologyKey !== 'topology.kubernetes.io/zone' || constraint.whenUnsatisfiable !== 'DoNotSchedule') continue;
    if (on.some((p) => p.zones === undefined)) continue;
    const zones = [...new Set(on.flatMap((p) => p.zones!))];
    if (zones.length < 2) reporter.report('zone-spread', child(pod.path, 'topologySpreadConstraints'), `spreads over zones with DoNotSchedule, but its pools [${on.map((p) => p.name).join(', ')}] launch only in [${zones.join(', ')}]: allow a second zone or use ScheduleAnyway`);
  }
  const doNotDisrupt = pod.annotations['karpenter.sh/do-not-disrupt'];
  const annotationPath = child(pod.path.replace(/\.spec$/, '.metadata.annotations'), 'karpenter.sh/do-not-disrupt');
  if (doNotDisrupt !== undefined && doNotDisrupt !== 'false') {
    for (const pool of on.filter((p) => p.capacityTypes.includes('spot'))) {
      reporter.report(
        'do-not-disrupt-spot',
        annotationPath,
        `pods marked do-not-disrupt can land on spot NodePool "${pool.name}": on a spot interruption Karpenter's termination controller does not evict them, so EC2 reclaims the node two minutes after the notice and they die without SIGTERM. Drop the annotation and keep consolidation off busy nodes another way (consolidationPolicy WhenEmpty, budgets by reason), or run them on on-demand capacity`,
        doNotDisrupt,
      );
    }
  }
  if (object.kind === 'StatefulSet' && set.pdbs.some((pdb) => namespaceOf(pdb) === namespaceOf(object) && selects(objectOr(objectOr(pdb.spec).selector) as LabelSelector, pod.labels))) {
    for (const pool of on) checkStatefulExpiry(pool, object, reporter);
  }
  if (doNotDisrupt === 'true') {
    for (const pool of on.filter((p) => p.terminationGracePeriod === undefined)) {
      reporter.report('do-not-disrupt-grace', annotationPath, `pods marked do-not-disrupt can land on NodePool "${pool.name}", which has no spec.template.spec.terminationGracePeriod: its nodes could never be drained, not even when they expire. Set one on the pool`);
    }
  }
}

const WEEK = 7 * 24 * 3600;

/**
 * Expiry is forceful: it ignores disruption budgets, so nodes created together expire together
 * and a StatefulSet's members drain within minutes of each other, guarded only by readiness.
 * Its pool must replace nodes through drift (which respects budgets) one at a time, and expire
 * them rarely. @see https://karpenter.sh/docs/concepts/disruption/#expiration
 */
function checkStatefulExpiry(pool: PoolView, object: KubeObject, reporter: Reporter): void {
  const expire = pool.expireAfter !== undefined && /^([0-9]+(s|m|h))+$/.test(pool.expireAfter) ? durationSeconds(pool.expireAfter) : Infinity;
  if (expire < WEEK) {
    reporter.report('stateful-expiry', 'spec', `its pods can land on NodePool "${pool.name}", which expires nodes after ${pool.expireAfter}: expiry ignores disruption budgets, so nodes created together drain together and ${object.kind} ${nameOf(object)} loses members at once. Expire after a week or more (720h) and refresh nodes through drift, which the pool's budgets pace`, pool.expireAfter);
  }
  const declared = objectOr(objectOr(pool.object.spec).disruption).budgets;
  const budgets = Array.isArray(declared) ? objectsOf(declared) : [{ nodes: '10%' }];
  const forDrift = budgets.filter((b) => !Array.isArray(b.reasons) || b.reasons.includes('Drifted')).map((b) => String(b.nodes));
  // A percentage rounds up: any percentage allows at least one, and more as the pool grows.
  const serialized = forDrift.some((nodes) => nodes === '0' || nodes === '1' || nodes === '0%');
  if (!serialized) {
    reporter.report('stateful-expiry', 'spec', `its pods can land on NodePool "${pool.name}", whose disruption budgets (${forDrift.join(', ') || 'none, so 10%'}) let Karpenter replace more than one node at a time: ${object.kind} ${nameOf(object)} could lose more members than its PDB allows while nodes drift. Add a budget of nodes: "1" for Drifted`, forDrift);
  }
}

function checkPdbs(pdbs: readonly Checked[], workloads: readonly KubeObject[], hpas: readonly KubeObject[], complete: boolean): void {
  const claimed = new Map<KubeObject, string>();
  for (const { object, reporter } of pdbs) {
    const spec = objectOr(object.spec);
    if (spec.minAvailable === undefined && spec.maxUnavailable === undefined) reporter.report('pdb-budget-missing', 'spec', 'sets neither minAvailable nor maxUnavailable: set maxUnavailable: 1 to allow one pod at a time to be evicted');
    const blocksAll = spec.maxUnavailable === 0 || spec.maxUnavailable === '0%' || spec.minAvailable === '100%';
    if (blocksAll) {
      const field = spec.maxUnavailable !== undefined ? 'spec.maxUnavailable' : 'spec.minAvailable';
      reporter.report('pdb-blocks-eviction', field, `allows no eviction whatever the number of replicas: every drain of a node running these pods (consolidation, drift, expiry, upgrades) blocks on it until the pool's terminationGracePeriod, if any. Allow one pod to be evicted (maxUnavailable: 1)`, spec.maxUnavailable ?? spec.minAvailable);
    }
    const selector = objectOr(spec.selector) as LabelSelector;
    const selected = workloads.filter((w) => namespaceOf(w) === namespaceOf(object) && selects(selector, podOf(w)?.labels ?? {}));
    if (selected.length === 0) {
      reporter.report('pdb-selects', 'spec.selector', `selects no pods of any workload in namespace "${namespaceOf(object)}"${complete ? '' : ' in the files given'}`, spec.selector, complete ? 'error' : 'warning');
      continue;
    }
    const replicas = selected.reduce((sum, w) => sum + replicasOf(w, hpas).min, 0);
    const scaled = (value: number | string) => (typeof value === 'number' ? value : Math.ceil((Number(String(value).replace('%', '')) * replicas) / 100));
    const allowed = spec.maxUnavailable !== undefined ? scaled(spec.maxUnavailable) : spec.minAvailable !== undefined ? replicas - scaled(spec.minAvailable) : replicas;
    if (allowed <= 0 && !blocksAll) {
      const field = spec.maxUnavailable !== undefined ? 'spec.maxUnavailable' : 'spec.minAvailable';
      reporter.report('pdb-allows-disruption', field, `allows no disruption with ${replicas} replica(s) of ${selected.map((w) => `${w.kind} ${nameOf(w)}`).join(', ')}: every drain (consolidation, expiry, upgrades) blocks on it. Allow at least one pod to be evicted`, spec.maxUnavailable ?? spec.minAvailable);
    }
    for (const workload of selected) {
      const other = claimed.get(workload);
      if (other) reporter.report('pdb-overlap', 'spec.selector', `selects the pods of ${workload.kind} ${nameOf(workload)}, which PodDisruptionBudget "${other}" selects too: the eviction API refuses pods matched by two PDBs, so every drain stalls`);
      else claimed.set(workload, nameOf(object));
    }
  }
}

/** The NodePools of a set, read against its EC2NodeClasses. */
export function poolViews(objects: readonly KubeObject[], release: KarpenterRelease = activeKarpenterRelease()): PoolView[] {
  const nodeClasses = new Map(objects.filter((o) => o.kind === 'EC2NodeClass').map((o) => [nameOf(o), o]));
  return objects.filter((o) => o.kind === 'NodePool').map((o) => poolView(o, nodeClasses, release));
}

/** Checks that need the whole set of objects: references, placement, fit, disruption. */
export function checkCluster(items: readonly Checked[], options: ClusterOptions): void {
  const missing: Severity = options.complete ? 'error' : 'warning';
  const of = (kind: string) => items.filter((i) => i.object.kind === kind);
  const pools = poolViews(items.map((i) => i.object));
  // With a NodePool refused, where pods land cannot be told: skip placement rather than guess.
  const placeable = !options.refused.some((o) => o.kind === 'NodePool');
  const exists = (kind: string, name: unknown, namespace?: string) =>
    [...items.map((i) => i.object), ...options.refused].some((o) => o.kind === kind && nameOf(o) === name && (namespace === undefined || namespaceOf(o) === namespace));
  for (const [index, item] of of('NodePool').entries()) {
    const pool = pools[index]!;
    const ref = objectOr(objectOr(objectOr(objectOr(item.object.spec).template).spec).nodeClassRef);
    if (ref.kind === 'EC2NodeClass' && ref.group === 'karpenter.k8s.aws' && !exists('EC2NodeClass', ref.name)) {
      item.reporter.report('node-class-ref', 'spec.template.spec.nodeClassRef.name', `EC2NodeClass "${String(ref.name)}" is not ${options.complete ? 'in the set' : 'in the files given (it may exist in the cluster)'}: the pool could never launch a node`, ref.name, missing);
    }
    if (!isLabelValue(pool.name)) item.reporter.report('nodepool-name', 'metadata.name', `must be a valid label value (at most 63 characters): Karpenter labels every node karpenter.sh/nodepool=${pool.name}`, pool.name);
    if (pool.unknownInstances.length > 0) {
      const none = pool.instances?.length === 0;
      item.reporter.report('instance-types', 'spec.template.spec.requirements', `instance types ${pool.unknownInstances.join(', ')} are not among the ${catalog().size} types Karpenter v${activeKarpenterRelease()} knows${none ? ': the pool can never launch a node' : ': Karpenter ignores them'}`, pool.unknownInstances, none ? 'error' : 'warning');
    } else if (pool.instances?.length === 0) {
      item.reporter.report('instance-types', 'spec.template.spec.requirements', `no instance type Karpenter v${activeKarpenterRelease()} knows satisfies every requirement: the pool can never launch a node`);
    }
  }
  const workloads = items.filter((i) => podOf(i.object) !== undefined);
  const hpas = of('HorizontalPodAutoscaler');
  const scalers = [...hpas, ...of('ScaledObject')].map((i) => i.object);
  const set = { daemonSets: of('DaemonSet').map((i) => i.object), hpas: scalers, pdbs: of('PodDisruptionBudget').map((i) => i.object), complete: options.complete };
  if (placeable) for (const item of workloads) options.guard(item.reporter, undefined, () => checkWorkload(item, pools, set));
  for (const { object, reporter } of hpas) {
    const target = objectOr(objectOr(object.spec).scaleTargetRef);
    if (!exists(String(target.kind), target.name, namespaceOf(object))) {
      reporter.report('scale-target', 'spec.scaleTargetRef', `${String(target.kind)} "${String(target.name)}" is not ${options.complete ? 'in the set' : 'in the files given (it may exist in the cluster)'}: the autoscaler scales nothing`, target.name, missing);
    }
  }
  const selectable = [...workloads.map((i) => i.object), ...options.refused.filter((o) => podOf(o) !== undefined)].filter((o) => o.kind !== 'Pod');
  checkPdbs(of('PodDisruptionBudget'), selectable, set.hpas, options.complete);
}
