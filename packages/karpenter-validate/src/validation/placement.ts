import { isQuantity, parseQuantity } from '../quantity';
import { satisfies } from '../requirements';
import type { InstanceType } from '../catalog';
import { PoolView, Requirement } from './node-pools';
import { isObject, Json, objectOr, objectsOf, own, stringMap } from './pods';

/**
 * Whether a pod can land on a pool's nodes, as Karpenter decides it when it provisions:
 * node selector and required node affinity against the labels and requirements the pool puts
 * on its nodes, tolerations against its taints.
 * @see https://karpenter.sh/docs/concepts/scheduling/
 */

// Labels Karpenter sets on every node from the instance it launches: a pod may select them
// even when the pool does not constrain them, and Karpenter picks a matching instance.
const WELL_KNOWN = /^(kubernetes\.io\/(arch|os)|topology\.kubernetes\.io\/(zone|region)|node\.kubernetes\.io\/instance-type|karpenter\.sh\/capacity-type|karpenter\.k8s\.aws\/.+|topology\.k8s\.aws\/.+)$/;

/** Whether a toleration tolerates a taint (the scheduler's ToleratesTaint). */
export function tolerates(toleration: Json, taint: { key: string; value?: string; effect: string }): boolean {
  if (!isObject(toleration)) return false;
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (!toleration.key && toleration.operator !== 'Exists') return false;
  return toleration.operator === 'Exists' || (toleration.value ?? '') === (taint.value ?? '');
}

// Whether some node of the pool can satisfy a node selector requirement on `key`.
function allows(pool: PoolView, term: Requirement): boolean {
  const value = own(pool.labels, term.key);
  if (value !== undefined) return satisfies(term, value);
  const constraints = pool.requirements.filter((r) => r.key === term.key);
  if (constraints.length > 0) {
    if (term.operator === 'In') return term.values.some((v) => constraints.every((c) => satisfies(c, v)));
    if (term.operator === 'Exists') return constraints.every((c) => c.operator !== 'DoesNotExist');
    return true;
  }
  if (WELL_KNOWN.test(term.key)) return true;
  // A label the pool never sets: only terms that accept its absence hold.
  return term.operator === 'NotIn' || term.operator === 'DoesNotExist';
}

