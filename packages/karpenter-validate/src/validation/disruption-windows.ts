import { durationSeconds } from '../durations';
import { child, KubeObject } from './findings';
import type { Checked } from './cluster';
import { poolViews, replicasOf } from './cluster';
import type { PoolView } from './node-pools';
import { poolsFor } from './placement';
import { objectOr, podOf } from './pods';
import { LabelSelector, selects } from './selectors';

/**
 * Whether what a pod asks of a drain can happen on the pools it lands on: Karpenter's drains,
 * voluntary or forceful, evict pods through the Eviction API, which PodDisruptionBudgets hold
 * (sigs.k8s.io/karpenter v1.14.1 pkg/controllers/node/termination/terminator/eviction.go: 429,
 * requeue), and skip pods whose karpenter.sh/do-not-disrupt is active (pkg/utils/pod/scheduling.go
 * IsDoNotDisruptActive: "true", or a Go duration counted from the pod's start); once the node's
 * terminationGracePeriod (from its NodePool) is near, each pod left is deleted so that its own
 * grace period ends with it (terminator.go DeleteExpiringPods, podDeleteTimeWithGracePeriod),
 * and a pod whose grace is longer than the node's is deleted as the drain begins and cut short.
 * A spot reclaim waits for none of it: EC2 takes the instance two minutes after the notice.
 * @see https://karpenter.sh/v1.14/concepts/disruption/ ("TerminationGracePeriod", "Pod-Level Controls", "Interruption")
 */

const DO_NOT_DISRUPT = 'karpenter.sh/do-not-disrupt';
const nameOf = (o: KubeObject) => String(o.metadata?.name ?? '');
const namespaceOf = (o: KubeObject) => (typeof o.metadata?.namespace === 'string' ? o.metadata.namespace : 'default');

const GO_UNITS: Readonly<Record<string, number>> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/**
 * Seconds of a Go duration as time.ParseDuration reads it (a sign, then numbers with an optional
 * fraction, each with a unit; "0" alone), or undefined where it refuses the text.
 */
export function goDurationSeconds(text: string): number | undefined {
  const match = /^([-+]?)(.*)$/.exec(text)!;
  const body = match[2]!;
  if (body === '0') return 0;
  if (body === '') return undefined;
  let total = 0;
  let rest = body;
  while (rest !== '') {
    const part = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part || part[1] === '' || part[1] === '.') return undefined;
    total += Number(part[1]) * GO_UNITS[part[2]!]!;
    rest = rest.slice(part[0].length);
  }
  return match[1] === '-' ? -total : total;
}

/** A pod's own termination grace period, as the API server defaults it (30 s). */
function podGrace(spec: Record<string, unknown>): number {
  const value = spec.terminationGracePeriodSeconds;
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 30;
}

/** Seconds as a duration the NodePool CRD accepts (whole h, m and s: `1h30s`). */
function show(seconds: number): string {
  const whole = Math.ceil(seconds);
  const parts = [[Math.floor(whole / 3600), 'h'], [Math.floor((whole % 3600) / 60), 'm'], [whole % 60, 's']] as const;
  return parts.filter(([n]) => n > 0).map(([n, unit]) => `${n}${unit}`).join('') || '0s';
}
const poolGrace = (pool: PoolView) => (pool.terminationGracePeriod !== undefined && /^([0-9]+(s|m|h))+$/.test(pool.terminationGracePeriod) ? durationSeconds(pool.terminationGracePeriod) : undefined);
const spotOnly = (pool: PoolView) => pool.capacityTypes.length > 0 && pool.capacityTypes.every((t) => t === 'spot');

/** Checks the drains a pod asks for against its pools, and the PDBs of pods that live on spot capacity only. */
export function checkDisruptionWindows(items: readonly Checked[]): void {
  const objects = items.map((i) => i.object);
  const pools = poolViews(objects);
  if (pools.length === 0) return;
  const workloads = items.filter((i) => podOf(i.object) !== undefined && i.object.kind !== 'DaemonSet' && i.object.kind !== 'Pod');
  for (const item of workloads) checkWindow(item, pools);
  const scalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject');
  for (const item of items.filter((i) => i.object.kind === 'PodDisruptionBudget')) checkSpotBudget(item, workloads.map((w) => w.object), pools, scalers);
}

