import { poolViews, type Checked } from './cluster';
import type { PoolView } from './node-pools';
import { poolsFor } from './placement';
import { isObject, Json, podOf } from './pods';

/**
 * A pod that can take its node (a privileged container, CAP_SYS_ADMIN, the host's PID or IPC
 * namespace) must not share a node with another workload: an escape from it is root on that
 * node, over every pod there and with the node's IAM role. Its pools are where it can land
 * (src/validation/placement.ts, as Karpenter decides); another workload that can land there, or
 * a pool without a taint that keeps other pods away, is a finding. Pods with the same
 * app.kubernetes.io/name in one namespace are one workload. DaemonSets (node agents, on
 * every node by design) are not workloads here. JCasC pod templates are checked like any pod.
 */

// Capabilities that amount to the node.
const TAKEOVER_CAPABILITIES = new Set(['SYS_ADMIN', 'CAP_SYS_ADMIN', 'ALL']);

/** What makes a pod able to take its node, or undefined. */
export function privilegeOf(spec: Json): string | undefined {
  for (const field of ['initContainers', 'containers', 'ephemeralContainers'] as const) {
    for (const c of (Array.isArray(spec[field]) ? spec[field] : []).filter(isObject)) {
      const context = isObject(c.securityContext) ? c.securityContext : {};
      if (context.privileged === true) return `container "${c.name}" is privileged`;
      const added = (Array.isArray(context.capabilities?.add) ? context.capabilities.add : []).map(String).filter((cap: string) => TAKEOVER_CAPABILITIES.has(cap.toUpperCase()));
      if (added.length > 0) return `container "${c.name}" adds ${added.join(', ')}`;
    }
  }
  if (spec.hostPID === true) return "it shares the node's PID namespace";
  if (spec.hostIPC === true) return "it shares the node's IPC namespace";
  return undefined;
}

// The label that names a workload's pods (Kubernetes' recommended labels): pods that share it and
// their namespace are one workload (a JCasC cloud's template per architecture, say), whatever object made them.
const NAME_LABEL = 'app.kubernetes.io/name';
const namespaceOf = (item: Checked) => (typeof item.object.metadata?.namespace === 'string' ? item.object.metadata.namespace : 'default');
const sameWorkload = (a: { item: Checked; pod: { labels: Record<string, string> } }, b: typeof a) =>
  a.item === b.item || (a.pod.labels[NAME_LABEL] !== undefined && a.pod.labels[NAME_LABEL] === b.pod.labels[NAME_LABEL] && namespaceOf(a.item) === namespaceOf(b.item));

const describe = (item: Checked) => `${String(item.object.kind)} ${typeof item.object.metadata?.namespace === 'string' ? `${item.object.metadata.namespace}/` : ''}${String(item.object.metadata?.name)}`;
const keepsOthersAway = (pool: PoolView) => pool.taints.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');

/** Privileged pods of a set against the pools they and the other workloads can land on. */
export function checkPrivilegedIsolation(items: readonly Checked[]): void {
  const pools = poolViews(items.filter((i) => !i.embedded).map((i) => i.object));
  if (pools.length === 0) return;
  const runners = items.flatMap((item) => {
    const pod = podOf(item.object);
    if (!pod || item.object.kind === 'DaemonSet') return [];
    return [{ item, pod, on: poolsFor(pod.spec, pools) }];
  });
  for (const runner of runners) {
    const privilege = privilegeOf(runner.pod.spec);
    if (!privilege) continue;
    for (const pool of runner.on) {
      const sharing = runners.filter((other) => !sameWorkload(runner, other) && other.on.includes(pool)).map((other) => describe(other.item));
      if (sharing.length > 0) {
        runner.item.reporter.report(
          'privileged-shared-node',
          runner.pod.path,
          `can take its node (${privilege}) and can land on NodePool "${pool.name}" with ${sharing.join(', ')}: an escape from it is root on a node running them, with the node's IAM role. Run privileged pods on a pool of their own, tainted so that only they tolerate it`,
          pool.name,
        );
      } else if (!keepsOthersAway(pool)) {
        runner.item.reporter.report(
          'privileged-shared-node',
          runner.pod.path,
          `can take its node (${privilege}) and can land on NodePool "${pool.name}", which has no NoSchedule taint: any pod that selects none of the other pools can land beside it. Taint the pool and tolerate the taint in the privileged pods only`,
          pool.name,
        );
      }
    }
  }
}