/** Why a pod cannot land on a pool, or undefined when it can. */
export function mismatch(pod: Json, pool: PoolView): string | undefined {
  for (const [key, value] of Object.entries(stringMap(pod.nodeSelector))) {
    if (!allows(pool, { key, operator: 'In', values: [value] })) {
      return pool.labels[key] !== undefined ? `nodeSelector ${key}=${value}, but its nodes have ${key}=${pool.labels[key]}` : `nodeSelector ${key}=${value}, but its nodes do not carry ${key}`;
    }
  }
  const terms = objectsOf(objectOr(objectOr(objectOr(pod.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms);
  const term = (e: Json): Requirement => ({ key: String(e.key), operator: e.operator, values: (Array.isArray(e.values) ? (e.values as unknown[]) : []).map(String) });
  if (terms.length > 0 && !terms.some((t) => objectsOf(t.matchExpressions).every((e) => allows(pool, term(e))))) {
    return 'no required node affinity term matches its nodes';
  }
  const tolerations = objectsOf(pod.tolerations);
  const untolerated = pool.taints.filter((taint) => taint.effect !== 'PreferNoSchedule' && !tolerations.some((t) => tolerates(t, taint)));
  if (untolerated.length > 0) return `no toleration for taint ${untolerated.map((t) => `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`).join(', ')}`;
  return undefined;
}

const ARCH = 'kubernetes.io/arch';

/** The labels a node of an instance type carries for being of that type (Karpenter's instance labels, architecture and type included). */
function instanceLabels(type: InstanceType): Record<string, string> {
  return { ...type.labels, [ARCH]: type.arch, 'node.kubernetes.io/instance-type': type.name };
}

/**
 * Whether a pod's node selector and required node affinity allow nodes of an instance type, on
 * the labels that describe the instance (the rest is the pool's business, see `mismatch`).
 */
export function allowsInstanceType(pod: Json, type: InstanceType): boolean {
  const labels = instanceLabels(type);
  const known = (key: string) => Object.hasOwn(labels, key);
  for (const [key, value] of Object.entries(stringMap(pod.nodeSelector))) if (known(key) && labels[key] !== value) return false;
  const terms = objectsOf(objectOr(objectOr(objectOr(pod.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms);
  if (terms.length === 0) return true;
  return terms.some((t) =>
    objectsOf(t.matchExpressions)
      .filter((e) => typeof e.key === 'string' && known(e.key))
      .every((e) => satisfies({ key: String(e.key), operator: e.operator, values: (Array.isArray(e.values) ? (e.values as unknown[]) : []).map(String) }, labels[String(e.key)]!)),
  );
}

/**
 * The architectures of a pool a pod can land on: the pool's, narrowed by the pod's node selector
 * and required node affinity on kubernetes.io/arch (a pod pinned to amd64 on a pool that launches
 * both only ever runs on its amd64 nodes).
 */
export function architecturesOn(pod: Json, pool: PoolView): string[] {
  const selected = stringMap(pod.nodeSelector)[ARCH];
  const terms = objectsOf(objectOr(objectOr(objectOr(pod.affinity).nodeAffinity).requiredDuringSchedulingIgnoredDuringExecution).nodeSelectorTerms);
  const onArch = (e: Json) => e.key === ARCH;
  const term = (e: Json): Requirement => ({ key: ARCH, operator: e.operator, values: (Array.isArray(e.values) ? (e.values as unknown[]) : []).map(String) });
  return (pool.architectures ?? []).filter(
    (arch) => (selected === undefined || selected === arch) && (terms.length === 0 || terms.some((t) => objectsOf(t.matchExpressions).filter(onArch).every((e) => satisfies(term(e), arch)))),
  );
}

// Per pool list and pod spec: several rules ask for the pools of the same pod (placement, disruption
// windows, spot budgets, privileged isolation), and a budget asks for every pod it selects.
const POOLS_OF = new WeakMap<readonly PoolView[], WeakMap<Json, PoolView[]>>();

/** The pools a pod spec can land on. */
export function poolsFor(pod: Json, pools: readonly PoolView[]): PoolView[] {
  let byPod = POOLS_OF.get(pools);
  if (!byPod) POOLS_OF.set(pools, (byPod = new WeakMap()));
  let on = byPod.get(pod);
  if (!on) byPod.set(pod, (on = pools.filter((pool) => mismatch(pod, pool) === undefined)));
  return on;
}

/**
 * Pod requests as the scheduler sums them: containers and sidecars added, other init
 * containers by their maximum, plus the pod overhead. A limit without a request is also the
 * request (the API server defaults it so).
 */
export function podRequests(pod: Json): Record<string, number> {
  const amount = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && isQuantity(v) ? parseQuantity(v) : undefined);
  const amounts = (c: Json): [string, number][] => {
    const resources = objectOr(c.resources);
    return Object.entries({ ...objectOr(resources.limits), ...objectOr(resources.requests) }).flatMap(([k, v]) => {
      const n = amount(v);
      return n === undefined ? [] : [[k, n] as [string, number]];
    });
  };
  const total: Record<string, number> = {};
  for (const c of objectsOf(pod.containers)) for (const [k, v] of amounts(c)) total[k] = (total[k] ?? 0) + v;
  for (const c of objectsOf(pod.initContainers)) {
    for (const [k, v] of amounts(c)) total[k] = c.restartPolicy === 'Always' ? (total[k] ?? 0) + v : Math.max(total[k] ?? 0, v);
  }
  for (const [k, v] of Object.entries(objectOr(pod.overhead))) {
    const n = amount(v);
    if (n !== undefined) total[k] = (total[k] ?? 0) + n;
  }
  return total;
}