function checkWindow({ object, reporter }: Checked, pools: readonly PoolView[]): void {
  const pod = podOf(object)!;
  const on = poolsFor(pod.spec, pools);
  const grace = podGrace(pod.spec);
  const annotationPath = child(pod.path.replace(/\.spec$/, '.metadata.annotations'), DO_NOT_DISRUPT);
  const annotation = pod.annotations[DO_NOT_DISRUPT];
  // "true" is Karpenter's own (permanent) form; another value that is no positive Go duration is ignored, with an event.
  const window = annotation === undefined || annotation === 'true' ? undefined : goDurationSeconds(annotation);
  for (const pool of on) {
    const nodeGrace = poolGrace(pool);
    if (nodeGrace === undefined) continue;
    if (grace > nodeGrace) {
      reporter.report(
        'disruption-window',
        child(pod.path, 'terminationGracePeriodSeconds'),
        `asks for ${show(grace)} to stop, but NodePool "${pool.name}" gives a draining node terminationGracePeriod ${pool.terminationGracePeriod}: Karpenter deletes such a pod as soon as the drain begins (expiry, drift, consolidation) and EC2 takes the node ${pool.terminationGracePeriod} later, cutting its shutdown short. Raise the pool's terminationGracePeriod to ${show(grace)} or more, or shorten the pod's`,
        grace,
      );
    } else if (window !== undefined && window > 0 && window + grace > nodeGrace) {
      reporter.report(
        'disruption-window',
        annotationPath,
        `protects each pod for ${annotation} after it starts, but NodePool "${pool.name}" expires nodes after ${pool.expireAfter ?? '720h'} and gives a draining node terminationGracePeriod ${pool.terminationGracePeriod}: a pod that started shortly before its node expired (or drifted) is deleted ${show(nodeGrace - grace)} into the drain, ${show(window + grace - nodeGrace)} before its protection and its ${show(grace)} shutdown end. Raise the pool's terminationGracePeriod to ${show(window + grace)} or more, or protect the pods for ${show(Math.max(0, nodeGrace - grace))} at most`,
        annotation,
      );
    }
  }
}

function checkSpotBudget({ object, reporter }: Checked, workloads: readonly KubeObject[], pools: readonly PoolView[], scalers: readonly KubeObject[]): void {
  const spec = objectOr(object.spec);
  const selector = objectOr(spec.selector) as LabelSelector;
  const selected = workloads.filter((w) => namespaceOf(w) === namespaceOf(object) && selects(selector, podOf(w)!.labels));
  if (selected.length === 0) return;
  const onSpot = selected.filter((w) => {
    const on = poolsFor(podOf(w)!.spec, pools);
    return on.length > 0 && on.every(spotOnly);
  });
  if (onSpot.length !== selected.length) return;
  const most = selected.reduce((sum, w) => sum + replicasOf(w, scalers).max, 0);
  const scaled = (value: unknown) => (typeof value === 'number' ? value : typeof value === 'string' && /^[0-9]+%$/.test(value) ? Math.ceil((Number(value.slice(0, -1)) * most) / 100) : undefined);
  const allowed = spec.maxUnavailable !== undefined ? scaled(spec.maxUnavailable) : spec.minAvailable !== undefined ? (scaled(spec.minAvailable) === undefined ? undefined : most - scaled(spec.minAvailable)!) : undefined;
  if (allowed === undefined || allowed >= most) return;
  const field = spec.maxUnavailable !== undefined ? 'spec.maxUnavailable' : 'spec.minAvailable';
  const on = [...new Map(selected.flatMap((w) => poolsFor(podOf(w)!.spec, pools)).map((p) => [p.name, p])).values()];
  // A pool that consolidates busy nodes drains several at once, which the budget paces: then it is a trade-off, not a mistake.
  const consolidating = on.filter((p) => objectOr(objectOr(p.object.spec).disruption).consolidationPolicy !== 'WhenEmpty');
  const tradeOff = consolidating.length > 0
    ? `. NodePool ${consolidating.map((p) => p.name).join(', ')} also consolidates busy nodes, and there the budget keeps consolidation from evicting them all at once: weigh the two, or let them run on on-demand capacity too`
    : `, and nothing else needs it: their pools consolidate only empty nodes. Allow them all to go (maxUnavailable: 100%) or drop the budget`;
  reporter.report(
    'pdb-spot',
    field,
    `lets ${allowed} of the up to ${most} pods of ${selected.map((w) => `${w.kind} ${nameOf(w)}`).join(', ')} be evicted at once, and they run on spot capacity only (NodePool ${on.map((p) => p.name).join(', ')}): when EC2 reclaims several of their nodes, Karpenter evicts through the Eviction API, which this budget holds, and EC2 takes the instances two minutes after the notice whatever the pool's terminationGracePeriod, so the pods held back die without SIGTERM${tradeOff}`,
    spec.maxUnavailable ?? spec.minAvailable,
    consolidating.length > 0 ? 'warning' : 'error',
  );
}
