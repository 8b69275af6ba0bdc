import { isQuantity, parseQuantity } from '../quantity';
import { satisfies } from '../requirements';
import { PoolView, Requirement } from './node-pools';
import { Json, own } from './pods';

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
  for (const [key, value] of Object.entries((pod.nodeSelector ?? {}) as Record<string, string>)) {
    if (!allows(pool, { key, operator: 'In', values: [value] })) {
      return pool.labels[key] !== undefined ? `nodeSelector ${key}=${value}, but its nodes have ${key}=${pool.labels[key]}` : `nodeSelector ${key}=${value}, but its nodes do not carry ${key}`;
    }
  }
  const terms: Json[] = pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (terms.length > 0 && !terms.some((term) => (term.matchExpressions ?? []).every((e: Json) => allows(pool, { key: e.key, operator: e.operator, values: (e.values ?? []).map(String) })))) {
    return 'no required node affinity term matches its nodes';
  }
  const untolerated = pool.taints.filter((taint) => taint.effect !== 'PreferNoSchedule' && !(pod.tolerations ?? []).some((t: Json) => tolerates(t, taint)));
  if (untolerated.length > 0) return `no toleration for taint ${untolerated.map((t) => `${t.key}${t.value !== undefined ? `=${t.value}` : ''}:${t.effect}`).join(', ')}`;
  return undefined;
}

/** The pools a pod spec can land on. */
export function poolsFor(pod: Json, pools: readonly PoolView[]): PoolView[] {
  return pools.filter((pool) => mismatch(pod, pool) === undefined);
}

/**
 * Pod requests as the scheduler sums them: containers and sidecars added, other init
 * containers by their maximum, plus the pod overhead. A limit without a request is also the
 * request (the API server defaults it so).
 */
export function podRequests(pod: Json): Record<string, number> {
  const amounts = (c: Json): [string, number][] =>
    Object.entries({ ...(c.resources?.limits ?? {}), ...(c.resources?.requests ?? {}) } as Record<string, string | number>)
      .filter(([, v]) => typeof v === 'number' || isQuantity(v))
      .map(([k, v]) => [k, parseQuantity(v)]);
  const total: Record<string, number> = {};
  for (const c of (pod.containers ?? []) as Json[]) for (const [k, v] of amounts(c)) total[k] = (total[k] ?? 0) + v;
  for (const c of (pod.initContainers ?? []) as Json[]) {
    for (const [k, v] of amounts(c)) total[k] = c.restartPolicy === 'Always' ? (total[k] ?? 0) + v : Math.max(total[k] ?? 0, v);
  }
  for (const [k, v] of Object.entries((pod.overhead ?? {}) as Record<string, string>)) if (isQuantity(String(v))) total[k] = (total[k] ?? 0) + parseQuantity(v);
  return total;
}
